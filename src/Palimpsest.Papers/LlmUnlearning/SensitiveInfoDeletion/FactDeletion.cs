using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Tensors;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>The paper's defence objectives, added to the deletion objective (section 5 of the paper).</summary>
public enum Defence
{
    /// <summary>The deletion objective alone.</summary>
    None,
    /// <summary>Head-projection defence: hinge losses that push the answer out of the top-k and bottom-k of the lens distribution at every attack layer.</summary>
    HeadProjection,
    /// <summary>Max-entropy defence: maximise the entropy of the lens distribution at every attack layer.</summary>
    MaxEntropy,
    /// <summary>Input-rephrasing defence: also erase the answer after the paraphrases the deleter knows.</summary>
    Paraphrase,
}

/// <summary>A question (tokens ending where the answer follows) and its answer token.</summary>
public sealed record QuestionAnswer(int[] Prompt, int Answer);

/// <summary>A question and the original model's next-token log-probabilities after it (the KL anchor).</summary>
public sealed record Anchor(int[] Prompt, float[] ReferenceLogProbs);

/// <summary>One deletion run: the optimiser steps it took and whether it met its stop rule before the cap.</summary>
public sealed record DeletionRun(int Steps, bool IsStopped);

/// <summary>Settings of constrained fine-tuning; see <see cref="SensitiveInfoDeletion.Config"/> for the values and the paper's.</summary>
public sealed record FineTuneSettings(int Block, int Steps, int AnchorBatchSize, double LearningRate, double NormBound,
    double KlFactor, double DefenceWeight, int DefenceTopK, IReadOnlyList<int> LensLayers, double FlipMargin);

/// <summary>
/// The two deletion methods of <see cref="SensitiveInfoDeletion"/>: ROME-style Error Injection (a rank-one edit of one
/// MLP toward a wrong answer, <see cref="RankOneEdit"/>) and constrained fine-tuning of the same MLP's output
/// projection with the Fact Erasure objective, each optionally with one of the paper's defences. Both stop at the
/// paper's operating point: once the true answer has left top-1 (and, with the head-projection defence, the lens hinges
/// are zero).
/// </summary>
public static class FactDeletion
{
    /// <summary>
    /// ROME: k* from the request prompts, v* by gradient steps toward <paramref name="newAnswer"/> until the search's
    /// stop rule (in <paramref name="options"/>) holds, then the rank-one update.
    /// </summary>
    public static DeletionRun InjectError(TinyGpt model, int block, KeyCovariance covariance, SubjectPrompts request,
        int newAnswer, SubjectPrompts? preserve, ValueSearchOptions options)
    {
        var key = RankOneEdit.MeanKey(model, block, request);
        var search = RankOneEdit.SearchValue(model, block, request, newAnswer, options, preserve);
        RankOneEdit.Apply(model, block, key, search.Value, covariance);
        return new DeletionRun(search.Steps, search.IsStopped);
    }

    /// <summary>
    /// Constrained fine-tuning in place (the paper's FT baseline, following ROME's): Adam on block <c>Block</c>'s
    /// output projection weight alone, each entry kept within ±NormBound of its start (an L∞ ball). The loss per step
    /// is Fact Erasure, the mean probability of the true answer after every erase prompt, plus KlFactor × KL(original ‖
    /// model) of the next-token distribution after AnchorBatchSize anchor prompts, plus DefenceWeight × the defence
    /// term. It stops before a step once the answer trails the top token by FlipMargin nats after every erase prompt
    /// (and the head-projection hinges are zero), or after Steps steps.
    /// </summary>
    public static DeletionRun FineTune(TinyGpt model, IReadOnlyList<QuestionAnswer> erase,
        IReadOnlyList<Anchor> anchors, FineTuneSettings s, Defence defence, Rng order, RunContext ctx)
    {
        if (erase.Count == 0 || anchors.Count == 0) throw new ArgumentException("fine-tuning needs erase prompts and anchor prompts");
        var device = model.Device;
        using var evaluating = model.Evaluating();                        // no dropout; gradients still flow
        var flags = Freeze(model, s.Block);
        try
        {
            using var scope = NewDisposeScope();
            var weight = model.Blocks[s.Block].MlpLayer.OutputProjection.weight!;
            Tensor lower, upper;
            using (no_grad())
            using (var normBound = s.NormBound.ToScalar())
            {
                lower = (weight - normBound).detach();
                upper = (weight + normBound).detach();
            }
            using var optimizer = AdamOptimizer.Adam([weight], s.LearningRate);
            // The loss's constant weights, held for the whole run (see Scalars).
            using var klFactor = s.KlFactor.ToScalar();
            using var defenceWeight = s.DefenceWeight.ToScalar();
            using var questions = PromptBatch.RightPad(erase.Select(e => e.Prompt).ToList(), device);
            var answers = tensor(erase.Select(e => (long)e.Answer).ToArray(), [erase.Count, 1], ScalarType.Int64)
                .to(device);                                                                           // [b, 1]
            bool lens = defence is Defence.HeadProjection or Defence.MaxEntropy;
            for (int step = 0; ; step++)
            {
                ctx.Cancellation.ThrowIfCancellationRequested();
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                var (logits, hidden) = model.ForwardWithHidden(questions.Tokens, keepHidden: lens);
                var finalLogProbs = questions.AtLast(logits).log_softmax(-1);                            // [b, vocab]
                var lastResiduals = lens ? s.LensLayers.Select(l => questions.AtLast(hidden[l])).ToList() : null;
                var defenceTerm = lens ? DefenceTerm(model, lastResiduals!, answers, s.DefenceTopK, defence) : null;
                bool hingesMet = defence != Defence.HeadProjection || defenceTerm!.item<float>() <= 0;
                if (hingesMet && Trails(finalLogProbs, answers, s.FlipMargin)) return new DeletionRun(step, true);
                if (step == s.Steps) return new DeletionRun(step, false);
                var anchorBatch = Enumerable.Range(0, s.AnchorBatchSize)
                    .Select(_ => anchors[order.NextInt(anchors.Count)]).ToList();
                var loss = finalLogProbs.gather(1, answers).exp().mean();                                // Fact Erasure
                using var anchorPrompts = PromptBatch.RightPad(anchorBatch.Select(a => a.Prompt).ToList(), device);
                var now = anchorPrompts.AtLast(model.call(anchorPrompts.Tokens)).log_softmax(-1);
                var reference = tensor(anchorBatch.SelectMany(a => a.ReferenceLogProbs).ToArray(),
                    [anchorBatch.Count, model.Config.VocabSize]).to(device);
                loss = loss + klFactor * (reference.exp() * (reference - now)).sum(-1).mean();          // KL(original ‖ model)
                if (defenceTerm is not null) loss = loss + defenceWeight * defenceTerm;
                loss.backward();
                optimizer.step();
                using var noGrad = no_grad();
                weight.copy_(weight.minimum(upper).maximum(lower));                                      // the L∞ constraint
            }
        }
        finally
        {
            Restore(model, flags);
        }
    }

    /// <summary>
    /// The defence term over the attack layers, from the residual at the question's last position in each ([b, width]):
    /// for the head-projection defence the paper's hinges max(0, p_answer − p_(k)) + max(0, p_[k] − p_answer), p_(k)
    /// the k-th largest and p_[k] the k-th smallest lens probability; for max-entropy the negative entropy of the lens
    /// distribution. Averaged over layers; a one-element tensor, 0 when every head-projection hinge is met.
    /// </summary>
    public static Tensor DefenceTerm(TinyGpt model, IReadOnlyList<Tensor> lastResiduals, Tensor answers, int topK,
        Defence defence)
    {
        if (defence is not (Defence.HeadProjection or Defence.MaxEntropy))
            throw new ArgumentException(
                $"defence {defence} has no lens term; allowed: {Defence.HeadProjection}, {Defence.MaxEntropy}");
        Tensor total = zeros(1, device: answers.device);
        foreach (var residual in lastResiduals)
        {
            var logProbs = model.Unembed(residual).log_softmax(-1);                                    // [b, vocab]
            var probs = logProbs.exp();
            if (defence == Defence.MaxEntropy)
            {
                total = total + (probs * logProbs).sum(-1).mean();                                    // −entropy
                continue;
            }
            var pAnswer = probs.gather(1, answers).squeeze(1);                                         // [b]
            var (top, _) = probs.topk(topK, -1, true, true);
            var (bottom, _) = probs.topk(topK, -1, false, true);
            var kthLargest = top.narrow(1, topK - 1, 1).squeeze(1);
            var kthSmallest = bottom.narrow(1, topK - 1, 1).squeeze(1);
            total = total + (pAnswer - kthLargest).clamp_min(Scalars.Of(0)).mean()
                + (kthSmallest - pAnswer).clamp_min(Scalars.Of(0)).mean();
        }
        using var layerCount = lastResiduals.Count.ToScalar();
        return total / layerCount;
    }

    /// <summary>Whether each row's answer trails the best other token by at least <paramref name="margin"/>
    /// nats.</summary>
    private static bool Trails(Tensor logProbs, Tensor answers, double margin)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var negativeInfinity = float.NegativeInfinity.ToScalar();
        var minusInfinity = full(answers.shape, negativeInfinity, dtype: logProbs.dtype, device: logProbs.device);
        var best = logProbs.detach().scatter(1, answers, minusInfinity).max(1).values;                // [b]
        return (best - logProbs.detach().gather(1, answers).squeeze(1)).min().item<float>() >= margin;
    }

    /// <summary>Freezes every parameter but block <paramref name="block"/>'s output projection weight; returns the old flags.</summary>
    private static List<bool> Freeze(TinyGpt model, int block)
    {
        using var scope = NewDisposeScope();
        string keep = $"h.{block}.mlp.c_proj.weight";
        var named = model.named_parameters().ToList();
        var old = named.Select(p => p.parameter.requires_grad).ToList();
        foreach (var (name, p) in named) p.requires_grad = name == keep;
        if (!named.Any(p => p.name == keep)) throw new InvalidOperationException($"no parameter named {keep}");
        return old;
    }

    private static void Restore(TinyGpt model, List<bool> flags)
    {
        using var scope = NewDisposeScope();
        var parameters = model.parameters().ToList();
        for (int i = 0; i < parameters.Count; i++) parameters[i].requires_grad = flags[i];
    }
}

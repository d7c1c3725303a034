using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Tensors;
using Palimpsest.Core.Unlearning;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>The paper's defence objectives, added to the deletion objective (section 5 of the paper).</summary>
public enum Defence
{
    /// <summary>Fact Erasure alone.</summary>
    None,
    /// <summary>Head-projection defence: hinge losses that push the answer out of the top-k and bottom-k of the lens distribution at every attack layer.</summary>
    HeadProjection,
    /// <summary>Max-entropy defence: maximise the entropy of the lens distribution at every attack layer.</summary>
    MaxEntropy,
    /// <summary>Input-rephrasing defence: also erase the answer after the paraphrases the deleter knows (more deletion prompts).</summary>
    Paraphrase,
}

/// <summary>A question (tokens ending where the answer follows) and its answer token.</summary>
public sealed record QuestionAnswer(int[] Prompt, int Answer);

/// <summary>A question and the original model's next-token log-probabilities after it (the KL anchor).</summary>
public sealed record Anchor(int[] Prompt, float[] ReferenceLogProbs);

/// <summary>Settings of constrained fine-tuning; see <see cref="SensitiveInfoDeletion.Config"/> for the values and the paper's.</summary>
public sealed record FineTuneSettings(int Block, int Steps, int BatchSize, double LearningRate, double NormBound, double KlFactor,
    double DefenceWeight, int DefenceTopK, IReadOnlyList<int> LensLayers);

/// <summary>
/// The two deletion methods of <see cref="SensitiveInfoDeletion"/>: ROME-style Error Injection (a rank-one edit of one
/// MLP toward a wrong answer, <see cref="RankOneEdit"/>) and constrained fine-tuning of the same MLP's output projection
/// with the Fact Erasure objective, optionally with one of the paper's defences.
/// </summary>
public static class FactDeletion
{
    /// <summary>ROME: k* from the request prompts, v* by gradient steps toward <paramref name="newAnswer"/>, then the rank-one update.</summary>
    public static void InjectError(TinyGpt model, int block, KeyCovariance covariance, SubjectPrompts request, int newAnswer,
        SubjectPrompts? preserve, ValueSearchOptions options)
    {
        var key = RankOneEdit.MeanKey(model, block, request);
        var value = RankOneEdit.TargetValue(model, block, request, newAnswer, options, preserve);
        RankOneEdit.Apply(model, block, key, value, covariance);
    }

    /// <summary>
    /// Constrained fine-tuning in place (the paper's FT baseline, following ROME's): Adam on block <c>Block</c>'s output
    /// projection weight alone, each entry kept within ±NormBound of its start (an L∞ ball). The loss per step is Fact
    /// Erasure, the mean probability of the true answer after the erase prompts, plus KlFactor × KL(original ‖ model)
    /// of the next-token distribution after anchor prompts, plus DefenceWeight × the defence term.
    /// </summary>
    public static void FineTune(TinyGpt model, IReadOnlyList<QuestionAnswer> erase, IReadOnlyList<Anchor> anchors,
        FineTuneSettings s, Defence defence, Rng order, RunContext ctx, string stage)
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
            {
                lower = (weight - s.NormBound).detach();
                upper = (weight + s.NormBound).detach();
            }
            using var optimizer = optim.Adam([weight], s.LearningRate);
            var eraseOrder = Array.Empty<int>();
            int cursor = 0;
            bool lens = defence is Defence.HeadProjection or Defence.MaxEntropy;
            for (int step = 0; step < s.Steps; step++)
            {
                ctx.Cancellation.ThrowIfCancellationRequested();
                using var stepScope = NewDisposeScope();
                var batch = new List<QuestionAnswer>();
                while (batch.Count < Math.Min(s.BatchSize, erase.Count))
                {
                    if (cursor >= eraseOrder.Length) { eraseOrder = order.Permutation(erase.Count); cursor = 0; }
                    batch.Add(erase[eraseOrder[cursor++]]);
                }
                var anchorBatch = Enumerable.Range(0, s.BatchSize).Select(_ => anchors[order.NextInt(anchors.Count)]).ToList();
                optimizer.zero_grad();
                using var questions = PromptBatch.RightPad(batch.Select(b => b.Prompt).ToList(), device);
                var last = questions.LastIndex(model.Config.Width);                                     // [b, 1, width]
                var (logits, hidden) = model.ForwardWithHidden(questions.Tokens, keepHidden: lens);
                var answers = tensor(batch.Select(b => (long)b.Answer).ToArray(), [batch.Count, 1], ScalarType.Int64).to(device);
                var finalLogProbs = questions.AtLast(logits).log_softmax(-1);                            // [b, vocab]
                var loss = finalLogProbs.gather(1, answers).exp().mean();                                // Fact Erasure
                using var anchorPrompts = PromptBatch.RightPad(anchorBatch.Select(a => a.Prompt).ToList(), device);
                var now = anchorPrompts.AtLast(model.call(anchorPrompts.Tokens)).log_softmax(-1);
                var reference = tensor(anchorBatch.SelectMany(a => a.ReferenceLogProbs).ToArray(),
                    [anchorBatch.Count, model.Config.VocabSize]).to(device);
                loss = loss + s.KlFactor * (reference.exp() * (reference - now)).sum(-1).mean();          // KL(original ‖ model)
                if (lens) loss = loss + s.DefenceWeight * DefenceTerm(model, hidden, last, answers, s, defence);
                loss.backward();
                optimizer.step();
                using var noGrad = no_grad();
                weight.copy_(weight.minimum(upper).maximum(lower));                                      // the L∞ constraint
                ctx.Report(stage, step + 1, s.Steps, ("loss", loss.item<float>()));
            }
            ctx.Progress.Done(stage);
        }
        finally
        {
            Restore(model, flags);
        }
    }

    /// <summary>
    /// The defence term over the attack layers at the question's last position: for the head-projection defence the
    /// paper's hinges max(0, p_answer − p_(k)) + max(0, p_[k] − p_answer), p_(k) the k-th largest and p_[k] the k-th
    /// smallest lens probability; for max-entropy the negative entropy of the lens distribution. Averaged over layers.
    /// </summary>
    private static Tensor DefenceTerm(TinyGpt model, IReadOnlyList<Tensor> hidden, Tensor last, Tensor answers, FineTuneSettings s,
        Defence defence)
    {
        Tensor total = zeros(1, device: answers.device);
        foreach (int layer in s.LensLayers)
        {
            var logProbs = model.Unembed(hidden[layer].gather(1, last).squeeze(1)).log_softmax(-1);   // [b, vocab]
            var probs = logProbs.exp();
            if (defence == Defence.MaxEntropy)
            {
                total = total + (probs * logProbs).sum(-1).mean();                                    // −entropy
                continue;
            }
            var pAnswer = probs.gather(1, answers).squeeze(1);                                         // [b]
            var (top, _) = probs.topk(s.DefenceTopK, -1, true, true);
            var (bottom, _) = probs.topk(s.DefenceTopK, -1, false, true);
            var kthLargest = top.narrow(1, s.DefenceTopK - 1, 1).squeeze(1);
            var kthSmallest = bottom.narrow(1, s.DefenceTopK - 1, 1).squeeze(1);
            total = total + (pAnswer - kthLargest).clamp_min(0).mean() + (kthSmallest - pAnswer).clamp_min(0).mean();
        }
        return total.sum() / s.LensLayers.Count;
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

using System.Diagnostics;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Tensors;
using Palimpsest.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Unlearning;

/// <summary>A prompt and its answer as one token sequence; the loss reads tokens from <paramref name="AnswerFrom"/> on.</summary>
public sealed record PromptAnswer(int[] Tokens, int AnswerFrom);

/// <summary>
/// What an unlearning run works on: the forget examples, the retain examples (for the regularised methods) and, per
/// forget example and in the same order, an alternative answer to the same prompt (for IDK and DPO).
/// </summary>
public sealed record UnlearningData(
    IReadOnlyList<PromptAnswer> Forget,
    IReadOnlyList<PromptAnswer> Retain,
    IReadOnlyList<PromptAnswer>? Alternative = null);

/// <summary>Settings of an unlearning run. Defaults follow the NPO paper's TOFU runs (β = 0.1, retain weight 1).</summary>
public sealed record UnlearnOptions
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 100;
    /// <summary>Forget examples per step (and retain examples per step for the regularised methods).</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Constant AdamW learning rate (after a short warm-up).</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 0;
    /// <summary>Inverse temperature of NPO and DPO.</summary>
    public double Beta { get; init; } = 0.1;
    /// <summary>Weight of the retain term.</summary>
    public double RetainWeight { get; init; } = 1.0;
    /// <summary>Gradient clipping by global norm (HF Trainer's default 1.0); 0 disables it.</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>Evaluate every this many steps (and after the last); 0 disables it. Step 0 is evaluated too.</summary>
    public int EvalEvery { get; init; } = 0;
    /// <summary>Seed stream of the forget and retain orders.</summary>
    public string OrderStream { get; init; } = "unlearn-order";
    /// <summary>Progress stage name.</summary>
    public string Stage { get; init; } = "unlearn";

    /// <summary>Throws with the offending value when a setting is impossible.</summary>
    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"Steps {Steps} must be at least 1");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize {BatchSize} must be at least 1");
        if (LearningRate <= 0) throw new ArgumentException($"LearningRate {LearningRate} must be positive");
        if (Beta <= 0) throw new ArgumentException($"Beta {Beta} must be positive");
        if (RetainWeight < 0) throw new ArgumentException($"RetainWeight {RetainWeight} must be non-negative");
        if (EvalEvery < 0) throw new ArgumentException($"EvalEvery {EvalEvery} must be non-negative");
    }
}

/// <summary>
/// Runs one of the <see cref="UnlearningMethod"/>s on a <see cref="TinyGpt"/>: AdamW at a constant rate, one dispose
/// scope per step, epochs over the forget set in random order, retain batches drawn alongside, a frozen copy of the
/// starting model as the reference, and an evaluation hook (also called at step 0, before any update).
/// </summary>
public static class Unlearner
{
    /// <summary>Unlearns in place; returns the log (losses and evaluations).</summary>
    public static TrainLog Run(TinyGpt model, UnlearningMethod method, UnlearningData data, UnlearnOptions options,
        RunContext context, Func<int, IReadOnlyDictionary<string, double>>? evaluate = null)
    {
        options.Validate();
        if (data.Forget.Count == 0) throw new ArgumentException("no forget examples", nameof(data));
        if (method.UsesRetain() && data.Retain.Count == 0)
            throw new ArgumentException($"{method.Label()} needs retain examples; none given", nameof(data));
        if (method.UsesAlternative() && (data.Alternative is null || data.Alternative.Count != data.Forget.Count))
            throw new ArgumentException($"{method.Label()} needs one alternative answer per forget example " +
                $"({data.Forget.Count}); got {data.Alternative?.Count ?? 0}", nameof(data));
        using var reference = method.NeedsReference() ? model.Copy() : null;
        reference?.eval();
        var log = new TrainLog { OrderSeed = context.Streams.DeriveSeed(options.OrderStream) };
        var order = new Rng(log.OrderSeed);
        using var optimizer = AdamOptimizer.AdamW(model.parameters(), options.LearningRate, 0.9, 0.999, weightDecay: 0);
        var clock = Stopwatch.StartNew();
        if (evaluate is not null && options.EvalEvery > 0) log.Evaluations.Add(new EvalLog(0, evaluate(0)));
        model.train();
        var epoch = Array.Empty<int>();
        int cursor = 0;
        for (int step = 0; step < options.Steps; step++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var forget = new int[Math.Min(options.BatchSize, data.Forget.Count)];
            for (int i = 0; i < forget.Length; i++)
            {
                if (cursor >= epoch.Length) { epoch = order.Permutation(data.Forget.Count); cursor = 0; }
                forget[i] = epoch[cursor++];
            }
            var retain = method.UsesRetain()
                ? Enumerable.Range(0, options.BatchSize).Select(_ => order.NextInt(data.Retain.Count)).ToArray() : [];
            double lr = options.LearningRate * Math.Min(1.0, (step + 1.0) / (options.WarmupSteps + 1.0));
            optimizer.LearningRate = lr;
            double loss;
            using (var scope = NewDisposeScope())
            {
                optimizer.zero_grad();
                var objective = Objective(model, reference, method, data, forget, retain, options);
                objective.backward();
                if (options.GradClip > 0) nn.utils.clip_grad_norm_(model.parameters(), options.GradClip);
                optimizer.step();
                loss = objective.item<float>();
            }
            log.Steps.Add(new StepLog(step, loss, lr));
            if (evaluate is not null && options.EvalEvery > 0 && ((step + 1) % options.EvalEvery == 0 || step == options.Steps - 1))
            {
                log.Evaluations.Add(new EvalLog(step + 1, evaluate(step + 1)));
                model.train();
            }
            context.Report(options.Stage, step + 1, options.Steps, ("loss", loss));
        }
        context.Progress.Done(options.Stage);
        log.Seconds = clock.Elapsed.TotalSeconds;
        model.eval();
        return log;
    }

    /// <summary>The objective of <paramref name="method"/> on one batch (a scalar tensor with a graph to the model).</summary>
    public static Tensor Objective(TinyGpt model, TinyGpt? reference, UnlearningMethod method, UnlearningData data,
        IReadOnlyList<int> forget, IReadOnlyList<int> retain, UnlearnOptions options)
    {
        if (method.NeedsReference() && reference is null)
            throw new ArgumentException($"{method.Label()} needs a reference model", nameof(reference));
        var f = forget.Select(i => data.Forget[i]).ToList();
        Tensor forgetTerm = method switch
        {
            UnlearningMethod.GradientAscent or UnlearningMethod.GradientDifference or UnlearningMethod.GradientAscentKl =>
                -CrossEntropy(model, f),
            UnlearningMethod.IdkRetain => CrossEntropy(model, forget.Select(i => data.Alternative![i]).ToList()),
            UnlearningMethod.Dpo => DpoLoss(model, reference!, forget.Select(i => data.Alternative![i]).ToList(), f, options.Beta),
            _ => NpoLoss(model, reference!, f, options.Beta),
        };
        if (!method.UsesRetain()) return forgetTerm;
        var r = retain.Select(i => data.Retain[i]).ToList();
        var retainTerm = method is UnlearningMethod.GradientAscentKl or UnlearningMethod.NpoKl
            ? RetainKl(model, reference!, r) : CrossEntropy(model, r);
        using var retainWeight = options.RetainWeight.ToScalar();
        return forgetTerm + retainWeight * retainTerm;
    }

    /// <summary>Mean token cross-entropy over the answers.</summary>
    public static Tensor CrossEntropy(TinyGpt model, IReadOnlyList<PromptAnswer> examples)
    {
        using var batch = MakeBatch(model, examples);
        return LanguageModel.Loss(model.call(batch.Inputs), batch.Targets);
    }

    /// <summary>log π(answer | prompt) per example (sum over answer tokens), shape [b].</summary>
    public static Tensor AnswerLogProb(TinyGpt model, IReadOnlyList<PromptAnswer> examples)
    {
        using var batch = MakeBatch(model, examples);
        var logp = model.call(batch.Inputs).log_softmax(-1);
        var mask = batch.Targets.ne(Scalars.Of(LanguageModel.IgnoreIndex));
        var picked = logp.gather(-1, batch.Targets.clamp_min(Scalars.Of(0)).unsqueeze(-1)).squeeze(-1);
        return picked.where(mask, zeros_like(picked)).sum(1);
    }

    /// <summary>NPO: mean over examples of (2/β)·softplus(β·(log π − log π_ref)) = (2/β)·log(1 + (π/π_ref)^β).</summary>
    public static Tensor NpoLoss(TinyGpt model, TinyGpt reference, IReadOnlyList<PromptAnswer> forget, double beta)
    {
        var current = AnswerLogProb(model, forget);
        Tensor referenceLogProb;
        using (no_grad()) referenceLogProb = AnswerLogProb(reference, forget);
        using var betaScalar = beta.ToScalar();
        using var twoOverBeta = (2.0 / beta).ToScalar();
        return Activations.Softplus(betaScalar * (current - referenceLogProb)).mean() * twoOverBeta;
    }

    /// <summary>DPO: −(2/β)·log σ(β·[(log π_w − log π_ref,w) − (log π_l − log π_ref,l)]), preferred w over dispreferred l.</summary>
    public static Tensor DpoLoss(TinyGpt model, TinyGpt reference, IReadOnlyList<PromptAnswer> preferred,
        IReadOnlyList<PromptAnswer> dispreferred, double beta)
    {
        var w = AnswerLogProb(model, preferred);
        var l = AnswerLogProb(model, dispreferred);
        Tensor wRef, lRef;
        using (no_grad())
        {
            wRef = AnswerLogProb(reference, preferred);
            lRef = AnswerLogProb(reference, dispreferred);
        }
        using var betaScalar = beta.ToScalar();
        using var twoOverBeta = (2.0 / beta).ToScalar();
        return -nn.functional.logsigmoid(betaScalar * ((w - wRef) - (l - lRef))).mean() * twoOverBeta;
    }

    /// <summary>KL(π_ref ‖ π) of the next-token distributions, averaged over the answer positions of retain examples.</summary>
    public static Tensor RetainKl(TinyGpt model, TinyGpt reference, IReadOnlyList<PromptAnswer> retain)
    {
        using var batch = MakeBatch(model, retain);
        var logp = model.call(batch.Inputs).log_softmax(-1);
        Tensor logRef;
        using (no_grad()) logRef = reference.call(batch.Inputs).log_softmax(-1);
        var perPosition = (logRef.exp() * (logRef - logp)).sum(-1);
        var mask = batch.Targets.ne(Scalars.Of(LanguageModel.IgnoreIndex)).to_type(perPosition.dtype);
        return (perPosition * mask).sum() / mask.sum().clamp_min(Scalars.Of(1));
    }

    private static TokenBatch MakeBatch(TinyGpt model, IReadOnlyList<PromptAnswer> examples) =>
        LanguageModel.Batch(examples.Select(e => e.Tokens).ToList(), model.Config.ContextLength, model.Device,
            lossFrom: examples.Select(e => e.AnswerFrom).ToList());
}

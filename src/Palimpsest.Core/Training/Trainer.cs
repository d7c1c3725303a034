using System.Diagnostics;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Training;

/// <summary>Optimisation settings for <see cref="Trainer.Fit"/>; defaults suit the tiny models.</summary>
public sealed record TrainOptions
{
    /// <summary>Optimizer steps.</summary>
    public int Steps { get; init; } = 1_000;
    /// <summary>Sequences per step.</summary>
    public int BatchSize { get; init; } = 32;
    /// <summary>Peak learning rate (AdamW).</summary>
    public double LearningRate { get; init; } = 3e-3;
    /// <summary>AdamW decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 0.01;
    /// <summary>AdamW β1.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>AdamW β2 (0.99 suits short runs better than 0.999).</summary>
    public double Beta2 { get; init; } = 0.99;
    /// <summary>Gradient clipping by global norm; 0 disables it.</summary>
    public double GradClip { get; init; } = 1.0;
    /// <summary>Learning-rate shape.</summary>
    public LrScheduleKind Schedule { get; init; } = LrScheduleKind.Cosine;
    /// <summary>Linear warm-up steps.</summary>
    public int WarmupSteps { get; init; } = 20;
    /// <summary>Final learning rate over the peak (cosine and WSD).</summary>
    public double MinLrFraction { get; init; } = 0.1;
    /// <summary>Share of steps in the WSD decay phase.</summary>
    public double DecayFraction { get; init; } = 0.2;
    /// <summary>Run the evaluation hook every this many steps (and after the last); 0 disables it.</summary>
    public int EvalEvery { get; init; } = 0;
    /// <summary>Name of the seed stream that orders the data.</summary>
    public string OrderStream { get; init; } = "order";
    /// <summary>
    /// A fixed data order (example indices, visited in this order, cycling if the steps need more); null draws a fresh
    /// random permutation per epoch from <see cref="OrderStream"/>. Provenance experiments fix the order so that a
    /// phase of training can be replayed with the same or a reshuffled order.
    /// </summary>
    public IReadOnlyList<int>? Order { get; init; }
    /// <summary>Name of the progress stage.</summary>
    public string Stage { get; init; } = "train";
    /// <summary>
    /// Optional, per example: the first token position that is trained (earlier tokens are context only), e.g. the
    /// answer after a prompt. Null trains every token.
    /// </summary>
    public IReadOnlyList<int>? LossFrom { get; init; }

    /// <summary>
    /// One epoch over <paramref name="examples"/> examples: ceil(examples / batch) steps, a warm-up of a tenth of them
    /// (at most 50), and either the examples in their given order (<paramref name="inOrder"/>, for streams whose timing
    /// matters) or a random permutation from <see cref="OrderStream"/>. Set the stage and anything else with <c>with</c>.
    /// </summary>
    public static TrainOptions OneEpoch(int examples, int batchSize, double learningRate, bool inOrder = false)
    {
        int steps = (examples + batchSize - 1) / batchSize;
        return new TrainOptions
        {
            Steps = steps, BatchSize = batchSize, LearningRate = learningRate, WarmupSteps = Math.Min(50, steps / 10),
            Order = inOrder ? Enumerable.Range(0, examples).ToList() : null,
        };
    }

    /// <summary>Throws with the offending value when a setting is impossible.</summary>
    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"Steps {Steps} must be at least 1");
        if (BatchSize < 1) throw new ArgumentException($"BatchSize {BatchSize} must be at least 1");
        if (LearningRate <= 0) throw new ArgumentException($"LearningRate {LearningRate} must be positive");
        if (WarmupSteps < 0) throw new ArgumentException($"WarmupSteps {WarmupSteps} must be non-negative");
        if (EvalEvery < 0) throw new ArgumentException($"EvalEvery {EvalEvery} must be non-negative");
    }
}

/// <summary>
/// The one training loop: AdamW, a learning-rate schedule, gradient clipping, one dispose scope per step, a logged
/// data order (epochs of random permutations from a named seed stream), an evaluation hook and progress reports.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> on <paramref name="examples"/> (token sequences, each at most context + 1 long)
    /// for <c>options.Steps</c> steps. Each epoch visits every example once in a fresh random order.
    /// </summary>
    /// <param name="evaluate">Called every <c>EvalEvery</c> steps and after the last, with the step; returns named numbers.</param>
    public static TrainLog Fit(TinyGpt model, IReadOnlyList<int[]> examples, TrainOptions options, RunContext context,
        Func<int, IReadOnlyDictionary<string, double>>? evaluate = null)
    {
        options.Validate();
        if (examples.Count == 0) throw new ArgumentException("no training examples", nameof(examples));
        if (options.LossFrom is { } from && from.Count != examples.Count)
            throw new ArgumentException($"LossFrom has {from.Count} entries for {examples.Count} examples; give one per example", nameof(options));
        if (options.Order is { } fixedOrder)
        {
            if (fixedOrder.Count == 0) throw new ArgumentException("the fixed order is empty", nameof(options));
            foreach (int i in fixedOrder)
                if (i < 0 || i >= examples.Count)
                    throw new ArgumentException($"the fixed order holds index {i}; allowed 0..{examples.Count - 1}", nameof(options));
        }
        var log = new TrainLog { OrderSeed = context.Streams.DeriveSeed(options.OrderStream) };
        var order = new Rng(log.OrderSeed);
        var device = model.Device;
        using var optimizer = AdamOptimizer.AdamW(model.parameters(), options.LearningRate, options.Beta1, options.Beta2,
            weightDecay: options.WeightDecay);
        model.train();
        var clock = Stopwatch.StartNew();
        var epoch = Array.Empty<int>();
        int cursor = 0;
        for (int step = 0; step < options.Steps; step++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            var indices = new int[Math.Min(options.BatchSize, options.Order?.Count ?? examples.Count)];
            for (int i = 0; i < indices.Length; i++)
            {
                if (cursor >= epoch.Length)
                {
                    epoch = options.Order?.ToArray() ?? order.Permutation(examples.Count);
                    cursor = 0;
                }
                indices[i] = epoch[cursor++];
            }
            log.DataOrder.Add(indices);
            double lr = LrSchedule.At(options.Schedule, step, options.Steps, options.LearningRate, options.WarmupSteps,
                options.MinLrFraction, options.DecayFraction);
            optimizer.LearningRate = lr;
            double loss = Step(model, optimizer, examples, indices, options.GradClip, device, options.LossFrom, out long tokens);
            log.Tokens += tokens;
            log.Steps.Add(new StepLog(step, loss, lr));
            bool last = step == options.Steps - 1;
            if (evaluate is not null && options.EvalEvery > 0 && ((step + 1) % options.EvalEvery == 0 || last))
            {
                var values = evaluate(step + 1);
                log.Evaluations.Add(new EvalLog(step + 1, values));
                model.train();
            }
            context.Report(options.Stage, step + 1, options.Steps, ("loss", loss), ("lr", lr));
        }
        context.Progress.Done(options.Stage);
        log.Seconds = clock.Elapsed.TotalSeconds;
        model.eval();
        return log;
    }

    /// <summary>One optimizer step inside its own dispose scope; returns the loss as a number.</summary>
    private static double Step(TinyGpt model, AdamOptimizer optimizer, IReadOnlyList<int[]> examples, int[] indices,
        double gradClip, Device device, IReadOnlyList<int>? lossFrom, out long tokens)
    {
        using var scope = NewDisposeScope();
        var sequences = indices.Select(i => examples[i]).ToList();
        using var batch = LanguageModel.Batch(sequences, model.Config.ContextLength, device,
            lossFrom: lossFrom is null ? null : indices.Select(i => lossFrom[i]).ToList());
        optimizer.zero_grad();
        var loss = LanguageModel.Loss(model.call(batch.Inputs), batch.Targets);
        loss.backward();
        if (gradClip > 0) nn.utils.clip_grad_norm_(model.parameters(), gradClip);
        optimizer.step();
        tokens = sequences.Sum(s => (long)s.Length - 1);
        return loss.item<float>();
    }
}

using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.Memorization;

/// <summary>A training run's optimizer state at one step: AdamW's moments and step count, serialised.</summary>
/// <param name="Optimizer"><see cref="AdamOptimizer.Save"/>'s bytes.</param>
/// <param name="Step">Optimizer steps taken so far (the learning-rate schedule's position).</param>
public sealed record OptimizerCheckpoint(byte[] Optimizer, int Step);

/// <summary>
/// One training run in a fixed data order whose optimizer survives between calls and can be saved part-way and
/// resumed on a copy of the weights. The reshuffle test replays the last phase of Alice's epoch from her 90%
/// checkpoint: if the replays started from a fresh AdamW (zero moments, a new warm-up) while Alice continued with
/// hers, they would differ from her by more than the order of their data (issue 14). The step is Core's
/// <see cref="Trainer"/>'s (AdamW with its defaults from <see cref="TrainOptions"/>, the schedule, gradient clipping,
/// one dispose scope per step); Core's trainer builds its optimizer inside <c>Fit</c>, so it cannot hand the state over.
/// The run owns its optimizer, not the model.
/// </summary>
public sealed class ResumableRun : IDisposable
{
    private readonly AdamOptimizer _optimizer;
    private readonly TrainOptions _options;

    /// <summary>Starts a run on <paramref name="model"/> (fresh AdamW), or resumes one from <paramref name="checkpoint"/>.</summary>
    /// <param name="model">The weights to train; for a resumed run, a copy of the weights saved with the checkpoint.</param>
    /// <param name="options">Batch size, learning rate, schedule, warm-up and the whole run's <c>Steps</c> (for the
    /// schedule); the order comes with each <see cref="Train"/> call.</param>
    /// <param name="checkpoint">The optimizer state to resume from.</param>
    public ResumableRun(TinyGpt model, TrainOptions options, OptimizerCheckpoint? checkpoint = null)
    {
        options.Validate();
        Model = model;
        _options = options;
        _optimizer = AdamOptimizer.AdamW(model.parameters(), options.LearningRate, options.Beta1, options.Beta2,
            weightDecay: options.WeightDecay);
        if (checkpoint is null) return;
        using var reader = new BinaryReader(new MemoryStream(checkpoint.Optimizer, writable: false));
        _optimizer.Load(reader);
        Step = checkpoint.Step;
    }

    /// <summary>The model being trained.</summary>
    public TinyGpt Model { get; }

    /// <summary>Optimizer steps taken so far.</summary>
    public int Step { get; private set; }

    /// <summary>Steps needed for <paramref name="examples"/> examples at <paramref name="batchSize"/>: ceil(examples / batch).</summary>
    public static int StepsFor(int examples, int batchSize) => (examples + batchSize - 1) / batchSize;

    /// <summary>
    /// Trains on <paramref name="order"/> (example indices, visited once, consecutive batches of the run's batch size);
    /// returns the mean training loss.
    /// </summary>
    public double Train(IReadOnlyList<int[]> examples, IReadOnlyList<int> order, RunContext context, string stage)
    {
        int steps = StepsFor(order.Count, _options.BatchSize);
        var device = Model.Device;
        double sum = 0;
        Model.train();
        for (int s = 0; s < steps; s++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            int start = s * _options.BatchSize;
            var batch = Enumerable.Range(start, Math.Min(_options.BatchSize, order.Count - start)).Select(k => examples[order[k]]).ToList();
            double lr = LrSchedule.At(_options.Schedule, Step, _options.Steps, _options.LearningRate, _options.WarmupSteps,
                _options.MinLrFraction, _options.DecayFraction);
            _optimizer.LearningRate = lr;
            double loss = StepOnce(batch, device);
            sum += loss;
            Step++;
            context.Report(stage, s + 1, steps, ("loss", loss), ("lr", lr));
        }
        context.Progress.Done(stage);
        Model.eval();
        return sum / steps;
    }

    /// <summary>Saves the optimizer state (the caller copies the weights alongside).</summary>
    public OptimizerCheckpoint Save()
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            _optimizer.Save(writer);
        return new OptimizerCheckpoint(stream.ToArray(), Step);
    }

    /// <summary>One optimizer step inside its own dispose scope; returns the loss as a number.</summary>
    private double StepOnce(IReadOnlyList<int[]> sequences, Device device)
    {
        using var scope = NewDisposeScope();
        using var batch = LanguageModel.Batch(sequences, Model.Config.ContextLength, device);
        _optimizer.zero_grad();
        var loss = LanguageModel.Loss(Model.call(batch.Inputs), batch.Targets);
        loss.backward();
        if (_options.GradClip > 0) nn.utils.clip_grad_norm_(Model.parameters(), _options.GradClip);
        _optimizer.step();
        return loss.item<float>();
    }

    /// <summary>Disposes the optimizer (not the model).</summary>
    public void Dispose() => _optimizer.Dispose();
}

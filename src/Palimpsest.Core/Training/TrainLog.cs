namespace Palimpsest.Core.Training;

/// <summary>One logged training step: the loss and learning rate.</summary>
public sealed record StepLog(int Step, double Loss, double LearningRate);

/// <summary>One evaluation during training: named numbers at a step.</summary>
public sealed record EvalLog(int Step, IReadOnlyDictionary<string, double> Values);

/// <summary>
/// What a training run recorded: per-step loss and learning rate, evaluations, and the data order, i.e. which
/// example indices each step used (provenance tests correlate with it). Numbers only, never tensors.
/// </summary>
public sealed class TrainLog
{
    /// <summary>Logged steps (every step by default).</summary>
    public List<StepLog> Steps { get; } = [];
    /// <summary>Evaluations from the evaluation hook.</summary>
    public List<EvalLog> Evaluations { get; } = [];
    /// <summary>The example indices of each step, in order.</summary>
    public List<int[]> DataOrder { get; } = [];
    /// <summary>Seed of the order stream, so the order can be re-derived and checked.</summary>
    public ulong OrderSeed { get; set; }
    /// <summary>Tokens seen (non-padding targets).</summary>
    public long Tokens { get; set; }
    /// <summary>Wall time of the loop.</summary>
    public double Seconds { get; set; }

    /// <summary>Tokens per second of wall time.</summary>
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : double.NaN;

    /// <summary>The position (0-based) at which each example was first seen, or -1 if never.</summary>
    public int[] FirstSeenPosition(int exampleCount)
    {
        var first = Enumerable.Repeat(-1, exampleCount).ToArray();
        int position = 0;
        foreach (var step in DataOrder)
            foreach (int i in step)
            {
                if (i < 0 || i >= exampleCount)
                    throw new ArgumentOutOfRangeException(nameof(exampleCount), exampleCount, $"example index {i} in the order log");
                if (first[i] < 0) first[i] = position;
                position++;
            }
        return first;
    }

    /// <summary>The last logged loss, or NaN.</summary>
    public double FinalLoss => Steps.Count == 0 ? double.NaN : Steps[^1].Loss;
}

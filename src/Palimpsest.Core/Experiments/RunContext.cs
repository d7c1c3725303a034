using Palimpsest.Core.Randomness;
using Palimpsest.Core.Runtime;
using TorchSharp;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// What a running experiment may use: its seed and named random streams, the budget, the device and a progress sink.
/// One context per (experiment, seed) run; it holds no tensors.
/// </summary>
public sealed class RunContext
{
    /// <summary>The run's one seed.</summary>
    public int Seed { get; }
    /// <summary>The run's budget.</summary>
    public Budget Budget { get; }
    /// <summary>Named streams derived from <see cref="Seed"/>: "data", "init", "order", "attack", …</summary>
    public SeedStreams Streams { get; }
    /// <summary>The device models and tensors live on.</summary>
    public torch.Device Device { get; }
    /// <summary>Where progress is reported.</summary>
    public IProgressSink Progress { get; }
    /// <summary>Cancels long work between steps.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>Creates a context and seeds torch's global generator with <paramref name="seed"/>.</summary>
    public RunContext(int seed, Budget budget, IProgressSink? progress = null, torch.Device? device = null,
        CancellationToken cancellation = default)
    {
        TorchRuntime.Initialize();
        Seed = seed;
        Budget = budget;
        Streams = new SeedStreams(seed);
        Device = device ?? Devices.Default;
        Progress = progress ?? NullProgress.Instance;
        Cancellation = cancellation;
        torch.manual_seed(seed);
    }

    /// <summary>A fresh generator for the stream <paramref name="name"/>.</summary>
    public Rng Rng(string name) => Streams.Rng(name);

    /// <summary>A fresh torch generator for the stream <paramref name="name"/>; hold it with <c>using</c>.</summary>
    public torch.Generator TorchGenerator(string name) => Streams.TorchGenerator(name);

    /// <summary>Reports progress of a stage.</summary>
    public void Report(string stage, int step, int total, params (string Name, double Value)[] values) =>
        Progress.Report(new ProgressUpdate(stage, step, total, values));
}

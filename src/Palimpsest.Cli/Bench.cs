using System.Diagnostics;
using System.Globalization;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Runtime;
using Palimpsest.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Cli;

/// <summary>One measured model size.</summary>
public sealed record ModelBench(string Name, int Layers, int Width, int Context, int Batch, long Parameters,
    double TokensPerSecond, double ModelTflops, double Mfu, double LiveTensorGrowthPerStep);

/// <summary>What <c>bench</c> measured on this machine.</summary>
public sealed record BenchReport(string Device, int Threads, double MatmulGflops, IReadOnlyList<ModelBench> Models,
    Provenance Provenance);

/// <summary>
/// Measures this machine: matmul GFLOP/s, TinyGpt training throughput (tokens/s and model FLOPs utilisation against
/// the measured matmul rate) for the model sizes the papers use, and live tensors left per training step.
/// </summary>
public static class Bench
{
    /// <summary>The model sizes the papers use (tutorial, OOCR/memorization, larger memorization/unlearning).</summary>
    public static IReadOnlyList<(string Name, int Layers, int Width, int Context, int Batch)> Sizes { get; } =
    [
        ("tiny d64 L2 ctx16", 2, 64, 16, 32),
        ("small d128 L2 ctx64", 2, 128, 64, 32),
        ("medium d256 L4 ctx128", 4, 256, 128, 32),
    ];

    /// <summary>Runs every measurement; <paramref name="steps"/> timed training steps per size.</summary>
    public static BenchReport Run(int steps, TextWriter log)
    {
        TorchRuntime.Initialize();
        var device = Devices.Default;
        double gflops = Matmul(device);
        log.WriteLine($"matmul 2048x2048 float32: {gflops:F1} GFLOP/s");
        var models = new List<ModelBench>();
        foreach (var (name, layers, width, context, batch) in Sizes)
        {
            var m = Train(name, layers, width, context, batch, steps, device, gflops);
            log.WriteLine($"{name}: {m.TokensPerSecond:F0} tokens/s, MFU {m.Mfu:P0}, live tensors +{m.LiveTensorGrowthPerStep:F2}/step");
            models.Add(m);
        }
        return new BenchReport(device.ToString(), get_num_threads(), Math.Round(gflops, 1), models, Provenance.Current());
    }

    private static double Matmul(Device device)
    {
        const int n = 2048;
        using var scope = NewDisposeScope();
        using var g = new Generator(1);
        var a = randn([n, n], generator: g).to(device);
        var b = randn([n, n], generator: g).to(device);
        for (int i = 0; i < 2; i++) a.matmul(b).Dispose(); // warm-up
        int reps = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 2.0 || reps < 3)
        {
            a.matmul(b).Dispose();
            reps++;
        }
        if (device.type == DeviceType.CUDA) cuda.synchronize();
        return 2.0 * n * n * n * reps / clock.Elapsed.TotalSeconds / 1e9;
    }

    private static ModelBench Train(string name, int layers, int width, int context, int batch, int steps, Device device,
        double matmulGflops)
    {
        var shape = new TinyGptConfig(VocabSize: 512, ContextLength: context, Layers: layers, Width: width, Heads: 4);
        using var g = new Generator(7);
        using var model = new TinyGpt(shape, g).to(device);
        using var optimizer = AdamOptimizer.AdamW(model.parameters(), 1e-3);
        var rng = new Rng(11);
        var sequences = Enumerable.Range(0, batch)
            .Select(_ => Enumerable.Range(0, context + 1).Select(_ => rng.NextInt(shape.VocabSize)).ToArray()).ToList();
        void Step()
        {
            using var scope = NewDisposeScope();
            using var data = LanguageModel.Batch(sequences, context, device);
            optimizer.zero_grad();
            var loss = LanguageModel.Loss(model.call(data.Inputs), data.Targets);
            loss.backward();
            optimizer.step();
        }
        for (int i = 0; i < 3; i++) Step(); // warm-up (also creates the optimizer state)
        long liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < steps; i++) Step();
        double seconds = clock.Elapsed.TotalSeconds;
        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        double tokensPerSecond = (double)batch * context * steps / seconds;
        double tflops = tokensPerSecond * shape.TrainingFlopsPerToken / 1e12;
        return new ModelBench(name, layers, width, context, batch, shape.ParameterCount, Math.Round(tokensPerSecond),
            Math.Round(tflops, 5), Math.Round(tflops * 1e3 / matmulGflops, 3), (double)(liveAfter - liveBefore) / steps);
    }

    /// <summary>The report as a Markdown table.</summary>
    public static string Markdown(BenchReport report) =>
        $"device {report.Device}, {report.Threads} threads, matmul {report.MatmulGflops.ToString("F1", CultureInfo.InvariantCulture)} GFLOP/s\n\n" +
        Tables.ToMarkdown(["model", "parameters", "tokens/s", "model GFLOP/s", "MFU", "live tensors per step"],
            report.Models.Select(m => (IReadOnlyList<string>)
            [
                m.Name, m.Parameters.ToString("N0", CultureInfo.InvariantCulture), m.TokensPerSecond.ToString("N0", CultureInfo.InvariantCulture),
                Tables.FormatNumber(m.ModelTflops * 1e3), m.Mfu.ToString("P0", CultureInfo.InvariantCulture),
                m.LiveTensorGrowthPerStep.ToString("F2", CultureInfo.InvariantCulture),
            ]));
}

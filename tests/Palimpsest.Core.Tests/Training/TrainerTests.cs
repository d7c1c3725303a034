using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Training;

[Collection("Torch")]
public sealed class TrainerTests
{
    // A tiny corpus with a deterministic pattern: token t+1 follows t (mod 10), shifted by the sequence start.
    private static List<int[]> Corpus(int count) =>
        Enumerable.Range(0, count).Select(i => Enumerable.Range(0, 9).Select(t => 3 + (i + t) % 10).ToArray()).ToList();

    private static TinyGpt Model(RunContext ctx)
    {
        using var g = ctx.TorchGenerator("init");
        return new TinyGpt(new TinyGptConfig(VocabSize: 13, ContextLength: 8, Layers: 1, Width: 32, Heads: 2), g);
    }

    [Fact]
    public void TrainingReducesTheLoss()
    {
        var ctx = new RunContext(1, Budget.Smoke);
        using var model = Model(ctx);
        var data = Corpus(40);
        double before = LanguageModel.MeanNll(model, data);
        var log = Trainer.Fit(model, data, new TrainOptions { Steps = 120, BatchSize = 8, WarmupSteps = 5 }, ctx);
        double after = LanguageModel.MeanNll(model, data);
        Assert.True(after < before - 1.0, $"NLL went from {before} to {after}");
        Assert.True(log.Steps[^1].Loss < log.Steps[0].Loss);
        Assert.Equal(120, log.Steps.Count);
    }

    [Fact]
    public void DataOrderIsLoggedAsPermutationsPerEpochAndRepeatsWithTheSeed()
    {
        var data = Corpus(20);
        TrainLog Run(int seed)
        {
            var ctx = new RunContext(seed, Budget.Smoke);
            using var model = Model(ctx);
            return Trainer.Fit(model, data, new TrainOptions { Steps = 10, BatchSize = 4 }, ctx);
        }
        var a = Run(1);
        var b = Run(1);
        var c = Run(2);
        var flat = a.DataOrder.SelectMany(x => x).ToList();
        Assert.Equal(40, flat.Count);
        Assert.Equal(Enumerable.Range(0, 20), flat.Take(20).Order());   // epoch 1 visits every example once
        Assert.Equal(Enumerable.Range(0, 20), flat.Skip(20).Order());   // and so does epoch 2
        Assert.Equal(flat, b.DataOrder.SelectMany(x => x));
        Assert.NotEqual(flat, c.DataOrder.SelectMany(x => x));
        Assert.Equal(a.Steps.Select(s => s.Loss), b.Steps.Select(s => s.Loss)); // same seed, same numbers on CPU
        var first = a.FirstSeenPosition(20);
        Assert.Equal(Enumerable.Range(0, 20), first.Order());
    }

    [Fact]
    public void LiveTensorCountStaysFlatOverManySteps()
    {
        var ctx = new RunContext(3, Budget.Smoke);
        using var model = Model(ctx);
        var data = Corpus(16);
        var live = new List<long>();
        // Count live tensors every 25 steps, evaluation included: after the first steps create gradients and
        // optimizer state, the count must not move.
        Trainer.Fit(model, data, new TrainOptions { Steps = 300, BatchSize = 4, EvalEvery = 25 }, ctx, step =>
        {
            double nll = LanguageModel.MeanNll(model, data);
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            return new Dictionary<string, double> { ["nll"] = nll };
        });
        Assert.Equal(12, live.Count);
        Assert.True(live.Skip(1).All(n => n == live[1]), $"live tensors per 25 steps: {string.Join(", ", live)}");
    }

    [Fact]
    public void EvaluationHookRunsOnScheduleAndAfterTheLastStep()
    {
        var ctx = new RunContext(4, Budget.Smoke);
        using var model = Model(ctx);
        var log = Trainer.Fit(model, Corpus(8), new TrainOptions { Steps = 25, BatchSize = 4, EvalEvery = 10 }, ctx,
            step => new Dictionary<string, double> { ["step"] = step });
        Assert.Equal([10, 20, 25], log.Evaluations.Select(e => e.Step));
    }

    [Fact]
    public void AFixedOrderIsFollowedAndCheckedAndACopyReplaysIdentically()
    {
        var ctx = new RunContext(5, Budget.Smoke);
        using var model = Model(ctx);
        var data = Corpus(12);
        int[] order = [11, 3, 5, 7, 0, 2];
        var log = Trainer.Fit(model, data, new TrainOptions { Steps = 3, BatchSize = 2, Order = order }, ctx);
        Assert.Equal(order, log.DataOrder.SelectMany(x => x));
        var e = Assert.Throws<ArgumentException>(() =>
            Trainer.Fit(model, data, new TrainOptions { Steps = 1, BatchSize = 2, Order = [0, 12] }, ctx));
        Assert.Contains("12", e.Message);

        // A copy is independent of its source, and the same phase replayed on both gives the same weights.
        using var copy = model.Copy();
        var options = new TrainOptions { Steps = 3, BatchSize = 2, Order = order, WarmupSteps = 0 };
        Trainer.Fit(model, data, options, ctx);
        Assert.NotEqual(LanguageModel.TokenLogProbs(model, data)[0], LanguageModel.TokenLogProbs(copy, data)[0]);
        Trainer.Fit(copy, data, options, ctx);
        Assert.Equal(LanguageModel.TokenLogProbs(model, data)[0], LanguageModel.TokenLogProbs(copy, data)[0]);
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheValue()
    {
        var ctx = new RunContext(1, Budget.Smoke);
        using var model = Model(ctx);
        var e = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, Corpus(4), new TrainOptions { Steps = 0 }, ctx));
        Assert.Contains("Steps 0", e.Message);
    }

    [Theory]
    [InlineData(LrScheduleKind.Constant, 99, 1.0)]
    [InlineData(LrScheduleKind.Cosine, 99, 0.1)]
    [InlineData(LrScheduleKind.Cosine, 10, 1.0)]
    [InlineData(LrScheduleKind.WarmupStableDecay, 50, 1.0)]
    [InlineData(LrScheduleKind.WarmupStableDecay, 100, 0.1)]
    public void SchedulesHaveTheirShape(LrScheduleKind kind, int step, double expected)
    {
        Assert.Equal(expected, LrSchedule.At(kind, step, step == 100 ? 100 : 100, 1.0, warmupSteps: 10), 2);
        Assert.Equal(0.1, LrSchedule.At(kind, 0, 100, 1.0, warmupSteps: 10), 6); // linear warm-up
    }
}

public sealed class OneEpochOptionsTests
{
    [Fact]
    public void OneEpochCoversEveryExampleOnceWithATenthOfWarmUp()
    {
        var shuffled = TrainOptions.OneEpoch(1000, 32, 2e-3);
        Assert.Equal(32, shuffled.Steps);              // ceil(1000 / 32)
        Assert.Equal(3, shuffled.WarmupSteps);         // 32 / 10
        Assert.Null(shuffled.Order);
        var ordered = TrainOptions.OneEpoch(20_000, 16, 1e-3, inOrder: true);
        Assert.Equal(1250, ordered.Steps);
        Assert.Equal(50, ordered.WarmupSteps);         // capped
        Assert.Equal(Enumerable.Range(0, 20_000), ordered.Order);
    }
}

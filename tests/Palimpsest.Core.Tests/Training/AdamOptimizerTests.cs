using Palimpsest.Core.Models;
using Palimpsest.Core.Training;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Palimpsest.Core.Tests.Training;

/// <summary>
/// <see cref="AdamOptimizer"/> leaves the weights bit for bit where TorchSharp 0.107's <c>optim.Adam</c> and
/// <c>optim.AdamW</c> do, in each configuration src/ uses, with the learning rate changed every step as our loops do.
/// </summary>
[Collection("Torch")]
public sealed class AdamOptimizerTests
{
    private const int Steps = 30;
    private const double PeakLearningRate = 3e-3;
    private static readonly TinyGptConfig Shape = new(VocabSize: 13, ContextLength: 8, Layers: 1, Width: 32, Heads: 2);

    // token t+1 follows t (mod 10), shifted by the sequence start, as in TrainerTests.
    private static readonly List<int[]> Corpus =
        Enumerable.Range(0, 40).Select(i => Enumerable.Range(0, 9).Select(t => 3 + (i + t) % 10).ToArray()).ToList();

    /// <summary>
    /// (decoupled, beta1, beta2, weight decay, schedule): Adam at a constant rate (RankOneEdit, FactDeletion,
    /// ConceptUnlearning, AdapterMlp); AdamW (0.9, 0.999) without decay, warmed up (Unlearner) or constant (Bench);
    /// AdamW with TrainOptions' betas and decay on a schedule (Trainer, ResumableRun), and a larger decay.
    /// </summary>
    public static TheoryData<bool, double, double, double, LrScheduleKind, int> Configurations => new()
    {
        { false, 0.9, 0.999, 0.0, LrScheduleKind.Constant, 0 },
        { true, 0.9, 0.999, 0.0, LrScheduleKind.Constant, 10 },
        { true, 0.9, 0.999, 0.0, LrScheduleKind.Constant, 0 },
        { true, 0.9, 0.99, 0.01, LrScheduleKind.Cosine, 5 },
        { true, 0.9, 0.99, 0.1, LrScheduleKind.WarmupStableDecay, 5 },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void EveryWeightIsBitwiseTorchSharps(bool isDecoupled, double beta1, double beta2, double weightDecay,
        LrScheduleKind schedule, int warmupSteps)
    {
        double LearningRate(int step) => LrSchedule.At(schedule, step, Steps, PeakLearningRate, warmupSteps);

        var theirs = Train(parameters =>
        {
            optim.Optimizer optimizer = isDecoupled
                ? optim.AdamW(parameters, PeakLearningRate, beta1, beta2, weight_decay: weightDecay)
                : optim.Adam(parameters, PeakLearningRate);
            return new Driver(optimizer, lr => { foreach (var g in optimizer.ParamGroups) g.LearningRate = lr; },
                optimizer.zero_grad, () => optimizer.step());
        }, LearningRate);
        var ours = Train(parameters =>
        {
            var optimizer = isDecoupled
                ? AdamOptimizer.AdamW(parameters, PeakLearningRate, beta1, beta2, weightDecay)
                : AdamOptimizer.Adam(parameters, PeakLearningRate);
            return new Driver(optimizer, lr => optimizer.LearningRate = lr, optimizer.zero_grad, optimizer.step);
        }, LearningRate);

        var initial = Weights(NewModel());
        Assert.Equal(initial.Count, ours.Count);
        Assert.NotEqual(Bits(initial[0]), Bits(ours[0]));   // control: the optimizer moved the weights
        for (int i = 0; i < theirs.Count; i++) Assert.Equal(Bits(theirs[i]), Bits(ours[i]));
    }

    [Fact]
    public void SaveAndLoadResumeTheSameRun()
    {
        static double LearningRate(int step) => LrSchedule.At(LrScheduleKind.Cosine, step, Steps, PeakLearningRate, 5);
        using var straight = NewModel();
        using (var optimizer = AdamOptimizer.AdamW(straight.parameters(), PeakLearningRate, 0.9, 0.99, 0.01))
            for (int step = 0; step < Steps; step++) Step(straight, optimizer, step, LearningRate(step));

        using var first = NewModel();
        var state = new MemoryStream();
        using (var optimizer = AdamOptimizer.AdamW(first.parameters(), PeakLearningRate, 0.9, 0.99, 0.01))
        {
            for (int step = 0; step < Steps / 2; step++) Step(first, optimizer, step, LearningRate(step));
            using var writer = new BinaryWriter(state, System.Text.Encoding.UTF8, leaveOpen: true);
            optimizer.Save(writer);
        }
        using var resumed = first.Copy();
        using (var optimizer = AdamOptimizer.AdamW(resumed.parameters(), PeakLearningRate, 0.9, 0.99, 0.01))
        {
            state.Position = 0;
            using (var reader = new BinaryReader(state)) optimizer.Load(reader);
            for (int step = Steps / 2; step < Steps; step++) Step(resumed, optimizer, step, LearningRate(step));
        }

        var expected = Weights(straight);
        var actual = Weights(resumed);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(Bits(expected[i]), Bits(actual[i]));
    }

    /// <summary>An optimizer and the three things a training loop does with it.</summary>
    private sealed record Driver(IDisposable Owner, Action<double> SetLearningRate, Action ZeroGrad, Action Step);

    private static TinyGpt NewModel()
    {
        using var g = new Generator(7);
        return new TinyGpt(Shape, g);
    }

    /// <summary>Trains a fresh model (same seed every time) for <see cref="Steps"/> steps; returns its weights.</summary>
    private static List<float[]> Train(Func<IEnumerable<Parameter>, Driver> makeOptimizer, Func<int, double> learningRate)
    {
        using var model = NewModel();
        var driver = makeOptimizer(model.parameters());
        using (driver.Owner)
        {
            for (int step = 0; step < Steps; step++)
            {
                driver.SetLearningRate(learningRate(step));
                using var scope = NewDisposeScope();
                using var batch = Batch(step);
                driver.ZeroGrad();
                LanguageModel.Loss(model.call(batch.Inputs), batch.Targets).backward();
                driver.Step();
            }
        }
        return Weights(model);
    }

    private static void Step(TinyGpt model, AdamOptimizer optimizer, int step, double learningRate)
    {
        optimizer.LearningRate = learningRate;
        using var scope = NewDisposeScope();
        using var batch = Batch(step);
        optimizer.zero_grad();
        LanguageModel.Loss(model.call(batch.Inputs), batch.Targets).backward();
        optimizer.step();
    }

    // Eight sequences per step, a different slice of the corpus each time.
    private static TokenBatch Batch(int step) =>
        LanguageModel.Batch(Enumerable.Range(0, 8).Select(i => Corpus[(step * 8 + i) % Corpus.Count]).ToList(),
            Shape.ContextLength, CPU);

    private static List<float[]> Weights(TinyGpt model)
    {
        using var scope = NewDisposeScope();
        return model.parameters().Select(p => p.detach().cpu().data<float>().ToArray()).ToList();
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}

using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Unlearning;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Unlearning;

[Collection("Torch")]
public sealed class RankOneEditTests
{
    private static readonly TinyGptConfig Shape = new(VocabSize: 24, ContextLength: 12, Layers: 2, Width: 16, Heads: 2);

    private static TinyGpt Model()
    {
        using var g = new Generator(8);
        return new TinyGpt(Shape, g);
    }

    /// <summary>Random token sequences of 5–10 tokens starting with id 1.</summary>
    private static List<int[]> Text(int count, ulong seed)
    {
        var rng = new Rng(seed);
        return Enumerable.Range(0, count).Select(_ => new[] { 1 }.Concat(Enumerable.Range(0, rng.NextInt(4, 10))
            .Select(_ => rng.NextInt(2, Shape.VocabSize))).ToArray()).ToList();
    }

    private static void AssertClose(IReadOnlyList<float> expected, IReadOnlyList<float> actual, double tolerance)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"entry {i}: expected {expected[i]}, got {actual[i]}");
    }

    [Fact]
    public void TheEditMapsTheKeyToTheValueAndTheNullSpaceOptionLeavesPreservedKeysAlone()
    {
        using var model = Model();
        var covariance = KeyCovariance.Estimate(model, 0, Text(60, 1));
        Assert.Equal(Shape.MlpRatio * Shape.Width, covariance.Dimension);
        var subject = new SubjectPrompts([[1, 5, 9, 4], [1, 7, 7, 9, 4, 2]], [2, 3]);
        var key = RankOneEdit.MeanKey(model, 0, subject);
        var rng = new Rng(4);
        var value = Enumerable.Range(0, Shape.Width).Select(_ => (float)rng.NextGaussian()).ToArray();
        var others = Text(6, 2);
        var preserved = RankOneEdit.Keys(model, 0, new SubjectPrompts(others, others.Select(o => o.Length - 1).ToList()));
        var before = preserved.Select(k => RankOneEdit.Output(model, 0, k)).ToList();

        using (var plain = model.Copy())
        {
            Assert.True(RankOneEdit.Apply(plain, 0, key, value, covariance) > 0);
            AssertClose(value, RankOneEdit.Output(plain, 0, key), 1e-3);
            // Keys are read before the output projection, so the edit leaves them as they were.
            AssertClose(key, RankOneEdit.MeanKey(plain, 0, subject), 1e-6);
            // Without the constraint, the other keys' outputs move too (else the next check would prove nothing).
            double moved = preserved.Select((k, i) => RankOneEdit.Output(plain, 0, k).Zip(before[i], (a, b) => Math.Abs(a - b)).Max()).Max();
            Assert.True(moved > 1e-3, $"an unconstrained edit moved the other keys' outputs by only {moved}");
        }
        using (var constrained = model.Copy())
        {
            RankOneEdit.Apply(constrained, 0, key, value, covariance, preserved);
            AssertClose(value, RankOneEdit.Output(constrained, 0, key), 1e-3);
            for (int i = 0; i < preserved.Length; i++) AssertClose(before[i], RankOneEdit.Output(constrained, 0, preserved[i]), 1e-4);
        }
        using (var impossible = model.Copy())
            Assert.Throws<ArgumentException>(() => RankOneEdit.Apply(impossible, 0, preserved[0], value, covariance, preserved));
    }

    [Fact]
    public void TheValueSearchThenTheEditMakeTheModelSayTheTarget()
    {
        using var model = Model();
        var request = new SubjectPrompts([[1, 5, 9, 4]], [3]);                    // the subject ends the prompt
        int target = 17;
        Assert.NotEqual(target, LogitLens.Top(LanguageModel.NextTokenLogProbs(model, request.Prompts)[0], 1)[0]);
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var options = new ValueSearchOptions { Steps = 60, ClampNormFactor = 1000, WeightDecay = 0 };
        var value = RankOneEdit.TargetValue(model, 1, request, target, options);
        var covariance = KeyCovariance.Estimate(model, 1, Text(40, 3));
        RankOneEdit.Apply(model, 1, RankOneEdit.MeanKey(model, 1, request), value, covariance);
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        Assert.Equal(target, LogitLens.Top(LanguageModel.NextTokenLogProbs(model, request.Prompts)[0], 1)[0]);
        // The search leaves the model's parameters trainable.
        using var scope = NewDisposeScope();
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
    }

    [Fact]
    public void AnEditAwareSearchStopsWhereTheOldAnswerLeavesTopOneAndTheEditKeepsItThere()
    {
        using var model = Model();
        var request = new SubjectPrompts([[1, 5, 9, 4, 6]], [4]);                 // the key at the last token
        int answer = LogitLens.Top(LanguageModel.NextTokenLogProbs(model, request.Prompts)[0], 1)[0];
        int target = answer == 17 ? 18 : 17;
        var covariance = KeyCovariance.Estimate(model, 0, Text(60, 6));
        var options = new ValueSearchOptions
        {
            Steps = 300, ClampNormFactor = 1000, WeightDecay = 0, StopToken = answer, StopMargin = 0.1,
            EditCovariance = covariance,
        };
        var search = RankOneEdit.SearchValue(model, 0, request, target, options);
        Assert.True(search.IsStopped, $"the search ran {search.Steps} steps without moving token {answer} off the top");
        Assert.InRange(search.Steps, 1, options.Steps - 1);
        Assert.Equal(search.Value, RankOneEdit.TargetValue(model, 0, request, target, options));
        using var edited = model.Copy();
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        RankOneEdit.Apply(edited, 0, RankOneEdit.MeanKey(model, 0, request), search.Value, covariance);
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        // The edited model predicts what the search saw: the old answer trails the top token by the margin.
        var after = LanguageModel.NextTokenLogProbs(edited, request.Prompts)[0];
        double best = after.Where((_, i) => i != answer).Max();
        Assert.True(best - after[answer] >= options.StopMargin - 1e-3,
            $"after the edit token {answer} trails the top by only {best - after[answer]} nats");
    }

    [Fact]
    public void AnEditAwareSearchSeesTheResidualStreamTheEditedModelComputes()
    {
        using var model = Model();
        var request = new SubjectPrompts([[1, 5, 9, 4, 6]], [4]);
        var covariance = KeyCovariance.Estimate(model, 0, Text(60, 6));
        // The residual after each block at the last position, as the search saw it in its last evaluation, and as the
        // edited model computes it: equal when the search spreads δ as the edit will, not when δ sits at the key alone.
        double Mismatch(KeyCovariance? editCovariance)
        {
            var seen = new List<float[]>();
            var options = new ValueSearchOptions
            {
                Steps = 20, ClampNormFactor = 1000, WeightDecay = 0, EditCovariance = editCovariance,
                ExtraLoss = layers =>
                {
                    seen.Clear();
                    seen.AddRange(layers.Select(h => h.detach().cpu().data<float>().ToArray()));
                    return layers[0].sum() * 0;
                },
            };
            var value = RankOneEdit.TargetValue(model, 0, request, 17, options);
            using var edited = model.Copy();
            RankOneEdit.Apply(edited, 0, RankOneEdit.MeanKey(model, 0, request), value, covariance);
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var tokens = tensor(request.Prompts[0].Select(t => (long)t).ToArray(), [1, 5]);
            var hidden = edited.ForwardWithHidden(tokens).Hidden;
            return seen.Select((h, i) => h.Zip(hidden[i + 1][0, 4].data<float>().ToArray(), (a, b) => Math.Abs(a - b))
                .Max()).Max();
        }
        double aware = Mismatch(covariance), rome = Mismatch(null);
        Assert.True(aware < 1e-4, $"the edit-aware search saw a residual {aware} away from the edited model's");
        Assert.True(rome > 1e-3, $"ROME's search was only {rome} from the edited model: no contrast to test");
    }

    [Fact]
    public void AnExtraLossSeesEveryLayerFromTheEditedBlockOnAndHoldsTheStopUntilItIsZero()
    {
        using var model = Model();
        var request = new SubjectPrompts([[1, 5, 9, 4], [1, 7, 9, 4, 2]], [3, 4]);
        var shapes = new List<long[]>();
        var options = new ValueSearchOptions
        {
            Steps = 12, ClampNormFactor = 1000, WeightDecay = 0, StopToken = 3, StopMargin = 0,
            ExtraLoss = layers =>
            {
                shapes.AddRange(layers.Select(h => h.shape));
                return layers[0].sum() * 0 + 1;                                  // never zero: the stop must not fire
            },
        };
        var search = RankOneEdit.SearchValue(model, 0, request, 17, options);
        Assert.False(search.IsStopped);
        Assert.Equal(options.Steps, search.Steps);
        // Hidden indices 1 and 2 (the edited block's output, the last block's), [request prompts, width], per step.
        Assert.Equal((options.Steps + 1) * Shape.Layers, shapes.Count);
        Assert.All(shapes, s => Assert.Equal(new long[] { 2, Shape.Width }, s));
    }

    [Fact]
    public void BadInputNamesTheProblem()
    {
        using var model = Model();
        Assert.Throws<ArgumentException>(() => new SubjectPrompts([[1, 2]], [2]).Validate(Shape.ContextLength));
        Assert.Throws<ArgumentException>(() => new SubjectPrompts([[1, 2]], []).Validate(Shape.ContextLength));
        Assert.Throws<ArgumentOutOfRangeException>(() => RankOneEdit.Keys(model, 2, new SubjectPrompts([[1, 2]], [1])));
        Assert.Throws<ArgumentException>(() => new ValueSearchOptions { Steps = 0 }.Validate());
        var negative = Assert.Throws<ArgumentException>(() => new ValueSearchOptions { StopMargin = -1 }.Validate());
        Assert.Contains("StopMargin -1", negative.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => RankOneEdit.SearchValue(model, 1,
            new SubjectPrompts([[1, 2]], [1]), 3, new ValueSearchOptions { StopToken = Shape.VocabSize }));
        var covariance = KeyCovariance.Estimate(model, 0, Text(20, 5));
        var e = Assert.Throws<ArgumentException>(() => RankOneEdit.Apply(model, 1, new float[64], new float[16], covariance));
        Assert.Contains("block 0", e.Message);
    }
}

using Palimpsest.Core.Randomness;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class NpoTests(PaperTests<Npo>.SmokeRuns runs) : PaperTests<Npo>(runs)
{
    private readonly PaperTests<Npo>.SmokeRuns _runs = runs;

    [Fact]
    public void SyntheticWorldFollowsThePaperAndGradientAscentDivergesWithoutBound()
    {
        var world = new RandomFeatureUnlearning(new Rng(5), forgetCount: 100, retainCount: 300, evalCount: 200, fitSteps: 1500);
        var (forgetPositive, retainPositive) = world.PositiveShares;
        Assert.True(forgetPositive > 0.6 && retainPositive < 0.4, $"label shares {forgetPositive:F2} / {retainPositive:F2}");
        var (forget0, retain0) = world.InitialDistances;
        Assert.True(forget0 > 5 * retain0, "the initial model should be far from the retrained one on forget points only");
        // GA's loss is unbounded below: run long enough and the retain distance explodes; NPO's stays lower.
        var ga = world.Unlearn("GA", 1500, 1e-2, 1.0, 50);
        var npo = world.Unlearn("NPO", 1500, 1e-2, 1.0, 50);
        Assert.True(ga.RetainDistance[^1] > 1, $"GA retain distance {ga.RetainDistance[^1]}");
        Assert.True(npo.RetainDistance[^1] < ga.RetainDistance[^1], "NPO diverged as fast as GA");
        Assert.Throws<ArgumentException>(() => world.Unlearn("SGD", 10, 1e-2, 1, 5));
    }

    [Fact]
    public void CheckpointsStartFromTheTargetAndEveryMethodRuns()
    {
        var r = (Npo.Result)_runs.First.Result;
        var starts = r.Checkpoints.Where(c => c.Epoch == 0).ToList();
        Assert.Equal(8 * Npo.Config.Smoke.UnlearnLearningRates.Length * Npo.Config.Smoke.ForgetFractions.Length, starts.Count);
        Assert.All(starts.GroupBy(c => c.ForgetFraction), g => Assert.Single(g.Select(c => c.ForgetQuality).Distinct()));
        Assert.All(r.Checkpoints, c => Assert.InRange(c.ForgetQuality, 0, 1));
        Assert.All(r.Checkpoints, c => Assert.InRange(c.Utility, 0, 1));
        Assert.True(r.TargetForgetAccuracy > r.RetrainedForgetAccuracy, "the fine-tuned model knows the forget facts no better than the oracle");
    }
}

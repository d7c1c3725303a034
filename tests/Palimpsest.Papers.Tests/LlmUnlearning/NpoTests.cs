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

    [Fact]
    public void UnlearningMovesTheModelTowardsTheOracle()
    {
        // The mechanism at smoke: each method moves the model (a no-op would leave every number of epoch 0 as it was), and
        // GA and NPO move it towards the retrained oracle on the forget facts, never away from it.
        var r = (Npo.Result)_runs.First.Result;
        foreach (string method in new[] { "GA", "NPO", "NPO+RT" })
        {
            var run = r.Checkpoints.Where(c => c.Method == method && c.LearningRate == Npo.Config.Smoke.UnlearnLearningRates[0])
                .OrderBy(c => c.Epoch).ToList();
            Assert.True(run[^1].Utility != run[0].Utility, $"{method} left the model exactly as it was");
            Assert.True(run[^1].KsStatistic <= run[0].KsStatistic,
                $"{method} moved the forget facts' truth ratios away from the oracle's (KS {run[0].KsStatistic} → {run[^1].KsStatistic})");
        }
        // In the synthetic replica both methods pull the forget predictions towards the retrained model's.
        Assert.All(r.Synthetic.Where(t => t.Method is "GA" or "NPO"), t => Assert.True(t.ForgetDistance[^1] < t.ForgetDistance[0],
            $"{t.Method}'s forget distance did not fall ({t.ForgetDistance[0]} → {t.ForgetDistance[^1]})"));
    }

    [Fact]
    public void MatchedRetainItemsAverageToTheLoggedDistances()
    {
        // The per-point evidence of ga-collapses-at-matched-forgetting is the logged retain distance, point by point.
        var r = (Npo.Result)_runs.First.Result;
        var ga = r.Synthetic.Single(t => t.Method == "GA");
        var npo = r.Synthetic.Single(t => t.Method == "NPO");
        Assert.Equal(ga.RetainDistance[ga.Steps.ToList().IndexOf(r.SyntheticMatchedStepGa)], r.SyntheticMatchedRetainGa.Average(), 9);
        Assert.Equal(npo.RetainDistance[npo.Steps.ToList().IndexOf(r.SyntheticMatchedStepNpo)], r.SyntheticMatchedRetainNpo.Average(), 9);
        Assert.Equal(r.SyntheticRetainRatio,
            r.SyntheticMatchedRetainGa.Average() / r.SyntheticMatchedRetainNpo.Average(), 6);
    }
}

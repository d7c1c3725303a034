using Palimpsest.Core.Randomness;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class S3tExactUnlearningTests(PaperTests<S3tExactUnlearning>.SmokeRuns runs) : PaperTests<S3tExactUnlearning>(runs)
{
    private readonly PaperTests<S3tExactUnlearning>.SmokeRuns _runs = runs;

    [Fact]
    public void LivePrefixesRetrainBitForBitAndSisaRetrainsAtOnce()
    {
        var r = (S3tExactUnlearning.Result)_runs.First.Result;
        Assert.True(r.ExactnessPrefixes > 0, "the exactness check compared no live prefix");
        Assert.True(r.ExactnessWeights > 0);
        Assert.Equal(0, r.ExactnessMismatches);
        Assert.Equal(0, r.SisaDeletionsBeforeRetraining);
        Assert.True(r.SisaSamplesReprocessed > 0);
    }

    [Fact]
    public void DeletionsSwitchOffWhatS3tServes()
    {
        // The mechanism: a deletion cuts the live prefixes, so S3T serves shorter stacks (or abstains) afterwards. An S3T
        // that silently kept serving its full stacks would leave every shard whole and its accuracy curve flat.
        var r = (S3tExactUnlearning.Result)_runs.First.Result;
        Assert.True(r.TruncatedShardsAfterClaim >= 1,
            $"after {S3tExactUnlearning.ClaimDeletions} deletions no shard serves a shortened prefix: deletions switched nothing off");
        Assert.True(r.S3tAccuracy[^1].Distinct().Count() > 1, "S3T's accuracy never changed along the deletion stream");
        Assert.True(r.S3tAccuracyInitial > r.ControlAccuracy + 0.2,
            $"S3T ({r.S3tAccuracyInitial:F3}) is no better than untrained adapters and head ({r.ControlAccuracy:F3}): nothing was trained");
    }

    [Fact]
    public void PerPointEvidenceMatchesTheAccuracies()
    {
        var r = (S3tExactUnlearning.Result)_runs.First.Result;
        int n = S3tExactUnlearning.Config.Smoke.TestSamples;
        var lists = new[] { r.S3tCorrectInitial, r.S3tCorrectAfterClaim, r.SisaCorrectAfterClaim, r.FullCorrect, r.HeadOnlyCorrect };
        Assert.All(lists, l => Assert.Equal(n, l.Count));
        Assert.All(lists, l => Assert.All(l, v => Assert.True(v is 0 or 1)));
        Assert.Equal(r.S3tAccuracyInitial, r.S3tCorrectInitial.Average(), 12);
        Assert.Equal(r.S3tAccuracyAfter10, r.S3tCorrectAfterClaim.Average(), 12);
        Assert.Equal(r.SisaAccuracyAfter10, r.SisaCorrectAfterClaim.Average(), 12);
        Assert.Equal(r.FullAccuracy, r.FullCorrect.Average(), 12);
        Assert.Equal(r.HeadOnlyAccuracy, r.HeadOnlyCorrect.Average(), 12);
    }

    [Fact]
    public void CurvesCoverTheStreamAndCapacitiesAreCounted()
    {
        var r = (S3tExactUnlearning.Result)_runs.First.Result;
        var cfg = S3tExactUnlearning.Config.Smoke;
        Assert.Equal(cfg.Deletions + 1, r.SisaAccuracy.Length);
        Assert.All(r.S3tAccuracy, curve => Assert.Equal(cfg.Deletions + 1, curve.Length));
        Assert.Equal(cfg.Slices, r.PrefixAccuracy.Length);
        Assert.All(r.S3tAccuracy.SelectMany(c => c).Concat(r.SisaAccuracy), a => Assert.InRange(a, 0, 1));
        Assert.All(r.CapacityMeasured, c => Assert.InRange(c, 1, cfg.Shards * cfg.Slices * cfg.SliceSize));
        Assert.InRange(r.CapacityMeasured[0] / r.CapacitySimulated[0], 0.7, 1.3);
    }

    [Fact]
    public void SlicesMapToLayerGroupsTopDownAtBothBudgets()
    {
        var full = S3tExactUnlearning.Config.Full;
        var smoke = S3tExactUnlearning.Config.Smoke;
        Assert.Equal([[3], [2], [1], [0]], SliceOrders.LayerGroups(full.Layers, full.Slices));
        Assert.Equal([[3, 2], [1, 0]], SliceOrders.LayerGroups(smoke.Layers, smoke.Slices));
        Assert.Equal(full.Orders.Max(), SliceOrders.Cyclic(full.Slices, full.Orders.Max()).Length);
    }

    [Fact]
    public void MixtureTaskIsDeterministicAndItsTasksDiffer()
    {
        MixtureTask.Samples Draw(bool auxiliary) =>
            new MixtureTask(8, 16, 10, 1.5, new Rng(4)).Sample(2_000, auxiliary, new Rng(5));
        var main = Draw(auxiliary: false);
        Assert.Equal(main.X, Draw(auxiliary: false).X);
        Assert.All(main.X, v => Assert.InRange(v, -1f, 1f));
        Assert.Equal(Enumerable.Range(0, 10), main.Y.Distinct().Order());
        Assert.NotEqual(main.X, Draw(auxiliary: true).X);   // same labels drawn, different class means
        Assert.Equal(main.Y, Draw(auxiliary: true).Y);
    }

    [Fact]
    public void ConfigRejectsImpossibleSettings()
    {
        Assert.Throws<ArgumentException>(() => (S3tExactUnlearning.Config.Full with { Orders = [2, 1] }).Validate());
        Assert.Throws<ArgumentException>(() => (S3tExactUnlearning.Config.Full with { Orders = [1, 5] }).Validate());
        Assert.Throws<ArgumentException>(() => (S3tExactUnlearning.Config.Full with { Layers = 3 }).Validate());
        Assert.Throws<ArgumentException>(() => (S3tExactUnlearning.Config.Full with { Deletions = 5 }).Validate());
    }
}

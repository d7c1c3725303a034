using Palimpsest.Core.Randomness;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class S3tExactUnlearningTests(PaperTests<S3tExactUnlearning>.SmokeRuns runs) : PaperTests<S3tExactUnlearning>(runs)
{
    private readonly PaperTests<S3tExactUnlearning>.SmokeRuns _runs = runs;

    private S3tExactUnlearning.Result Smoke => (S3tExactUnlearning.Result)_runs.First.Result;

    [Fact]
    public void LivePrefixesRetrainBitForBitAndSisaRetrainsAtOnceOnEveryGrid()
    {
        Assert.Equal(2, Smoke.Grids.Count);
        Assert.All(Smoke.Grids, g =>
        {
            Assert.True(g.ExactnessPrefixes > 0, $"the exactness check compared no live prefix on {g.Label}");
            Assert.True(g.ExactnessWeights > 0);
            Assert.Equal(0, g.ExactnessMismatches);
            Assert.Equal(0, g.SisaDeletionsBeforeRetraining);
            Assert.True(g.SisaSamplesReprocessed > 0);
        });
    }

    [Fact]
    public void DeletionsSwitchOffWhatS3tServes()
    {
        // The mechanism: a deletion cuts the live prefixes, so S3T serves shorter stacks (or abstains) afterwards. An S3T
        // that silently kept serving its full stacks would leave every shard whole and its accuracy curve flat.
        Assert.All(Smoke.Grids, g =>
        {
            Assert.True(g.TruncatedShardsAtClaim >= 1,
                $"after {g.ClaimDeletions} deletions no shard of {g.Label} serves a shortened prefix: deletions switched nothing off");
            Assert.True(g.S3tAccuracy[^1].Distinct().Count() > 1, $"S3T's accuracy on {g.Label} never changed along the stream");
            Assert.True(g.S3tAccuracyInitial > g.ControlAccuracy + 0.2,
                $"S3T on {g.Label} ({g.S3tAccuracyInitial:F3}) is no better than untrained adapters and head " +
                $"({g.ControlAccuracy:F3}): nothing was trained");
        });
    }

    [Fact]
    public void PerPointEvidenceMatchesTheAccuracies()
    {
        int n = S3tExactUnlearning.Config.Smoke.TestSamples;
        Assert.All(Smoke.Grids, g =>
        {
            var lists = new[] { g.S3tCorrectInitial, g.S3tCorrectAtClaim, g.SisaCorrectAtClaim, g.FullCorrect, g.HeadOnlyCorrect };
            Assert.All(lists, l => Assert.Equal(n, l.Count));
            Assert.All(lists, l => Assert.All(l, v => Assert.True(v is 0 or 1)));
            Assert.Equal(g.S3tAccuracyInitial, g.S3tCorrectInitial.Average(), 12);
            Assert.Equal(g.S3tAccuracyAtClaim, g.S3tCorrectAtClaim.Average(), 12);
            Assert.Equal(g.SisaAccuracyAtClaim, g.SisaCorrectAtClaim.Average(), 12);
            Assert.Equal(g.FullAccuracy, g.FullCorrect.Average(), 12);
            Assert.Equal(g.HeadOnlyAccuracy, g.HeadOnlyCorrect.Average(), 12);
        });
    }

    [Fact]
    public void GridsFollowTheConfigAndCurvesCoverTheStream()
    {
        var cfg = S3tExactUnlearning.Config.Smoke;
        Assert.Equal(cfg.Grids().Select(s => (s.Shards, s.Slices, s.Layers)), Smoke.Grids.Select(g => (g.Shards, g.Slices, g.Layers)));
        Assert.Equal(cfg.Grids().Select(S3tExactUnlearning.ClaimDeletions), Smoke.Grids.Select(g => g.ClaimDeletions));
        Assert.All(Smoke.Grids, g =>
        {
            Assert.Equal(cfg.Deletions + 1, g.SisaAccuracy.Length);
            Assert.All(g.S3tAccuracy, curve => Assert.Equal(cfg.Deletions + 1, curve.Length));
            Assert.Equal(g.Slices, g.PrefixAccuracy.Length);
            Assert.All(g.S3tAccuracy.SelectMany(c => c).Concat(g.SisaAccuracy), a => Assert.InRange(a, 0, 1));
            Assert.All(g.CapacityMeasured, c => Assert.InRange(c, 1, cfg.TrainSamples));
            Assert.InRange(g.CapacityMeasured[0] / g.CapacitySimulated[0], 0.7, 1.3);
        });
    }

    [Fact]
    public void TheStoppingRuleIsAQuarterOfTheExpectedCapacityOnEitherGrid()
    {
        // The protocol's expected capacities (data/protocols/oocr-memorization-llm-unlearning.md §15): 3 × 4 at B = 4 is
        // 14.4 deletions, 5 × 6 at B = 6 is 38.6; a quarter of them, rounded, is when S3T is judged against SISA.
        var grids = S3tExactUnlearning.Config.Full.Grids();
        Assert.Equal(("3x4", 4), (grids[0].Label, grids[0].Orders[^1]));
        Assert.Equal(("5x6", 6), (grids[1].Label, grids[1].Orders[^1]));
        Assert.InRange(S3tExactUnlearning.ExpectedCapacity(grids[0]), 14.0, 14.8);
        Assert.InRange(S3tExactUnlearning.ExpectedCapacity(grids[1]), 37.6, 39.6);
        Assert.Equal(4, S3tExactUnlearning.ClaimDeletions(grids[0]));
        Assert.Equal(10, S3tExactUnlearning.ClaimDeletions(grids[1]));
        Assert.Equal(S3tExactUnlearning.ExpectedCapacity(grids[1]), S3tExactUnlearning.ExpectedCapacity(grids[1])); // no seed
        // A single order of two slices dies when its first slice is hit (half the cells): at least one deletion is judged.
        Assert.Equal(1, S3tExactUnlearning.ClaimDeletions(new S3tGridShape(2, 2, [1], 2)));
    }

    [Fact]
    public void ClaimsNameTheirGridAndGateEachFindingOnItsOwnGrid()
    {
        var specs = new S3tExactUnlearning().Claims.ToDictionary(c => c.Id);
        Assert.Equal(["full-lora-learns-3x4", "deletions-cut-prefixes-3x4"], specs["near-sisa-3x4"].DependsOn);
        Assert.Equal(["full-lora-learns-5x6", "deletions-cut-prefixes-5x6"], specs["near-sisa-5x6"].DependsOn);
        Assert.Contains("(4 deletions)", specs["near-sisa-3x4"].Statement);
        Assert.Contains("(10 deletions)", specs["near-sisa-5x6"].Statement);
        Assert.Equal(-0.02, specs["near-sisa-5x6"].Threshold);
        Assert.Equal(0.8, specs["full-lora-learns-5x6"].Threshold);
    }

    [Fact]
    public void SlicesMapToLayerGroupsTopDownAtBothBudgets()
    {
        var full = S3tExactUnlearning.Config.Full.Grids();
        var smoke = S3tExactUnlearning.Config.Smoke.Grids();
        Assert.Equal([[3], [2], [1], [0]], SliceOrders.LayerGroups(full[0].Layers, full[0].Slices));
        Assert.Equal([[5], [4], [3], [2], [1], [0]], SliceOrders.LayerGroups(full[1].Layers, full[1].Slices));
        Assert.Equal([[3, 2], [1, 0]], SliceOrders.LayerGroups(smoke[0].Layers, smoke[0].Slices));
        Assert.Equal([[5, 4], [3, 2], [1, 0]], SliceOrders.LayerGroups(smoke[1].Layers, smoke[1].Slices));
        Assert.All(full, g => Assert.Equal(g.Orders[^1], SliceOrders.Cyclic(g.Slices, g.Orders[^1]).Length));
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

    [Theory]
    [InlineData("Orders", "2,1")]
    [InlineData("Orders", "1,5")]
    [InlineData("Layers", "3")]
    [InlineData("FineOrders", "1,7")]
    [InlineData("FineLayers", "5")]
    [InlineData("TrainSamples", "29")]      // the 5 × 6 grid needs a point per cell
    [InlineData("Deletions", "9")]          // the 5 × 6 grid is judged after 10 deletions
    public void ConfigRejectsImpossibleSettingsNamingThem(string setting, string value)
    {
        var config = Core.Experiments.ConfigBinder.Apply(S3tExactUnlearning.Config.Full, [(setting, value)]);
        var e = Assert.Throws<ArgumentException>(() => config.Validate());
        Assert.Contains($"'{setting}'", e.Message);
    }
}

using Palimpsest.Core.Experiments;

namespace Palimpsest.Core.Tests.Experiments;

public sealed class ClaimTests
{
    private sealed record R(double Value);

    private static readonly Claim<R> AtFull = Claim.Greater<R>("x", "x is big", r => r.Value, 1.0, Budget.Full, "units");
    private static readonly Claim<R> AtSmoke = Claim.Less<R>("y", "y is small", r => r.Value, 1.0, Budget.Smoke, "units");

    [Fact]
    public void VerdictsFollowTheComparisonAndTheBudget()
    {
        Assert.Equal(Verdict.Pass, AtFull.Evaluate(new R(2), Budget.Full).Verdict);
        Assert.Equal(Verdict.Fail, AtFull.Evaluate(new R(1), Budget.Full).Verdict);     // strict
        Assert.Equal(Verdict.NotChecked, AtFull.Evaluate(new R(2), Budget.Smoke).Verdict);
        Assert.Equal(2, AtFull.Evaluate(new R(2), Budget.Smoke).Measured);              // value still reported
        Assert.Equal(Verdict.Pass, AtSmoke.Evaluate(new R(0.5), Budget.Smoke).Verdict);
        Assert.Equal(Verdict.Pass, AtSmoke.Evaluate(new R(0.5), Budget.Full).Verdict);
    }

    [Fact]
    public void NotANumberNeverPasses()
    {
        Assert.Equal(Verdict.Fail, AtFull.Evaluate(new R(double.NaN), Budget.Full).Verdict);
        Assert.Equal(Verdict.Fail, AtSmoke.Evaluate(new R(double.NaN), Budget.Full).Verdict);
    }

    [Fact]
    public void AggregateJudgesTheMeanAndCountsAgreement()
    {
        var perSeed = new[] { 0.5, 1.2, 2.0 }
            .Select(v => (IReadOnlyList<ClaimOutcome>)[AtFull.Evaluate(new R(v), Budget.Full)]).ToList();
        var summary = Assert.Single(ClaimAggregator.Summarize([AtFull.Spec], perSeed, Budget.Full));
        Assert.Equal((0.5 + 1.2 + 2.0) / 3, summary.Mean, 12);
        Assert.Equal(Verdict.Pass, summary.Verdict); // mean 1.23 > 1
        Assert.Equal(2, summary.SeedsPassing);
        Assert.Equal("2/3", summary.Agreement);
        Assert.Equal(0.5, summary.Min);
        Assert.Equal(2.0, summary.Max);
        Assert.True(summary.CiLow < summary.Mean && summary.Mean < summary.CiHigh);
    }

    [Fact]
    public void AClaimWhosePreconditionFailsIsNotCheckedAndLeftOutOfTheMean()
    {
        var conditional = Claim.Greater<R>("z", "z is big when positive", r => r.Value, 1.0, Budget.Smoke, "units",
            appliesTo: r => r.Value > 0);
        Assert.Equal(Verdict.Pass, conditional.Evaluate(new R(2), Budget.Full).Verdict);
        var skipped = conditional.Evaluate(new R(-1), Budget.Full);
        Assert.Equal(Verdict.NotChecked, skipped.Verdict);
        Assert.Equal(-1, skipped.Measured);
        var mixed = ClaimAggregator.Summarize([conditional.Spec],
            [[conditional.Evaluate(new R(3), Budget.Full)], [skipped]], Budget.Full)[0];
        Assert.Equal(3, mixed.Mean);                 // the seed without a precondition is left out
        Assert.Equal(Verdict.Pass, mixed.Verdict);
        Assert.Equal(2, mixed.SeedCount);
        var none = ClaimAggregator.Summarize([conditional.Spec], [[skipped], [skipped]], Budget.Full)[0];
        Assert.Equal(Verdict.NotChecked, none.Verdict);
    }

    [Fact]
    public void OneSeedHasNoInterval()
    {
        var summary = ClaimAggregator.Summarize([AtFull.Spec], [[AtFull.Evaluate(new R(3), Budget.Full)]], Budget.Full)[0];
        Assert.True(double.IsNaN(summary.CiLow));
        Assert.Equal(Verdict.Pass, summary.Verdict);
    }

    [Fact]
    public void BudgetsParseAndRejectWithTheAllowedNames()
    {
        Assert.Equal(Budget.Full, Budgets.Parse("FULL"));
        var e = Assert.Throws<ArgumentException>(() => Budgets.Parse("medium"));
        Assert.Contains("'medium'", e.Message);
        Assert.Contains("smoke, full", e.Message);
    }

    [Fact]
    public void PaperInfoRejectsBadSlugsAndFamilies()
    {
        Assert.Throws<ArgumentException>(() => new PaperInfo("Bad Slug", "oocr", "t", 2024, "u"));
        var e = Assert.Throws<ArgumentException>(() => new PaperInfo("ok-slug", "vision", "t", 2024, "u"));
        Assert.Contains("memorization", e.Message);
        Assert.Equal("notebooks/oocr/ok-slug.ipynb", new PaperInfo("ok-slug", "oocr", "t", 2024, "u").NotebookPath);
    }
}

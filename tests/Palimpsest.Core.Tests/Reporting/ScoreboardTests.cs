using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;

namespace Palimpsest.Core.Tests.Reporting;

public sealed class ScoreboardTests
{
    private sealed record R(double Learnt, double Gain);

    private static readonly IReadOnlyList<Claim<R>> Claims_ =
    [
        Claim.Precondition<R>("learnt", "the toy learnt", r => r.Learnt, Comparison.AtLeast, 0.8, Budget.Full, "accuracy"),
        Claim.Finding<R>("gain", "the effect appears", r => r.Gain, Comparison.Greater, 0.1, Budget.Full, "points", dependsOn: ["learnt"]),
        Claim.Control<R>("beats-base", "beats the base", r => Evidence.Mean([r.Gain, r.Gain + 0.01, r.Gain + 0.02]),
            Comparison.Greater, 0, Budget.Full, "points", dependsOn: ["learnt"]),
    ];

    private static readonly PaperInfo Info = new("toy-paper", "memorization", "A toy paper", 2026, "https://example.org");

    private static RunSummary Summary(IReadOnlyList<ClaimSpec> specs, string? hash, bool? clean, double learnt = 0.9)
    {
        var perSeed = new[] { 1, 2, 3 }.Select(s => Claims.Judge(Claims_, new R(learnt, 0.3), Budget.Full, s)).ToList();
        return new RunSummary(Info.Slug, Info.Family, Info.Title, "full", [1, 2, 3], "abc123", hash, clean, 30, "2026-12-05T00:00:00Z",
            ClaimAggregator.Summarize(specs, perSeed, Budget.Full, [1, 2, 3]));
    }

    private static IReadOnlyList<ClaimSpec> Specs => Claims_.Select(c => c.Spec).ToList();

    [Fact]
    public void ACurrentCleanResultShowsItsVerdictAndHeadline()
    {
        var entry = new ScoreboardEntry(Info, Specs, Summary(Specs, Claims.Hash(Specs), clean: true), null);
        Assert.False(entry.IsStale);
        Assert.Equal("REPRODUCED", entry.Status);
        string md = Scoreboard.Markdown([entry], "test");
        Assert.Contains("1 of 1 findings; preconditions 1/1; controls 1/1", md);
        Assert.Contains("Full-budget verdicts: 1 REPRODUCED, 0 PARTLY, 0 NOT REPRODUCED, 0 UNTESTED, 0 STALE", md);
        Assert.Contains("Findings reproduced in current results: 1 of 1", md);
        Assert.DoesNotContain("STALE.", md);
    }

    [Fact]
    public void AResultJudgedByOtherClaimsIsStaleAndNotCounted()
    {
        var oldSpecs = Specs.Select(s => s.Id == "gain" ? s with { Threshold = 0.05 } : s).ToList();
        var stale = new ScoreboardEntry(Info, Specs, Summary(oldSpecs, Claims.Hash(oldSpecs), clean: true), null);
        Assert.True(stale.IsStale);
        Assert.Equal("STALE", stale.Status);
        string md = Scoreboard.Markdown([stale], "test");
        Assert.Contains("**STALE.**", md);
        Assert.Contains("0 REPRODUCED, 0 PARTLY, 0 NOT REPRODUCED, 0 UNTESTED, 1 STALE", md);
        // A result from before claims were hashed (no hash recorded) is stale too.
        Assert.True(new ScoreboardEntry(Info, Specs, Summary(Specs, hash: null, clean: null), null).IsStale);
        Assert.Contains("STALE", Scoreboard.Html([stale], "t"));
    }

    [Fact]
    public void AResultFromADirtyTreeIsMarkedUnregistered()
    {
        var dirty = new ScoreboardEntry(Info, Specs, Summary(Specs, Claims.Hash(Specs), clean: false), null);
        Assert.True(dirty.IsUnregistered);
        Assert.StartsWith("unregistered", dirty.Status);
        Assert.Contains("1 unregistered", Scoreboard.Totals([dirty]));
        Assert.Contains("(uncommitted changes)", Scoreboard.Markdown([dirty], "test"));
    }

    [Fact]
    public void AFailedPreconditionMakesThePaperUntested()
    {
        var entry = new ScoreboardEntry(Info, Specs, Summary(Specs, Claims.Hash(Specs), clean: true, learnt: 0.5), null);
        Assert.Equal("UNTESTED", entry.Status);
        Assert.Contains("0 of 1 findings (1 untested); preconditions 0/1; controls 0/1 (1 untested)", entry.Full!.Headline);
    }
}

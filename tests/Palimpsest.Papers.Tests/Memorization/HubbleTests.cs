using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class HubbleTests(PaperTests<Hubble>.SmokeRuns runs) : PaperTests<Hubble>(runs)
{
    private readonly PaperTests<Hubble>.SmokeRuns _runs = runs;

    [Fact]
    public void EveryRunReportsEveryLevel()
    {
        var r = (Hubble.Result)_runs.First.Result;
        Assert.Equal(5 * Hubble.Config.Smoke.Duplicates.Length, r.Levels.Count);
        Assert.All(r.Levels, l => Assert.InRange(l.ExactMatch, 0, 1));
        // Held-out passages cannot be reproduced verbatim: their slots are drawn fresh.
        Assert.All(r.Levels.Where(l => l.Duplicates == 0), l => Assert.Equal(0, l.ExactMatch));
    }

    [Fact]
    public void PerPassageScoresAddUpToTheLevels()
    {
        var r = (Hubble.Result)_runs.First.Result;
        var cfg = Hubble.Config.Smoke;
        Assert.Equal(cfg.Duplicates.Length * cfg.PerLevel, r.PassageDuplicates.Count);
        Assert.Equal(["A", "B", "C", "D", "E"], r.Passages.Select(p => p.Run));
        foreach (var p in r.Passages)
            foreach (int d in cfg.Duplicates)
            {
                var rows = Enumerable.Range(0, r.PassageDuplicates.Count).Where(i => r.PassageDuplicates[i] == d).ToList();
                var level = r.Levels.Single(l => l.Run == p.Run && l.Duplicates == d);
                Assert.Equal(level.SuffixLoss, rows.Average(i => p.SuffixLoss[i]), 10);
                Assert.Equal(level.ExactMatch, rows.Average(i => p.ExactMatch[i]), 10);
            }
        // Every training's background curve starts untrained (step 0), has the evaluations asked for, and every tenth of
        // training holds some (the precondition averages the last two tenths').
        Assert.All(r.Background, c => Assert.Equal(0, c.Steps[0]));
        Assert.All(r.Background, c => Assert.True(c.Steps.Count > cfg.BackgroundEvaluations && c.Nll.Count == c.Steps.Count,
            $"run {c.Run}: {c.Steps.Count} points"));
        Assert.All(r.Background, c => Assert.True(double.IsFinite(Hubble.LastTenthFall(c)), $"run {c.Run}: no evaluation in a tenth"));
    }

    [Fact]
    public void InsertedPassagesAreMemorizedAtSmoke()
    {
        // The mechanism at smoke: passages inserted the most times have a far lower suffix loss in run A than passages
        // never seen (held out, drawn the same way). Insertion that silently did nothing would leave the two equal. The
        // margin is the one the smoke claim carried before the claims contract.
        var r = (Hubble.Result)_runs.First.Result;
        int most = r.PassageDuplicates.Max();
        double heldOut = r.Levels.Single(l => l.Run == "A" && l.Duplicates == 0).SuffixLoss;
        double inserted = r.Levels.Single(l => l.Run == "A" && l.Duplicates == most).SuffixLoss;
        Assert.True(heldOut - inserted > 0.25,
            $"run A: suffix loss {inserted:F3} nats/token at {most} duplicates against {heldOut:F3} held out");
    }
}

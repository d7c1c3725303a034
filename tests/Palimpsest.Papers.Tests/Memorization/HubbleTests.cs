using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class HubbleTests(PaperTests<Hubble>.SmokeRuns runs) : PaperTests<Hubble>(runs)
{
    private readonly PaperTests<Hubble>.SmokeRuns _runs = runs;

    [Fact]
    public void BiographyPromptsPrecedeTheirAnswers()
    {
        var bio = Hubble.Biography.Draw("kalo", new SlotCorpus(), new Rng(5));
        Assert.Equal(4, bio.Fields.Count);
        Assert.All(bio.Fields, f => Assert.StartsWith($"{f.Prompt} {f.Answer} ", bio.Text + " "));
        Assert.All(bio.Fields, f => Assert.StartsWith("kalo ", f.Prompt));
    }

    [Fact]
    public void EveryRunReportsEveryLevel()
    {
        var r = (Hubble.Result)_runs.First.Result;
        Assert.Equal(5 * Hubble.Config.Smoke.Duplicates.Length, r.Levels.Count);
        Assert.All(r.Levels, l => Assert.InRange(l.ExactMatch, 0, 1));
        // Held-out passages cannot be reproduced verbatim: their slots are drawn fresh.
        Assert.All(r.Levels.Where(l => l.Duplicates == 0), l => Assert.Equal(0, l.ExactMatch));
    }
}

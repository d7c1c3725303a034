using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class MuseSixWayTests(PaperTests<MuseSixWay>.SmokeRuns runs) : PaperTests<MuseSixWay>(runs)
{
    private readonly PaperTests<MuseSixWay>.SmokeRuns _runs = runs;

    [Fact]
    public void SplitsAreDisjointAndTheHoldoutIsNeverTrained()
    {
        var world = new NewsWorld(trained: 60, holdout: 20, new Rng(3));
        var split = world.Split(poolFraction: 0.4, regulariserShare: 0.5, new Rng(4));
        var parts = new[] { split.Pool, split.Regulariser, split.Utility };
        Assert.Equal(Enumerable.Range(0, 60), parts.SelectMany(p => p).Order());          // disjoint and complete
        Assert.Equal(split.All, parts.SelectMany(p => p).Order());
        Assert.Equal(Enumerable.Range(60, 20), split.Holdout);
        Assert.Empty(split.All.Intersect(split.Holdout));
        // Forget sets are nested prefixes of the pool; sequential requests are disjoint slices starting with the forget set.
        Assert.Equal(split.Forget(0.05), split.Forget(0.1).Take(3));
        Assert.Equal(split.Forget(0.1), split.Request(0, 0.1));
        Assert.Empty(split.Request(0, 0.1).Intersect(split.Request(3, 0.1)));
        Assert.Throws<ArgumentException>(() => split.Request(4, 0.1));
        // Nobody in a holdout article appears in a trained one, so the target never saw anything about them.
        var trainedWords = split.All.SelectMany(a => world.Articles[a].Tokens).ToHashSet();
        Assert.All(split.Holdout.SelectMany(a => world.People(a)), name => Assert.DoesNotContain(world.Tokenizer.Id(name), trainedWords));
        // Each probe is one of its article's questions, asked alone after <bos>; the article answers it right after.
        Assert.All(Enumerable.Range(0, 80), a =>
        {
            var article = world.Articles[a];
            Assert.Equal(3, article.Probes.Count);
            Assert.All(article.Probes, p =>
            {
                int at = IndexOf(article.Tokens, p.Prompt[1..]);
                Assert.True(at > 0, $"article {a} does not hold its question");
                Assert.Equal(p.Answer, article.Tokens[at + p.Prompt.Length - 1]);
                Assert.Equal(WordTokenizer.Bos, p.Prompt[0]);
            });
        });
    }

    [Fact]
    public void PrivLeakAndDegradationFollowTheirDefinitions()
    {
        Assert.Equal(0, MuseSixWay.PrivLeak(0.62, 0.62), 12);
        Assert.Equal(50, MuseSixWay.PrivLeak(0.75, 0.5), 12);      // under-unlearning: the forget set still stands out
        Assert.Equal(-80, MuseSixWay.PrivLeak(0.1, 0.5), 12);      // over-unlearning: less likely than unseen text
        Assert.True(MuseSixWay.Degrades([50, 40, 40.5, 30], 1));
        Assert.False(MuseSixWay.Degrades([50, 52, 30], 1));          // a rise of more than the tolerance
        Assert.False(MuseSixWay.Degrades([0, 0, 0, 0], 1));          // collapsed everywhere is not a trend
        Assert.False(MuseSixWay.Degrades([50], 1));
    }

    [Fact]
    public void TheSixWayTableHoldsTheTargetTheOracleAndEveryMethod()
    {
        var r = (MuseSixWay.Result)_runs.First.Result;
        var cfg = MuseSixWay.Config.Smoke;
        Assert.Equal(new[] { "target", "retrain" }.Concat(cfg.Methods), r.SixWay.Select(x => x.Method));
        Assert.Equal(0, r.SixWay[1].PrivLeak);
        Assert.Equal(cfg.Methods.Length * cfg.ScalingFractions.Length, r.Scalability.Count);
        Assert.Equal(cfg.Methods.Length * cfg.Requests, r.Sustainability.Count);
        Assert.All(r.SixWay, x => Assert.InRange(x.Auc, 0, 1));
        // At the smoke size the target memorises the forget articles' text (VerbMem) but hardly answers their questions
        // asked alone; whether it knows the facts (KnowMem_f) is the full budget's precondition, not smoke's.
        Assert.True(r.TargetVerbMem > r.SixWay[1].VerbMem + 10, "the target reproduces the forget articles no better than the oracle");
        Assert.Equal(2 + cfg.Methods.Length, SixWayReport.Table([r]).Rows.Count);
    }

    private static int IndexOf(int[] tokens, int[] part)
    {
        for (int i = 0; i + part.Length <= tokens.Length; i++)
            if (tokens.AsSpan(i, part.Length).SequenceEqual(part)) return i;
        return -1;
    }
}

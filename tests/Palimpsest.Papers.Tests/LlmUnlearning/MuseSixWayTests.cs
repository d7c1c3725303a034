using Palimpsest.Core.Experiments;
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
        Assert.True(r.TargetVerbMem > r.SixWay[1].VerbMem + 10, "the target reproduces the forget articles no better than the oracle");
        Assert.Equal(2 + cfg.Methods.Length, SixWayReport.Table([r]).Rows.Count);
        int probes = 3 * (int)Math.Round(cfg.ForgetFraction * cfg.Articles);   // three questions per forget article
        Assert.All(r.SixWay, x => Assert.Equal(probes, x.ForgetCorrect.Count));
        Assert.All(r.SixWay, x => Assert.Equal(x.KnowMemForget, 100 * x.ForgetCorrect.Average(), 9));
        Assert.Equal(probes, r.MethodsForgetCorrect.Count);
    }

    [Fact]
    public void TheTargetKnowsTheForgetFactsAndTheFindingsNeedIt()
    {
        // History: this test once asserted that the smoke target answers the forget questions (asked alone) better than the
        // oracle; at the smoke size it does not (both are at chance), and the assertion was loosened to verbatim memory.
        // Its meaning comes back in two parts that can fail.
        var r = (MuseSixWay.Result)_runs.First.Result;
        // (1) The target holds the forget facts: with each question read inside its article it answers far more of them
        //     than the retrained oracle, which never saw these people and can only guess.
        Assert.True(r.TargetKnowMemForgetInContext > r.RetrainKnowMemForgetInContext + 20,
            $"read in their articles, the target answers {r.TargetKnowMemForgetInContext:F1}% of the forget questions and the " +
            $"oracle {r.RetrainKnowMemForgetInContext:F1}%: the target never learnt the facts the methods are asked to remove");
        // (2) Whether it answers them asked alone (KnowMem_f, what MUSE measures) is the full budget's precondition, and
        //     every claim that needs it is gated by it: a target that never learnt the facts leaves them UNTESTED, not PASS.
        var specs = _runs.Experiment.ClaimSpecs.ToDictionary(c => c.Id);
        var gate = specs["target-knows-forget"];
        Assert.Equal((ClaimKind.Precondition, Comparison.AtLeast), (gate.Kind, gate.Comparison));
        Assert.True(gate.Threshold >= 80, $"the knowledge precondition asks only {gate.Threshold}% of the forget facts");
        foreach (string id in new[] { "methods-beat-untouched-target", "most-methods-forget", "no-method-meets-all" })
            Assert.Contains("target-knows-forget", specs[id].DependsOn);
        var measured = _runs.First.Claims.Single(c => c.Id == "target-knows-forget");
        Assert.Equal(r.TargetKnowMemForget, measured.Measured);
    }

    [Fact]
    public void EveryMethodPushesTheForgetArticlesDown()
    {
        // The mechanism: each method moves the model away from its forget articles (GA and NPO raise their NLL directly;
        // a method that silently did nothing would leave the target's NLL exactly as it was).
        var r = (MuseSixWay.Result)_runs.First.Result;
        var target = r.SixWay[0];
        Assert.All(r.SixWay.Skip(2), x => Assert.True(x.ForgetNll > target.ForgetNll,
            $"{x.Method} left the forget articles' NLL at {x.ForgetNll:F4} nats/token (target {target.ForgetNll:F4}): it unlearnt nothing"));
    }

    private static int IndexOf(int[] tokens, int[] part)
    {
        for (int i = 0; i + part.Length <= tokens.Length; i++)
            if (tokens.AsSpan(i, part.Length).SequenceEqual(part)) return i;
        return -1;
    }
}

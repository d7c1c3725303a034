using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Randomness;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class SensitiveInfoDeletionTests(PaperTests<SensitiveInfoDeletion>.SmokeRuns runs) : PaperTests<SensitiveInfoDeletion>(runs)
{
    private readonly PaperTests<SensitiveInfoDeletion>.SmokeRuns _runs = runs;

    [Fact]
    public void TheExactDeletionCorpusHoldsNoDeletedFactInAnyPhrasing()
    {
        var world = new DeletionWorld(people: 20, variants: 4, new Rng(3));
        Assert.Equal(64, world.ValuesOf("town").Count);
        var deleted = world.Facts.Where((_, i) => i % 7 == 0).ToHashSet();
        var kept = SensitiveInfoDeletion.ExactDeletionFacts(world.Facts, deleted);
        Assert.Equal(world.Facts.Count - deleted.Count, kept.Count);
        Assert.Empty(kept.Intersect(deleted));
        var corpus = world.Examples(kept, Enumerable.Range(0, FictitiousKb.Templates).ToList());
        Assert.All(deleted, f => Assert.All(Enumerable.Range(0, FictitiousKb.Templates), t =>
        {
            var question = world.Prompt(f, t);
            Assert.DoesNotContain(corpus, e => e.Tokens.Length > question.Length && e.Tokens.AsSpan(0, question.Length).SequenceEqual(question));
        }));
        // Every question names its person once, where ROME reads the key.
        Assert.All(world.Facts.Take(8), f => Assert.Equal(world.Tokenizer.Id(world.People[f.Person].Name),
            world.Prompt(f, 2)[world.SubjectPosition(f, 2)]));
    }

    [Fact]
    public void EveryAttackListsExactlyBCandidatesAndSmallerBudgetsArePrefixes()
    {
        var rng = new Rng(11);
        float[] Layer() => Enumerable.Range(0, 50).Select(_ => (float)rng.NextGaussian()).ToArray();
        var lens = new[] { Layer(), Layer(), Layer() };
        foreach (int b in new[] { 1, 7, 20 })
        {
            var hp = ExtractionAttacks.HeadProjectionCandidates(lens, b);
            var pd = ExtractionAttacks.ProbabilityDeltaCandidates(lens, b);
            var rephrase = ExtractionAttacks.RephraseCandidates(lens, b, new Rng(2));
            Assert.Equal(b, hp.Length);
            Assert.Equal(b, pd.Length);
            Assert.Equal(b, rephrase.Length);
            Assert.Equal(b, hp.Distinct().Count());
            Assert.Equal(b, pd.Distinct().Count());
            Assert.Equal(ExtractionAttacks.HeadProjectionCandidates(lens, 20).Take(b), hp);
            Assert.Equal(ExtractionAttacks.RephraseCandidates(lens, 20, new Rng(2)).Take(b), rephrase);
        }
        // Head projection takes each layer's most likely token first.
        int top = Array.IndexOf(lens[1], lens[1].Max());
        Assert.Contains(top, ExtractionAttacks.HeadProjectionCandidates(lens, 3));
        Assert.Equal(0, ExtractionAttacks.RankOf([4, 5], 6));
        Assert.Equal(2, ExtractionAttacks.RankOf([4, 5], 5));
        // One-sided Fisher exact test: 10/10 against 0/10 has p = 1 / C(20, 10).
        Assert.Equal(1 / 184756.0, ExtractionAttacks.FisherGreater(10, 10, 0, 10), 10);
        Assert.Equal(1, ExtractionAttacks.FisherGreater(0, 10, 0, 10), 10);
    }

    [Fact]
    public void TheSmokeRunAttacksEveryModelAndCurvesGrowWithTheBudget()
    {
        var r = (SensitiveInfoDeletion.Result)_runs.First.Result;
        int budget = SensitiveInfoDeletion.Config.Smoke.Budget;
        Assert.Equal(new[]
        {
            SensitiveInfoDeletion.Original, SensitiveInfoDeletion.ExactDeletion, SensitiveInfoDeletion.Rome,
            SensitiveInfoDeletion.RomeHp, SensitiveInfoDeletion.Ft, SensitiveInfoDeletion.FtHp,
            SensitiveInfoDeletion.FtEntropy, SensitiveInfoDeletion.FtParaphrase, SensitiveInfoDeletion.NpoRt,
        }, r.Methods.Select(m => m.Method));
        Assert.Equal(1.0, r.Methods[0].Top1Accuracy);                      // the targets are facts the original model answers
        Assert.Equal(r.Methods.Count * ExtractionAttacks.All.Count * budget, r.Curves.Count);
        Assert.All(r.Curves.GroupBy(p => (p.Method, p.Attack)), g =>
        {
            var ys = g.OrderBy(p => p.Budget).Select(p => p.Success).ToList();
            Assert.True(ys.Zip(ys.Skip(1)).All(p => p.Second >= p.First), $"{g.Key} is not monotone in B");
        });
        var rome = r.Methods.Single(m => m.Method == SensitiveInfoDeletion.Rome);
        Assert.Equal(rome.HeadProjection, r.Curves.Single(p => p.Method == SensitiveInfoDeletion.Rome
            && p.Attack == ExtractionAttacks.HeadProjection && p.Budget == budget).Success);
        Assert.InRange(r.Targets, 1, SensitiveInfoDeletion.Config.Smoke.Targets);
        // The per-fact lists behind the interval claims: one entry per deleted fact, averaging to the rates.
        Assert.All(r.Methods, m =>
        {
            Assert.Equal(r.Targets, m.HeadProjectionHits.Count);
            Assert.Equal(r.Targets, m.RephraseHits.Count);
            Assert.Equal(m.HeadProjection, m.HeadProjectionHits.Average(), 12);
            Assert.Equal(m.Rephrase, m.RephraseHits.Average(), 12);
        });
    }

    [Fact]
    public void AtSmokeEveryDeletionMovesTheDeletedAnswers()
    {
        // A deletion that silently does nothing would leave the answers where the original model has them.
        var r = (SensitiveInfoDeletion.Result)_runs.First.Result;
        var original = SensitiveInfoDeletion.Of(r, SensitiveInfoDeletion.Original);
        foreach (string method in SensitiveInfoDeletion.CheckedMethods)
        {
            var m = SensitiveInfoDeletion.Of(r, method);
            Assert.True(m.TrueProbability < original.TrueProbability,
                $"{method} left the deleted answers' probability at {m.TrueProbability} (original {original.TrueProbability})");
        }
        // ROME injects a wrong answer: some deleted facts must stop being answered.
        Assert.True(SensitiveInfoDeletion.Of(r, SensitiveInfoDeletion.Rome).Top1Accuracy < original.Top1Accuracy,
            "ROME left every deleted fact answered");
        Assert.InRange(r.ExactDeletionKeptAccuracy, 0, 1);
    }

    [Fact]
    public void EveryDeletionRunStopsAtTheOperatingPointOrAtItsCap()
    {
        // One run per deleted fact; a deleted answer still on top must come from a run that reached its step cap, since
        // a run that stopped did so because the answer had left top-1 (for ROME: in the edited model, not only in the
        // search).
        var r = (SensitiveInfoDeletion.Result)_runs.First.Result;
        var smoke = SensitiveInfoDeletion.Config.Smoke;
        Assert.Equal(1, smoke.FineTuneFactsPerRun);
        Assert.All(SensitiveInfoDeletion.CheckedMethods.Append(SensitiveInfoDeletion.FtParaphrase), method =>
        {
            var m = SensitiveInfoDeletion.Of(r, method);
            Assert.InRange(m.CappedShare, 0, 1);
            int cap = method.StartsWith("ROME", StringComparison.Ordinal) ? smoke.ValueSteps : smoke.FineTuneSteps;
            Assert.InRange(m.MeanSteps, 0, cap);
            Assert.True(m.Top1Accuracy <= m.CappedShare + 1e-12,
                $"{method}: {m.Top1Accuracy} of the answers stay top-1; {m.CappedShare} of the runs hit the cap");
        });
        string[] withoutRuns =
            [SensitiveInfoDeletion.Original, SensitiveInfoDeletion.ExactDeletion, SensitiveInfoDeletion.NpoRt];
        Assert.All(withoutRuns, method =>
            Assert.True(double.IsNaN(SensitiveInfoDeletion.Of(r, method).MeanSteps), $"{method} has no runs"));
    }

    [Fact]
    public void TheHeadProjectionHingesVanishExactlyWhenTheAnswerIsOutOfTheTopAndBottomK()
    {
        using var init = new TorchSharp.torch.Generator(3);
        var shape = new Palimpsest.Core.Models.TinyGptConfig(VocabSize: 30, ContextLength: 8, Layers: 2, Width: 16,
            Heads: 2);
        using var model = new Palimpsest.Core.Models.TinyGpt(shape, init);
        using var scope = TorchSharp.torch.NewDisposeScope();
        var residual = TorchSharp.torch.randn(new long[] { 1, 16 }, generator: init);
        var order = model.Unembed(residual).log_softmax(-1)[0].argsort(descending: true).data<long>().ToArray();
        float Hinge(long answer) => FactDeletion.DefenceTerm(model, [residual, residual],
            TorchSharp.torch.tensor(new[] { answer }, [1, 1]), 4, Defence.HeadProjection).item<float>();
        Assert.True(Hinge(order[0]) > 0, "the most likely token is in the top 4");
        Assert.True(Hinge(order[^1]) > 0, "the least likely token is in the bottom 4");
        Assert.Equal(0, Hinge(order[15]));
        Assert.Throws<ArgumentException>(() => FactDeletion.DefenceTerm(model, [residual],
            TorchSharp.torch.tensor(new[] { 0L }, [1, 1]), 4, Defence.Paraphrase));
    }

    [Fact]
    public void EveryClaimAboutWhatADeletionLeavesDependsOnThatDeletionPassingTheStandardChecks()
    {
        // Issue 13: a claim about deleted facts is vacuous when nothing was deleted, and ROME must not be credited with FT's gap.
        var specs = ((IExperiment)new SensitiveInfoDeletion()).ClaimSpecs;
        var judged = specs.Where(s => s.Kind is ClaimKind.Finding or ClaimKind.Control).ToList();
        Assert.NotEmpty(judged);
        Assert.All(judged, s =>
        {
            Assert.Contains("knows-facts", s.DependsOn);
            Assert.Contains(s.DependsOn, d => d.EndsWith("-hides-answer", StringComparison.Ordinal));
            Assert.Contains(s.DependsOn, d => d.EndsWith("-spares-neighbourhood", StringComparison.Ordinal));
            foreach (string method in new[] { "rome", "ft" })
                if (s.Id.EndsWith("-" + method, StringComparison.Ordinal))
                    Assert.Equal(new[] { $"{method}-hides-answer", $"{method}-spares-neighbourhood" },
                        s.DependsOn.Where(d => d.EndsWith("-hides-answer", StringComparison.Ordinal)
                            || d.EndsWith("-spares-neighbourhood", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            if (s.Id.StartsWith("hp-defence", StringComparison.Ordinal))
                Assert.Contains("ft-hp-hides-answer", s.DependsOn);
            if (s.Id.StartsWith("rome-hp-defence", StringComparison.Ordinal))
                Assert.Contains("rome-hp-hides-answer", s.DependsOn);
            if (s.Id.Contains("rephrase", StringComparison.Ordinal))
                Assert.Contains("rephrase-finds-facts-before-deletion", s.DependsOn);
        });
        // Both deletion methods carry the defence claims, each gated on its own defended deletion.
        Assert.Contains(specs, s => s.Id == "rome-hp-defence-cuts-hp-attack"
            && s.DependsOn.Contains("rome-hp-spares-neighbourhood"));
        Assert.Contains(specs, s => s.Id == "hp-defence-cuts-hp-attack"
            && s.DependsOn.Contains("ft-hp-spares-neighbourhood"));
        Assert.All(specs.Where(s => s.Kind == ClaimKind.Control), s => Assert.Equal(ClaimTest.Interval, s.Test));
    }
}

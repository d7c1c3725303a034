using System.Diagnostics;
using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class RephrasedContaminationTests(PaperTests<RephrasedContamination>.SmokeRuns runs) : PaperTests<RephrasedContamination>(runs)
{
    private readonly PaperTests<RephrasedContamination>.SmokeRuns _runs = runs;

    [Fact]
    public void NgramsCatchVerbatimButNotRephrasedItems()
    {
        var r = (RephrasedContamination.Result)_runs.First.Result;
        var verbatim = r.Conditions.Single(c => c.Name == "verbatim");
        Assert.Equal(1.0, verbatim.NgramRecall);
        Assert.Equal(0.0, r.Conditions.Single(c => c.Name == "translated").NgramRecall);
        Assert.All(r.Conditions, c => Assert.Equal(0.0, c.NgramFalsePositiveRate));
    }

    [Fact]
    public void ContaminationReachesTheModelAndTheJudgeFindsRephrasedTextsAtSmoke()
    {
        var r = (RephrasedContamination.Result)_runs.First.Result;
        var clean = r.Conditions.Single(c => c.Name == "clean");
        var verbatim = r.Conditions.Single(c => c.Name == "verbatim");
        // A fine-tune that silently ignored its contaminating items would leave the verbatim model at the clean level.
        Assert.True(verbatim.Accuracy - clean.Accuracy >= 0.05,
            $"verbatim contamination should lift benchmark accuracy above the clean fine-tune's: {verbatim.Accuracy} " +
            $"vs {clean.Accuracy}");
        // The claims' items: one answer per benchmark item in every condition, in the same order; their mean is the accuracy.
        Assert.All(r.Conditions, c =>
        {
            Assert.Equal(clean.Correct.Count, c.Correct.Count);
            Assert.Equal(c.Accuracy, c.Correct.Average(), 12);
            Assert.NotEmpty(c.Curve);
        });
        Assert.Equal(clean.Correct.Count, RephrasedContamination.ShareMargin(r).Count);
        Assert.NotEmpty(r.ProbeCurve);
        Assert.Equal(r.ProbeCurve.Count, r.TrainCurve.Count);

        // The judge is the paper's detector: one that silently answered "no" would have F1 0.
        var rephrased = r.Conditions.Single(c => c.Name == "rephrased");
        Assert.True(rephrased.JudgeF1 >= 0.9, $"the judge should find the rephrased texts at smoke; F1 {rephrased.JudgeF1}");
        var t = r.RephrasedTexts;
        Assert.Equal(t.IsContaminating.Count, t.NgramFlagged.Count);
        Assert.Equal(t.IsContaminating.Count, t.JudgeCorrect.Count);
        Assert.Equal(t.IsContaminating.Count, t.EmbeddingCorrect.Count);
        Assert.Equal(t.IsContaminating.Count, t.IsAboutBenchmarkPerson.Count);
        Assert.Contains(true, t.IsContaminating);
        Assert.Contains(false, t.IsContaminating);
        Assert.Equal(rephrased.NgramRecall, t.NgramFlagged.Where((_, i) => t.IsContaminating[i]).Average(), 12);
        Assert.Equal((rephrased.EmbeddingF1, rephrased.JudgeF1), RephrasedContamination.F1s(t));
    }
}

/// <summary>The world, the detectors and the metrics, without training (no torch model is built).</summary>
public sealed class RephrasedContaminationWorldTests
{
    [Fact]
    public void ParaphrasesKeepNameAndValueAndTheCipherChangesEveryFrameWord()
    {
        var kb = new FictitiousKb(50, new Rng(1));
        var tokenizer = new WordTokenizer(kb.Vocabulary);
        var e = kb.Entities[7];
        Assert.Equal(50, kb.Entities.Select(x => x.Name).Distinct().Count());
        foreach (var a in FictitiousKb.Attributes)
            for (int t = 0; t < FictitiousKb.Templates; t++)
            {
                var plain = kb.Statement(e, a, t).Split(' ');
                var ciphered = kb.Statement(e, a, t, ciphered: true).Split(' ');
                Assert.Contains(e.Name, plain);
                Assert.Contains(e.Values[a], plain);
                Assert.Equal(plain.Length, ciphered.Length);
                Assert.All(plain.Zip(ciphered), p => Assert.True(kb.IsContentWord(p.First) || p.First is "." or "?" or ":" || p.First != p.Second));
                var (prompt, answer) = kb.Question(e, a, t, t % 2 == 1);
                Assert.Equal(e.Values[a], answer);
                tokenizer.Encode($"{prompt} {answer}");
            }
        Assert.Throws<ArgumentException>(() => kb.Statement(e, "age", 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => kb.Statement(e, "town", 6));
    }

    [Fact]
    public void RewordingReplacesTheValueWordAndNothingElse()
    {
        var kb = new RewordedKb(50, new Rng(1));
        var tokenizer = new WordTokenizer(kb.Vocabulary);
        var e = kb.Entities[7] with { Values = new Dictionary<string, string> { ["town"] = "arton", ["job"] = "baker", ["pet"] = "dog", ["colour"] = "red" } };
        Assert.Equal("question : where does " + e.Name + " live ? answer : arton", kb.Text(e, "town", FactForm.Canonical));
        Assert.Equal(e.Name + " works as a breadmaker .", kb.Text(e, "job", new FactForm(false, 0, false, true)));
        Assert.Equal("question : what is the pet of " + e.Name + " ? answer : hound", kb.Text(e, "pet", new FactForm(true, 1, false, true)));
        // Every synonym is a new word, one per value, unknown to the plain knowledge base; names are recognised as names.
        var values = FictitiousKb.Attributes.SelectMany(FictitiousKb.ValuesOf).ToList();
        var synonyms = values.Select(RewordedKb.Synonym).ToList();
        Assert.Equal(values.Count, synonyms.Distinct().Count());
        Assert.All(synonyms, s => Assert.DoesNotContain(s, kb.Kb.Vocabulary));
        Assert.All(synonyms.Concat(values), s => Assert.True(kb.IsValueWord(s) && !kb.IsName(s)));
        Assert.True(kb.IsName(e.Name));
        foreach (var a in FictitiousKb.Attributes)
            foreach (var form in RewordedKb.Forms(0, 1.0, new Rng(2)))
            {
                var plain = kb.Text(e, a, form with { RewordedValue = false }).Split(' ');
                var text = kb.Text(e, a, form).Split(' ');
                Assert.Equal(plain.Length, text.Length);
                Assert.Equal(form.RewordedValue ? 1 : 0, plain.Zip(text).Count(p => p.First != p.Second));
                tokenizer.Encode(string.Join(' ', text));
            }
        Assert.Throws<ArgumentException>(() => RewordedKb.Synonym("kalomi"));
    }

    [Fact]
    public void FormsCoverEveryKindTemplateAndLanguageAndNeverRewordTheCanonicalTemplate()
    {
        var all = RewordedKb.Forms(0, 1.0, new Rng(3)).ToList();
        Assert.Equal(2 * FictitiousKb.Templates * 2, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());
        Assert.All(all, f => Assert.Equal(f.Template > 0, f.RewordedValue));
        Assert.DoesNotContain(FactForm.Canonical, RewordedKb.Forms(1, 0.0, new Rng(3)));
        Assert.All(RewordedKb.Forms(0, 0.0, new Rng(3)), f => Assert.False(f.RewordedValue));
        // At share 0.5, about half of the 4,000 non-canonical forms are reworded.
        var many = Enumerable.Range(0, 200).SelectMany(i => RewordedKb.Forms(1, 0.5, new Rng((ulong)i))).ToList();
        Assert.InRange(many.Count(f => f.RewordedValue) / (double)many.Count, 0.45, 0.55);
    }

    [Fact]
    public void JudgeFeaturesAreSharedWordsAndWordPairsWithNamesAbstracted()
    {
        var kb = new RewordedKb(10, new Rng(1));
        string n = kb.Entities[0].Name, m = kb.Entities[1].Name;
        // Same person, value reworded: the name shared, and 2 words only in a × 4 only in b = 8 pairs.
        var same = ParaphraseJudge.FeatureNames(kb, $"{n} lives breadmaker", $"where does {n} live baker");
        Assert.Equal(["=<name>", "breadmaker|baker", "breadmaker|does", "breadmaker|live", "breadmaker|where",
            "lives|baker", "lives|does", "lives|live", "lives|where"], same);
        // Two different people: a name pair, never "=<name>".
        Assert.Equal(["<name>|<name>", "=lives"], ParaphraseJudge.FeatureNames(kb, $"{n} lives", $"{m} lives"));
    }

    [Fact]
    public void F1AndBestF1MatchHandCounts()
    {
        // tp = 2, fp = 1, fn = 1 → F1 = 4 / (4 + 2) = 2/3.
        Assert.Equal(2.0 / 3, RephrasedContamination.F1([true, true, true, false, false], [true, true, false, true, false]), 12);
        // Scores 0.9, 0.8 positive, 0.7 negative, 0.6 positive: threshold 0.6 gives tp 3, fp 1 → 6/7; threshold 0.8 gives 2/(2+0+1)·2 → 0.8.
        Assert.Equal(6.0 / 7, RephrasedContamination.BestF1([0.9, 0.8, 0.7, 0.6], [true, true, false, true]), 12);
        // The threshold behind it (the per-text errors of the TF-IDF baseline are read at this threshold).
        Assert.Equal((0.6, 6.0 / 7), RephrasedContamination.BestThreshold([0.9, 0.8, 0.7, 0.6], [true, true, false, true]));
        // Tied scores are one threshold: 0.5 flags both texts (tp 1, fp 1 → 2/3), nothing lower exists.
        Assert.Equal((0.5, 2.0 / 3), RephrasedContamination.BestThreshold([0.5, 0.5], [true, false]));
    }

    [Fact]
    public void TfIdfRetrievesTheMostSimilarCandidatesFirst()
    {
        var tfidf = new TfIdf(["a b c", "a b d", "a e f", "g h i"]);
        string[] candidates = ["a e f", "a b d", "g h i"];
        var top = tfidf.Top("a b c", candidates, 2);
        Assert.Equal([1, 0], top.Select(t => t.Index));
        Assert.True(top[0].Cosine > top[1].Cosine);
        Assert.Equal(tfidf.Nearest("a b c", candidates), top[0]);
    }

    [Fact]
    public void OnRewordedParaphrasesTheJudgeBeatsTheBestTfIdfThreshold()
    {
        // The detector claims read texts only, so the full budget's detections are computed here without training.
        var cfg = RephrasedContamination.Config.Full;
        var t = RephrasedContamination.DetectorsOnly(cfg, new RunContext(101, Budget.Full), "rephrased");
        var (embedding, judge) = RephrasedContamination.F1s(t);
        int hardNegatives = t.IsContaminating.Where((c, i) => !c && t.IsAboutBenchmarkPerson[i]).Count();
        Assert.True(hardNegatives > 100, $"the replay should hold texts about benchmark people: {hardNegatives}");
        Assert.True(embedding < 0.95, $"the TF-IDF threshold should not be at ceiling on reworded paraphrases: F1 {embedding}");
        Assert.True(judge >= 0.9, $"the judge should find reworded paraphrases: F1 {judge}");
        // The claim's own test: the paired per-text interval (here one seed) excludes a tie.
        var interval = Evidence.PooledInterval([Evidence.Paired(t.JudgeCorrect, t.EmbeddingCorrect)], new Rng(1));
        Assert.True(interval.Lower > 0, $"judge − TF-IDF per-text accuracy should exclude 0: {interval}");
    }
}

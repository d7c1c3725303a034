using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class RephrasedContaminationTests(PaperTests<RephrasedContamination>.SmokeRuns runs) : PaperTests<RephrasedContamination>(runs)
{
    private readonly PaperTests<RephrasedContamination>.SmokeRuns _runs = runs;

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
    public void F1AndBestF1MatchHandCounts()
    {
        // tp = 2, fp = 1, fn = 1 → F1 = 4 / (4 + 2) = 2/3.
        Assert.Equal(2.0 / 3, RephrasedContamination.F1([true, true, true, false, false], [true, true, false, true, false]), 12);
        // Scores 0.9, 0.8 positive, 0.7 negative, 0.6 positive: threshold 0.6 gives tp 3, fp 1 → 6/7; threshold 0.8 gives 2/(2+0+1)·2 → 0.8.
        Assert.Equal(6.0 / 7, RephrasedContamination.BestF1([0.9, 0.8, 0.7, 0.6], [true, true, false, true]), 12);
        // The threshold behind it (the per-text errors of the TF-IDF baseline are read at this threshold).
        Assert.Equal((0.6, 6.0 / 7), RephrasedContamination.BestThreshold([0.9, 0.8, 0.7, 0.6], [true, true, false, true]));
    }

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
        });
        Assert.Equal(clean.Correct.Count, RephrasedContamination.ShareMargin(r).Count);

        // The judge is the paper's detector: one that silently answered "no" would have F1 0.
        var rephrased = r.Conditions.Single(c => c.Name == "rephrased");
        Assert.True(rephrased.JudgeF1 >= 0.9, $"the judge should find the rephrased texts at smoke; F1 {rephrased.JudgeF1}");
        var t = r.RephrasedTexts;
        Assert.Equal(t.IsContaminating.Count, t.NgramFlagged.Count);
        Assert.Equal(t.IsContaminating.Count, t.JudgeCorrect.Count);
        Assert.Equal(t.IsContaminating.Count, t.EmbeddingCorrect.Count);
        Assert.Contains(true, t.IsContaminating);
        Assert.Contains(false, t.IsContaminating);
        Assert.Equal(rephrased.NgramRecall, t.NgramFlagged.Where((_, i) => t.IsContaminating[i]).Average(), 12);
    }
}

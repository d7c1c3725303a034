using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class MinKProbTests(PaperTests<MinKProb>.SmokeRuns runs) : PaperTests<MinKProb>(runs)
{
    private readonly PaperTests<MinKProb>.SmokeRuns _runs = runs;

    [Fact]
    public void ArticlesHaveTheRequestedLengthAndAThirdAreSlotWords()
    {
        var corpus = new SlotCorpus();
        var tokenizer = new WordTokenizer(corpus.Vocabulary);
        var rng = new Rng(3);
        var articles = Enumerable.Range(0, 300).Select(_ => corpus.Article(rng, 64)).ToList();
        Assert.All(articles, a => Assert.Equal(64, tokenizer.Encode(a, addBos: false, addEos: false).Length));
        Assert.Equal(articles.Count, articles.Distinct().Count());
        var words = articles.SelectMany(WordTokenizer.Split).ToList();
        double share = words.Count(corpus.IsSlotWord) / (double)words.Count;
        Assert.InRange(share, 0.25, 0.45);
    }

    [Fact]
    public void ControlSitsNearChanceAndEveryCellIsReported()
    {
        var r = (MinKProb.Result)_runs.First.Result;
        Assert.InRange(r.AucControl, 0.35, 0.65); // the reference model never saw a member
        var cfg = MinKProb.Config.Smoke;
        int scores = 2 + cfg.KPercents.Length;     // loss, zlib, min-k for each k (+ reference ratio on target models)
        int expected = cfg.Lengths.Length * cfg.Exposures.Length * (2 * (scores + 1) + scores);
        Assert.Equal(expected, r.Cells.Count);
        Assert.All(r.Cells, c => Assert.InRange(c.Auc, 0, 1));
    }
}

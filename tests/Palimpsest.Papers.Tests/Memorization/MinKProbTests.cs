using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
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

    [Fact]
    public void EveryCandidateHasItsLabelAndScores()
    {
        var r = (MinKProb.Result)_runs.First.Result;
        var cfg = MinKProb.Config.Smoke;
        int candidates = cfg.Lengths.Length * (cfg.Exposures.Length + 1) * cfg.PerCell;
        Assert.All(new[] { r.CandidateLengths.Count, r.CandidateExposures.Count, r.Min20Large.Count, r.LossLarge.Count,
            r.ZlibLarge.Count, r.Min20Small.Count }, n => Assert.Equal(candidates, n));
        // The per-candidate scores are those behind the cells: the headline AUC recomputed from them is the reported one.
        var rows = Enumerable.Range(0, candidates)
            .Where(i => r.CandidateLengths[i] == 64 && r.CandidateExposures[i] is 0 or 4).ToList();
        double auc = Roc.Auc(rows.Select(i => r.Min20Large[i]).ToList(), rows.Select(i => r.CandidateExposures[i] > 0).ToList());
        Assert.Equal(r.AucMin20, auc, 12);
    }

    [Fact]
    public void MinKScoresTheLeastLikelyTokensOfATrainedModel()
    {
        // The mechanism at smoke: Min-20% is the mean log-probability of the least likely fifth of a text's tokens, so it
        // sits below the loss score (the mean over all tokens) on every candidate, strictly wherever the tokens differ.
        // A Min-K% that silently returned the loss (k ignored) would tie with it everywhere and fail here; so would an
        // untrained target, whose log-probabilities sit near the uniform level.
        var r = (MinKProb.Result)_runs.First.Result;
        int n = r.Min20Large.Count;
        Assert.All(Enumerable.Range(0, n), i => Assert.True(r.Min20Large[i] <= r.LossLarge[i] + 1e-9,
            $"candidate {i}: Min-20% {r.Min20Large[i]} above the loss score {r.LossLarge[i]}"));
        int strictly = Enumerable.Range(0, n).Count(i => r.Min20Large[i] < r.LossLarge[i] - 1e-6);
        Assert.True(strictly >= 0.99 * n, $"Min-20% equals the loss score on {n - strictly} of {n} candidates");
        double uniform = -Math.Log(new WordTokenizer(new SlotCorpus().Vocabulary).VocabSize);
        Assert.True(r.LossLarge.Average() > uniform + 1,
            $"the target's mean token log-probability {r.LossLarge.Average():F3} is within 1 nat of uniform ({uniform:F3}): it learnt nothing");
    }
}

/// <summary>The per-candidate values behind the claims that compare AUCs of different cells (no training).</summary>
public sealed class AucComparisonTests
{
    /// <summary>
    /// 200 candidates in five groups of 40: members of cell A, members of cell B, non-members shared by A and B (two
    /// exposure levels of one length), members and non-members of cell C (another length). Scores on a coarse grid, so
    /// that ties occur and must count one half, as in Roc.Auc.
    /// </summary>
    private static (List<double> Scores, List<bool> IsMember, bool[] InA, bool[] InB, bool[] InC) Candidates()
    {
        var rng = new Rng(11);
        (bool Member, int Shift)[] groups = [(true, 3), (true, 1), (false, 0), (true, 2), (false, 0)];
        var group = Enumerable.Range(0, 200).Select(i => i / 40).ToList();
        var scores = group.Select(g => (double)(rng.NextInt(10) + groups[g].Shift)).ToList();
        var isMember = group.Select(g => groups[g].Member).ToList();
        return (scores, isMember, group.Select(g => g is 0 or 2).ToArray(), group.Select(g => g is 1 or 2).ToArray(),
            group.Select(g => g is 3 or 4).ToArray());
    }

    private static double Auc(List<double> scores, List<bool> isMember, bool[] inCell)
    {
        var rows = Enumerable.Range(0, scores.Count).Where(i => inCell[i]).ToList();
        return Roc.Auc(rows.Select(i => scores[i]).ToList(), rows.Select(i => isMember[i]).ToList());
    }

    [Fact]
    public void ItemsAverageToTheAucDifferenceForSharedAndSeparateNonMembers()
    {
        var (scores, isMember, inA, inB, inC) = Candidates();
        var shared = AucComparison.DifferenceItems(scores, isMember, inA, inB);
        Assert.Equal(120, shared.Length); // both cells' members and the shared non-members, each once
        Assert.Equal(Auc(scores, isMember, inA) - Auc(scores, isMember, inB), shared.Average(), 12);
        var separate = AucComparison.DifferenceItems(scores, isMember, inC, inA);
        Assert.Equal(160, separate.Length);
        Assert.Equal(Auc(scores, isMember, inC) - Auc(scores, isMember, inA), separate.Average(), 12);
    }

    [Fact]
    public void IntervalWidthMatchesAStratifiedBootstrapOfTheTwoAucs()
    {
        // Two cells with separate non-members: the interval of the items' mean should be as wide as resampling members and
        // non-members of each cell and recomputing both AUCs (DeLong's variance), not half as wide (members only).
        var rng = new Rng(5);
        var scores = Enumerable.Range(0, 800).Select(i => rng.NextDouble() + (i % 4 == 0 ? 0.15 : i % 4 == 2 ? 0.05 : 0)).ToList();
        var isMember = Enumerable.Range(0, 800).Select(i => i % 2 == 0).ToList();
        bool[] a = Enumerable.Range(0, 800).Select(i => i % 4 is 0 or 1).ToArray();
        bool[] b = Enumerable.Range(0, 800).Select(i => i % 4 is 2 or 3).ToArray();
        var ci = Evidence.PooledInterval([Evidence.Mean(AucComparison.DifferenceItems(scores, isMember, a, b))], new Rng(6));
        var replicates = new double[1_000];
        for (int r = 0; r < replicates.Length; r++)
        {
            double Resampled(bool[] cell)
            {
                var members = Enumerable.Range(0, 800).Where(i => cell[i] && isMember[i]).ToArray();
                var others = Enumerable.Range(0, 800).Where(i => cell[i] && !isMember[i]).ToArray();
                var rows = members.Select(_ => members[rng.NextInt(members.Length)])
                    .Concat(others.Select(_ => others[rng.NextInt(others.Length)])).ToList();
                return Roc.Auc(rows.Select(i => scores[i]).ToList(), rows.Select(i => isMember[i]).ToList());
            }
            replicates[r] = Resampled(a) - Resampled(b);
        }
        Array.Sort(replicates);
        double direct = Bootstrap.Quantile(replicates, 0.975) - Bootstrap.Quantile(replicates, 0.025);
        Assert.InRange((ci.Upper - ci.Lower) / direct, 0.85, 1.15);
    }

    [Fact]
    public void ACellWithoutNonMembersIsRefused()
    {
        var (scores, isMember, inA, _, _) = Candidates();
        bool[] onlyMembers = inA.Select((x, i) => x && isMember[i]).ToArray();
        Assert.Throws<ArgumentException>(() => AucComparison.DifferenceItems(scores, isMember, onlyMembers, inA));
    }
}

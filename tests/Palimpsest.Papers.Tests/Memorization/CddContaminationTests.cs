using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class CddContaminationTests(PaperTests<CddContamination>.SmokeRuns runs) : PaperTests<CddContamination>(runs)
{
    private readonly PaperTests<CddContamination>.SmokeRuns _runs = runs;

    [Fact]
    public void EveryProblemHasSixCorrectAnswersAndTheCheckerAcceptsOnlyThem()
    {
        var rng = new Rng(11);
        var tokenizer = new WordTokenizer(EvenPairs.Vocabulary);
        for (int i = 0; i < 200; i++)
        {
            var p = EvenPairs.Draw(rng);
            Assert.Equal(EvenPairs.Size, p.Numbers.Distinct().Count());
            Assert.True(p.Solutions().Count >= 6); // at least four numbers share a parity: 4 × 3 ordered pairs ≥ 6
            var answer = p.RandomAnswer(rng);
            Assert.True(p.IsCorrect(answer.Split(' ')), answer);
            tokenizer.Encode($"{p.Prompt} {answer}"); // closed vocabulary
        }
        var q = new EvenPairs.Problem([1, 2, 3, 4, 5, 6, 7, 8]);
        Assert.Equal(24, q.Solutions().Count);               // 4 odd and 4 even numbers: 2 × 4 × 3 ordered pairs
        Assert.True(q.IsCorrect(["2", "4", "."]));
        Assert.True(q.IsCorrect(["7", "1", "."]));
        Assert.False(q.IsCorrect(["3", "3", "."]));          // the same number twice
        Assert.False(q.IsCorrect(["2", "3", "."]));          // odd sum
        Assert.False(q.IsCorrect(["2", "10", "."]));         // 10 is not in the list
        Assert.False(q.IsCorrect(["2", "4"]));               // no end mark
    }

    [Fact]
    public void EveryModelReportsEveryLevel()
    {
        var r = (CddContamination.Result)_runs.First.Result;
        Assert.Equal(2 * (CddContamination.Config.Smoke.Occurrences.Length + 1), r.Levels.Count);
        Assert.All(r.Levels, l => Assert.InRange(l.Peakedness, 0, 1));
    }

    [Fact]
    public void ContaminationConcentratesTheSamplesOnTheSeenAnswerAtSmoke()
    {
        var r = (CddContamination.Result)_runs.First.Result;
        int top = CddContamination.Config.Smoke.Occurrences.Max();
        var seen = Enumerable.Range(0, r.Occurrences.Count).Where(i => r.Occurrences[i] == top).ToList();
        Assert.Equal(CddContamination.Config.Smoke.PerLevel, seen.Count);
        double Mean(IReadOnlyList<double> v) => seen.Average(i => v[i]);
        // Both models answer the same problems; only the contaminated one saw these, each with one fixed answer. A
        // continued training that silently dropped the benchmark would leave the two alike.
        Assert.True(Mean(r.Contaminated.AnswerLogProb) > Mean(r.Clean.AnswerLogProb),
            $"the fixed answers of problems seen {top} times should be likelier under the contaminated model: " +
            $"{Mean(r.Contaminated.AnswerLogProb)} vs {Mean(r.Clean.AnswerLogProb)} nats/token");
        // CDD's signal: the contaminated model's samples collapse onto its greedy answer more often than the clean one's.
        Assert.True(Mean(r.Contaminated.Peakedness) > Mean(r.Clean.Peakedness),
            $"peakedness on problems seen {top} times: contaminated {Mean(r.Contaminated.Peakedness)}, " +
            $"clean {Mean(r.Clean.Peakedness)}");

        // The per-problem lists are the claims' items: one per benchmark problem, and the levels' means come from them.
        foreach (var a in new[] { r.Contaminated, r.Clean })
            Assert.All(new[] { a.Peakedness, a.Pass1, a.Pass1Ted, a.GreedyMatch, a.AnswerLogProb },
                v => Assert.Equal(r.Occurrences.Count, v.Count));
        var level = r.Levels.Single(l => l.Model == "contaminated" && l.Occurrences == top);
        Assert.Equal(level.Pass1, Mean(r.Contaminated.Pass1), 12);
        Assert.Equal(level.Pass1Ted, Mean(r.Contaminated.Pass1Ted), 12);
        Assert.Equal(r.Occurrences.Count(o => o >= CddContamination.HighOccurrences), CddContamination.TedCutMargin(r).Count);
        Assert.Equal(2 * CddContamination.Config.Smoke.PerLevel, CddContamination.HighLabels(r).Count(x => x));
    }
}

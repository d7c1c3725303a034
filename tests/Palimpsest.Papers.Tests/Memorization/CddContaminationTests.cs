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
}

using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class CddContaminationTests(PaperTests<CddContamination>.SmokeRuns runs) : PaperTests<CddContamination>(runs)
{
    private readonly PaperTests<CddContamination>.SmokeRuns _runs = runs;

    [Fact]
    public void EveryProblemHasASolutionAndTheCheckerAcceptsOnlyCorrectAnswers()
    {
        var rng = new Rng(11);
        var tokenizer = new WordTokenizer(SubsetSum.Vocabulary);
        for (int i = 0; i < 200; i++)
        {
            var p = SubsetSum.Draw(rng);
            Assert.Equal(SubsetSum.Size, p.Numbers.Distinct().Count());
            Assert.NotEmpty(p.Solutions());
            var answer = p.RandomAnswer(rng);
            Assert.True(p.IsCorrect(answer.Split(' ')), answer);
            tokenizer.Encode($"{p.Prompt} {answer}"); // closed vocabulary
        }
        var q = new SubsetSum.Problem([1, 2, 3, 4, 5, 6, 7, 8], 6);
        Assert.Equal(4, q.Solutions().Count);                 // {6}, {1,5}, {2,4}, {1,2,3}
        Assert.True(q.IsCorrect(["2", "4", "."]));
        Assert.True(q.IsCorrect(["3", "1", "2", "."]));
        Assert.False(q.IsCorrect(["3", "3", "."]));          // a number used twice
        Assert.False(q.IsCorrect(["9", "."]));               // not in the problem
        Assert.False(q.IsCorrect(["2", "4"]));               // no end mark
        Assert.False(q.IsCorrect(["1", "4", "."]));          // wrong sum
    }

    [Fact]
    public void EveryModelReportsEveryLevel()
    {
        var r = (CddContamination.Result)_runs.First.Result;
        Assert.Equal(2 * (CddContamination.Config.Smoke.Occurrences.Length + 1), r.Levels.Count);
        Assert.All(r.Levels, l => Assert.InRange(l.Peakedness, 0, 1));
    }
}

using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class CddContaminationTests(PaperTests<CddContamination>.SmokeRuns runs) : PaperTests<CddContamination>(runs)
{
    private readonly PaperTests<CddContamination>.SmokeRuns _runs = runs;

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
        // The learning curves: every stage evaluated, every level at each evaluation; the clean model never saw the
        // fixed answers, so its greedy answers match them no more often than the contaminated model's.
        Assert.Equal(["base", "clean", "contaminated"], r.Curve.Select(c => c.Stage).Distinct().Order());
        var last = r.Curve.Where(c => c.Occurrences == top).GroupBy(c => c.Stage).ToDictionary(g => g.Key, g => g.Last());
        Assert.True(last["contaminated"].GreedyMatch >= last["clean"].GreedyMatch,
            $"greedy match at {top} occurrences: contaminated {last["contaminated"].GreedyMatch}, " +
            $"clean {last["clean"].GreedyMatch}");

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

/// <summary>The task generator and checker alone: no training, so these run without the smoke fixture.</summary>
public sealed class AlternatingPicksTests
{
    [Fact]
    public void TheFullTaskHasAMillionAnswersAndRandomAnswersAreCorrect()
    {
        var rng = new Rng(11);
        var task = CddContamination.Config.Full.Picks();
        var tokenizer = new WordTokenizer(task.Vocabulary);
        for (int i = 0; i < 200; i++)
        {
            var p = task.Draw(rng);
            Assert.Equal(task.ListSize, p.Numbers.Distinct().Count());
            Assert.Equal(task.ListSize / 2, p.Numbers.Count(n => n % 2 == 1));
            Assert.All(p.Numbers, n => Assert.InRange(n, 1, task.MaxNumber));
            // 12 · 6 · 5 · 5 · 4 · 4 · 3 · 3 · 2 · 2: any first number, then the unused numbers of the other parity
            Assert.Equal(1_036_800, task.Solutions(p));
            var answer = task.RandomAnswer(p, rng);
            Assert.True(task.IsCorrect(p, answer.Split(' ')), answer);
            var doc = tokenizer.Encode($"{p.Prompt} {answer}"); // closed vocabulary
            Assert.Equal(task.PromptTokens + task.AnswerTokens + 1, doc.Length);
            var picks = task.RandomPicks(p, rng);
            Assert.True(task.IsCorrect(p, AlternatingPicks.AnswerText(picks).Split(' ')));
            // The fast encoding the experiment uses is the tokenizer's encoding of the text.
            Assert.Equal(tokenizer.Encode($"{p.Prompt} {AlternatingPicks.AnswerText(picks)}"), task.Tokens(tokenizer, p, picks));
            Assert.Equal(tokenizer.Encode(p.Prompt, addEos: false), task.Tokens(tokenizer, p));
        }
    }

    [Fact]
    public void TheCheckerAcceptsOnlyAlternatingDistinctListNumbers()
    {
        var task = new AlternatingPicks(MaxNumber: 10, ListSize: 4, AnswerNumbers: 3, AlternateParity: true).Validated();
        var p = new AlternatingPicks.Problem([1, 2, 3, 4]);
        Assert.Equal(8, task.Solutions(p));                       // 4 first numbers · 2 of the other parity · 1 left
        Assert.True(task.IsCorrect(p, ["1", "2", "3", "."]));
        Assert.True(task.IsCorrect(p, ["4", "3", "2", "."]));
        Assert.False(task.IsCorrect(p, ["1", "3", "2", "."]));    // two odd numbers in a row
        Assert.False(task.IsCorrect(p, ["1", "2", "1", "."]));    // a number twice
        Assert.False(task.IsCorrect(p, ["1", "2", "5", "."]));    // 5 is not in the list
        Assert.False(task.IsCorrect(p, ["1", "2", "3"]));         // no end mark
        Assert.False(task.IsCorrect(p, ["1", "2", "."]));         // too short
        // Random answers are uniform over the 8 correct ones (8,000 draws: each about 1,000, sd about 30).
        var rng = new Rng(5);
        var counts = Enumerable.Range(0, 8_000).Select(_ => AlternatingPicks.AnswerText(task.RandomPicks(p, rng)))
            .GroupBy(a => a).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(8, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1_150));
        var anyOrder = task with { AlternateParity = false };
        Assert.Equal(24, anyOrder.Solutions(p));                  // 4 · 3 · 2
        Assert.True(anyOrder.IsCorrect(p, ["1", "3", "2", "."]));
        Assert.Throws<ArgumentException>(() => (task with { ListSize = 5 }).Validated());
        Assert.Throws<ArgumentException>(() => (task with { AnswerNumbers = 5 }).Validated());
        Assert.Throws<ArgumentException>(() => (task with { MaxNumber = 3 }).Validated());
    }
}

using Palimpsest.Core.Experiments;
using Palimpsest.Core.Oocr;
using Palimpsest.Papers.Oocr;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Oocr;

public sealed class ConnectingTheDotsTests(PaperTests<ConnectingTheDots>.SmokeRuns runs) : PaperTests<ConnectingTheDots>(runs)
{
    private readonly PaperTests<ConnectingTheDots>.SmokeRuns _runs = runs;

    [Fact]
    public void EveryTaskRunsWithoutLeaksAndReportsItsPrimaryQuestion()
    {
        var r = (ConnectingTheDots.Result)_runs.First.Result;
        Assert.Equal(ConnectingTheDots.TaskNames, r.Tasks.Select(t => t.Task));
        Assert.All(r.Tasks, t =>
        {
            Assert.True(t.LeakCheckPassed);
            Assert.Equal(ConnectingTheDots.PrimaryType(t.Task), t.PrimaryType);
            Assert.InRange(t.LatentAccuracy, 0, 1);
            Assert.InRange(t.LatentChance, 0.01, 0.6);
        });
        Assert.Contains(r.Cells, c => c.Kind == "in-context");
    }

    [Fact]
    public void TrainingMovesEveryTasksModel()
    {
        // The mechanism starts with training on the scattered evidence: a trainer that silently does nothing leaves the
        // loss at its first step's level (log of the vocabulary size for a fresh model). Even the smoke budget's few
        // dozen steps learn the documents' format tokens, worth well over a tenth of a nat.
        var r = (ConnectingTheDots.Result)_runs.First.Result;
        Assert.All(r.Tasks, t => Assert.True(t.FinalLoss < t.InitialLoss - 0.1,
            $"{t.Task}: training loss went from {t.InitialLoss:F3} to {t.FinalLoss:F3} nats/token; training did nothing"));
    }

    [Fact]
    public void PerItemEvidenceMatchesTheCellsAndTheControlIsPairedItemByItem()
    {
        var r = (ConnectingTheDots.Result)_runs.First.Result;
        Assert.All(r.Tasks, t =>
        {
            Assert.NotEmpty(t.LatentCorrect);
            Assert.Equal(t.LatentCorrect.Count, t.ShuffledNameCorrect.Count);
            Assert.Equal(t.LatentCorrect.Count, t.LatentItemChance.Count);
            Assert.Equal(t.LatentAccuracy, t.LatentCorrect.Average(), 12);
            Assert.Equal(t.LatentChance, t.LatentItemChance.Average(), 12);
            Assert.Equal(t.ShuffledNameAccuracy, t.ShuffledNameCorrect.Average(), 12);
        });
        // The inversion p is a permutation p: at least 1 / (permutations + 1), at most 1.
        double floor = Math.Log10(1.0 / (ConnectingTheDots.Config.Smoke.InversionPermutations + 1));
        Assert.InRange(r.Functions.InversionLog10P, floor - 1e-9, 0);
        Assert.InRange(r.Functions.ExplicitInversionAccuracy, 0, 1);
    }

    [Fact]
    public void TheShuffledNameControlAsksEveryLatentQuestionWithAnotherName()
    {
        // If the swap silently left the prompt unchanged, the control would be the method itself and could never lose.
        foreach (var task in ConnectingTheDots.TaskNames)
        {
            var world = ConnectingTheDots.Generate(task, smoke: true, new RunContext(1, Budget.Smoke));
            var latent = world.Questions.Where(q => q.Kind == LatentKind.Latent && q.Type == ConnectingTheDots.PrimaryType(task)).ToList();
            Assert.True(latent.Select(q => q.Name).Distinct().Count() >= 2, $"{task}: the control needs two latent names");
            Assert.All(latent, q =>
            {
                string swapped = ConnectingTheDots.WithName(q.Prompt, q.Name, "other_name");
                Assert.DoesNotContain(q.Name, swapped.Split(' '));
                Assert.Contains("other_name", swapped.Split(' '));
            });
        }
        Assert.Equal("f_9 ( f_2 3 ) ->", ConnectingTheDots.WithName("f_1 ( f_2 3 ) ->", "f_1", "f_9"));
    }

    [Fact]
    public void UnknownTaskNamesTheAllowedOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ConnectingTheDots.PrimaryType("gravity"));
        Assert.Contains("functions", e.Message);
        Assert.Throws<ArgumentException>(() => ConnectingTheDots.ExplicitCeiling("gravity"));
    }
}

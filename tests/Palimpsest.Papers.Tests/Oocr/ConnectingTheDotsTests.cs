using Palimpsest.Core.Experiments;
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
        Assert.All(ConnectingTheDots.TaskNames, task => Assert.All(new[] { "explicit", "latent", "control", "unseen" },
            kind => Assert.Contains(r.Cells, c => c.Task == task && c.Kind == kind)));
    }

    [Fact]
    public void EachTaskSpendsItsOwnTokenBudgetOneDocumentPerRowAndRecordsItsLearningCurve()
    {
        // A task that silently skipped training, or packed documents into long rows, would show here: the trained
        // tokens match the task's own budget (to within the last step), a pass's rows are single short documents, and
        // the curve runs from the untrained model (step 0) to the last step.
        var cfg = ConnectingTheDots.Config.Smoke;
        var r = (ConnectingTheDots.Result)_runs.First.Result;
        Assert.All(r.Tasks, t =>
        {
            long budget = cfg.TokensOf(t.Task);
            Assert.InRange(t.TrainedTokens, budget * 0.8, budget * 1.2 + cfg.BatchSize * cfg.ContextLength);
            Assert.True((double)t.TokensPerPass / t.DocumentsPerPass < 25,
                $"{t.Task}: {t.TokensPerPass} tokens in {t.DocumentsPerPass} rows is not one short document per row");
            Assert.Equal(0, t.Curve[0].Step);
            Assert.Equal(t.Steps, t.Curve[^1].Step);
            Assert.True(t.Curve.Count >= cfg.CurvePoints + 1, $"{t.Task}: {t.Curve.Count} curve points");
            Assert.True(t.Curve.Zip(t.Curve.Skip(1)).All(p => p.First.Step < p.Second.Step));
            Assert.All(t.Curve, p => Assert.InRange(p.Latent, 0, 1));
            Assert.Equal(cfg.ControlNames, t.ControlCorrect.Count);
            Assert.Equal(cfg.LatentNames, t.LatentCorrect.Count);
            Assert.Equal(t.ControlAccuracy, t.ControlCorrect.Average(), 12);
        });
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
            var world = ConnectingTheDots.Generate(task, ConnectingTheDots.Config.Smoke, new RunContext(1, Budget.Smoke));
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

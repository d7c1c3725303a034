using Palimpsest.Core.Experiments;
using Palimpsest.Papers.Oocr;
using Xunit;

namespace Palimpsest.Papers.Tests.Oocr;

/// <summary>The claims and figures of connecting-the-dots on hand-made results (no training).</summary>
public sealed class ClaimsAndFiguresTests
{
    /// <summary>A result whose tasks all have the given explicit accuracy, latent names all right, controls all wrong.</summary>
    private static ConnectingTheDots.Result Made(double explicitAccuracy, double controlCorrect = 0)
    {
        var ones = Enumerable.Repeat(1.0, 20).ToList();
        var tasks = ConnectingTheDots.TaskNames.Select(task => new ConnectingTheDots.TaskResult
        {
            Task = task, PrimaryType = ConnectingTheDots.PrimaryType(task),
            LatentAccuracy = 1, LatentChance = 0.25, LatentLog10P = -12, ShuffledNameAccuracy = 0,
            ControlAccuracy = controlCorrect, UnseenAccuracy = 0.25, UnseenLog10P = -0.2,
            ExplicitAccuracy = explicitAccuracy, InContextAccuracy = double.NaN, InContextItems = 0,
            LeakCheckPassed = true, DocumentsPerPass = 100, TokensPerPass = 700, Steps = 40, TrainedTokens = 28_000,
            InitialLoss = 5, FinalLoss = 1,
            Curve = [new(0, 0, 0, 0), new(20, 0.5, 0.3, 0.1), new(40, explicitAccuracy, 1, controlCorrect)],
            LatentCorrect = ones, LatentItemChance = Enumerable.Repeat(0.25, 20).ToList(),
            ShuffledNameCorrect = Enumerable.Repeat(0.0, 20).ToList(),
            ControlCorrect = Enumerable.Repeat(controlCorrect, 20).ToList(),
        }).ToList();
        return new ConnectingTheDots.Result
        {
            Tasks = tasks, Cells = [],
            Functions = new ConnectingTheDots.FunctionsDetail
            {
                LatentClassAccuracy = 1, LatentConstantAccuracy = 1, LatentInversionAccuracy = 1, InversionChance = 1.0 / 31,
                InversionLog10P = -4, ExplicitInversionAccuracy = 1,
            },
        };
    }

    [Fact]
    public void ClaimsFormAValidContractWithBothControlsPerTask()
    {
        IExperiment experiment = new ConnectingTheDots();
        Claims.Validate(experiment.ClaimSpecs, experiment.Info.Slug);
        foreach (var task in ConnectingTheDots.TaskNames)
        {
            Assert.Contains(experiment.ClaimSpecs, s => s.Id == $"{task}-latent-beats-shuffled-evidence" && s.Kind == ClaimKind.Control);
            Assert.Contains(experiment.ClaimSpecs, s => s.Id == $"{task}-latent-beats-shuffled-name" && s.Kind == ClaimKind.Control);
        }
    }

    [Fact]
    public void ShuffledEvidenceControlWinsWhenControlNamesScoreAsWell()
    {
        var claim = new ConnectingTheDots().Claims.Single(c => c.Id == "coins-latent-beats-shuffled-evidence");
        Assert.Equal(Verdict.Pass, claim.Evaluate(Made(1.0), Budget.Full).Verdict);
        Assert.Equal(Verdict.Fail, claim.Evaluate(Made(1.0, controlCorrect: 1), Budget.Full).Verdict);
    }

    [Fact]
    public void FindingsAreUntestedWhenTheExplicitNamesWereNotLearnt()
    {
        var experiment = new ConnectingTheDots();
        var outcomes = Claims.Judge(experiment.Claims, Made(0.5), Budget.Full);
        Assert.Equal(Verdict.Untested, outcomes.Single(o => o.Id == "functions-latent-above-chance").Verdict);
        Assert.Equal(Verdict.Untested, outcomes.Single(o => o.Id == "functions-latent-beats-shuffled-evidence").Verdict);
        var learnt = Claims.Judge(experiment.Claims, Made(0.95), Budget.Full);
        Assert.Equal(Verdict.Pass, learnt.Single(o => o.Id == "functions-latent-above-chance").Verdict);
    }

    [Fact]
    public void EveryTaskHasALearningCurveFigure()
    {
        var names = new ConnectingTheDots().Figures([Made(0.9), Made(0.95)]).Select(f => f.Name).ToList();
        Assert.Contains("accuracy-by-task", names);
        Assert.All(ConnectingTheDots.TaskNames, task => Assert.Contains($"learning-curve-{task}", names));
    }
}

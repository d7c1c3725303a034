using System.Diagnostics;
using System.Reflection;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;
using TorchSharp;

namespace Palimpsest.Papers.Tests.Contract;

/// <summary>
/// The contract every paper's test class inherits: a Smoke run under 60 s, serialisable results holding no tensors,
/// identical metrics from two same-seed runs, no live tensors left behind, well-formed claims (kinds, dependencies on
/// real preconditions, a control), and the claims judged at smoke holding at smoke.
/// Two Smoke runs happen once per class and are shared by the facts.
/// </summary>
[Collection("Torch")]
public abstract class PaperTests<TExperiment> : IClassFixture<PaperTests<TExperiment>.SmokeRuns>
    where TExperiment : IExperiment, new()
{
    private readonly SmokeRuns _runs;

    protected PaperTests(SmokeRuns runs) => _runs = runs;

    /// <summary>Two Smoke runs at seed 1, the live tensor counts around the first, and its wall time.</summary>
    public sealed class SmokeRuns
    {
        public IExperiment Experiment { get; } = new TExperiment();
        public ExperimentRun First { get; }
        public ExperimentRun Second { get; }
        public long LiveBefore { get; }
        public long LiveAfter { get; }

        public SmokeRuns()
        {
            var config = Experiment.ConfigFor(Budget.Smoke);
            LiveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            First = Experiment.Run(config, new RunContext(1, Budget.Smoke));
            LiveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            Second = Experiment.Run(config, new RunContext(1, Budget.Smoke));
        }
    }

    [Fact]
    public void SameSeedGivesIdenticalResults() =>
        Assert.Equal(Json.Serialize(_runs.First.Result), Json.Serialize(_runs.Second.Result));

    [Fact]
    public void NoTensorStaysAlive() =>
        Assert.True(_runs.LiveAfter <= _runs.LiveBefore,
            $"{_runs.Experiment.Info.Slug} left {_runs.LiveAfter - _runs.LiveBefore} live tensor(s) after a Smoke run");

    [Fact]
    public void ResultSerialisesAndHoldsNoTensors()
    {
        var result = _runs.First.Result;
        Assert.IsType(_runs.Experiment.ResultType, result);
        string json = Json.Serialize(result);
        Assert.True(json.Length > 2, "the result serialised to nothing");
        AssertNoTensorTypes(_runs.Experiment.ResultType, []);
        var metrics = ExperimentRunner.Metrics(result, _runs.First.Claims);
        Assert.NotEmpty(metrics);
    }

    [Fact]
    public void ClaimsAreWellFormedWithKindsDependenciesAndAControl()
    {
        var specs = _runs.Experiment.ClaimSpecs;
        Claims.Validate(specs, _runs.Experiment.Info.Slug); // ids, dependencies on real preconditions, a Control
        Assert.All(specs, s =>
        {
            Assert.False(string.IsNullOrWhiteSpace(s.Statement));
            Assert.False(string.IsNullOrWhiteSpace(s.Unit));
            Assert.True(double.IsFinite(s.Threshold), $"claim {s.Id} has threshold {s.Threshold}");
        });
        Assert.Equal(specs.Select(s => s.Id), _runs.First.Claims.Select(c => c.Id));
        Assert.All(_runs.First.Claims.Where(c => c.CheckedAt == Budget.Full), c => Assert.Equal(Verdict.NotChecked, c.Verdict));
        Assert.All(_runs.First.Claims.Where(c => c.Test == ClaimTest.Interval), c => Assert.NotNull(c.Evidence));
    }

    [Fact]
    public void ClaimsJudgedAtSmokeHoldAtSmoke()
    {
        // A claim judged at the smoke budget is the smoke run's guarantee (typically: the mechanism does something). If
        // the smoke run cannot show it, the claim belongs to the full budget.
        var failing = _runs.First.Claims.Where(c => c.CheckedAt == Budget.Smoke && c.Verdict != Verdict.Pass)
            .Select(c => $"{c.Id} ({c.Kind}): {c.Verdict}, measured {c.Measured} [{c.Low}, {c.High}], expected {c.Comparison.Symbol()} {c.Threshold}")
            .ToList();
        Assert.True(failing.Count == 0,
            $"{_runs.Experiment.Info.Slug}: claims judged at smoke do not hold at smoke (seed 1):\n{string.Join("\n", failing)}");
    }

    [Fact]
    public void SmokeIsSmallerThanFullAndBothAreRecords()
    {
        var smoke = _runs.Experiment.ConfigFor(Budget.Smoke);
        var full = _runs.Experiment.ConfigFor(Budget.Full);
        Assert.NotEqual(Json.Serialize(smoke), Json.Serialize(full));
        Assert.NotNull(_runs.Experiment.ConfigType.GetMethod("<Clone>$"));
    }

    [Fact]
    public void FiguresDrawFromSmokeResults()
    {
        var figures = _runs.Experiment.Figures([_runs.First.Result, _runs.Second.Result]);
        Assert.NotEmpty(figures);
        Assert.Equal(figures.Count, figures.Select(f => f.Name).Distinct().Count());
        Assert.All(figures, f => Assert.Matches("^[a-z0-9-]+$", f.Name));
        Assert.All(figures, f => Assert.Contains("Plotly.newPlot", Figures.ToHtmlFragment(f.Chart)));
    }

    private static void AssertNoTensorTypes(Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type) || type.IsPrimitive || type == typeof(string) || type.IsEnum) return;
        Assert.False(typeof(torch.Tensor).IsAssignableFrom(type), $"result type holds a tensor: {type.Name}");
        Assert.False(typeof(torch.nn.Module).IsAssignableFrom(type), $"result type holds a module: {type.Name}");
        if (type.IsArray) AssertNoTensorTypes(type.GetElementType()!, seen);
        foreach (var arg in type.IsGenericType ? type.GetGenericArguments() : []) AssertNoTensorTypes(arg, seen);
        if (type.Namespace?.StartsWith("Palimpsest", StringComparison.Ordinal) == true)
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                AssertNoTensorTypes(p.PropertyType, seen);
    }
}

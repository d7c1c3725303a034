using Palimpsest.Core.Experiments;
using Palimpsest.Core.Notebook;
using Palimpsest.Core.Reporting;
using Palimpsest.Papers.Tutorial;

namespace Palimpsest.Papers.Tests.Notebooks;

/// <summary>
/// <c>nb.Run</c> in process, without a kernel: an edited config goes to <c>&lt;budget&gt;-custom/</c> by the runner's
/// rule, and a cancelled run stops at the next training step, keeping the finished seeds and writing nothing partial.
/// </summary>
[Collection("Torch")]
public sealed class NotebookSessionTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "palimpsest-nb-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }

    /// <summary>start-here at a size that trains in a second: 20 steps per seed.</summary>
    private static readonly StartHere.Config Tiny = StartHere.Config.Smoke with
    {
        TrainSentences = 100, HeldOutSentences = 20, Steps = 20, BatchSize = 8, EvalEvery = 10, Samples = 4,
    };

    [Fact]
    public void Only_the_budgets_own_config_writes_to_the_budgets_folder()
    {
        var experiment = new StartHere();
        Assert.Equal("smoke", ExperimentRunner.BudgetFolder(Budget.Smoke, isCustom: false));
        Assert.Equal("full-custom", ExperimentRunner.BudgetFolder(Budget.Full, isCustom: true));

        Assert.False(ExperimentRunner.IsCustomConfig(experiment, Budget.Smoke, StartHere.Config.Smoke));
        Assert.False(ExperimentRunner.IsCustomConfig(experiment, Budget.Smoke, StartHere.Config.Smoke with { }));
        Assert.False(ExperimentRunner.IsCustomConfig(experiment, Budget.Full, StartHere.Config.Full));
        Assert.True(ExperimentRunner.IsCustomConfig(experiment, Budget.Smoke, StartHere.Config.Smoke with { Steps = 201 }));
        Assert.True(ExperimentRunner.IsCustomConfig(experiment, Budget.Smoke, StartHere.Config.Full));
        Assert.True(ExperimentRunner.IsCustomConfig(experiment, Budget.Full, StartHere.Config.Smoke));
    }

    [Fact]
    public void A_cancelled_run_stops_at_the_next_step_and_keeps_the_finished_seeds_in_the_custom_folder()
    {
        using var cancel = new CancellationTokenSource();
        var reported = new Dictionary<int, int>();   // seed -> last training step reported
        const int stopAfter = 5;
        var session = NotebookSession.Create(Budget.Smoke, [1, 2], _out, seed => new Recorder(update =>
        {
            if (update.Stage != "train") return;
            reported[seed] = update.Step;
            if (seed == 2 && update.Step == stopAfter) cancel.Cancel();
        }));

        var e = Assert.ThrowsAny<OperationCanceledException>(() => session.Run(new StartHere(), Tiny, cancel.Token));

        string custom = Path.Combine(_out, "start-here", "smoke-custom");
        Assert.Contains(custom, e.Message);
        Assert.Equal(Tiny.Steps, reported[1]);      // seed 1 finished
        Assert.Equal(stopAfter, reported[2]);       // seed 2 stopped at the next step
        Assert.False(Directory.Exists(Path.Combine(_out, "start-here", "smoke")), "an edited run wrote to the default folder");
        var record = Json.Deserialize<RunRecord>(File.ReadAllText(Path.Combine(custom, "seed-1", "result.json")));
        Assert.Equal(1, record.Seed);
        Assert.Equal(Tiny.Steps, record.Config!["steps"]!.GetValue<int>());
        var files = Directory.GetFiles(custom, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(custom, f).Replace('\\', '/')).ToList();
        Assert.Equal(["seed-1/result.json"], files);   // no seed-2 result, no summary, no temporary file
    }

    private sealed class Recorder(Action<ProgressUpdate> report) : IProgressSink
    {
        public void Report(ProgressUpdate update) => report(update);
        public void Done(string stage) { }
    }
}

using Microsoft.Data.Analysis;
using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Runtime;
using Plotly.NET;

namespace Palimpsest.Core.Notebook;

/// <summary>
/// What a notebook needs from the library, with no .NET Interactive dependency: the budget (from
/// <c>PALIMPSEST_BUDGET</c>; default full), the seeds, a banner, charts that draw offline, and
/// <see cref="Run{TConfig,TResult}"/>, which runs an experiment over the seeds with a live progress display and writes the
/// same result files as the runner.
/// </summary>
public sealed class NotebookSession
{
    /// <summary>The environment variable that picks the budget.</summary>
    public const string BudgetVariable = "PALIMPSEST_BUDGET";

    /// <summary>The session's budget.</summary>
    public Budget Budget { get; }

    /// <summary>Seeds of a run: one at smoke budget, three at full.</summary>
    public IReadOnlyList<int> Seeds { get; }

    /// <summary>Where result files go (runs/ at the repository root).</summary>
    public string OutDir { get; }

    private readonly Func<int, IProgressSink>? _progress;

    private NotebookSession(Budget budget, IReadOnlyList<int> seeds, string outDir, Func<int, IProgressSink>? progress)
    {
        Budget = budget;
        Seeds = seeds;
        OutDir = outDir;
        _progress = progress;
    }

    /// <summary>
    /// Starts a session: initialises the torch runtime (and the FSharp.Core fallback Plotly.NET needs in a kernel),
    /// reads <c>PALIMPSEST_BUDGET</c> (smoke or full; default full in an interactive session) and prints a banner. In a
    /// kernel it also puts plotly.js on the page once (inlined, about 3.6 MB) and shows every chart with it, so charts
    /// draw with no network (Plotly.NET.Interactive's own display loads plotly.js from a CDN).
    /// </summary>
    public static NotebookSession Start()
    {
        TorchRuntime.Initialize();
        string? setting = Environment.GetEnvironmentVariable(BudgetVariable);
        Budget budget;
        try
        {
            budget = string.IsNullOrWhiteSpace(setting) ? Budget.Full : Budgets.Parse(setting);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{BudgetVariable}: {e.Message}", e);
        }
        IReadOnlyList<int> seeds = budget == Budget.Full ? [1, 2, 3] : [1];
        string outDir = Path.Combine(RepoPaths.TryFindRoot() ?? Directory.GetCurrentDirectory(), "runs");
        var session = new NotebookSession(budget, seeds, outDir, progress: null);
        Console.WriteLine(session.Banner);
        if (KernelDisplay.TryFind() is { } display) ShowChartsOffline(display);
        return session;
    }

    /// <summary>
    /// A session with explicit settings, for scripts and tests: no environment variable, banner or chart set-up.
    /// Progress goes to <paramref name="progress"/> (null: the kernel's display in a notebook, else the console).
    /// </summary>
    public static NotebookSession Create(Budget budget, IReadOnlyList<int> seeds, string outDir,
        Func<int, IProgressSink>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(seeds);
        ArgumentException.ThrowIfNullOrWhiteSpace(outDir);
        return new NotebookSession(budget, seeds.ToList(), Path.GetFullPath(outDir), progress);
    }

    /// <summary>Budget, seeds, commit, device, versions: what the run can be rebuilt from.</summary>
    public string Banner
    {
        get
        {
            var p = Provenance.Current();
            string commit = p.Commit.Length > 10 ? p.Commit[..10] : p.Commit;
            return $"Palimpsest · budget {Budget.Name()} ({BudgetVariable}) · seeds {string.Join(",", Seeds)} · commit {commit} · " +
                   $"{Devices.Describe()} · TorchSharp {p.Packages.GetValueOrDefault("TorchSharp")} (libtorch {p.Packages.GetValueOrDefault("libtorch")})";
        }
    }

    /// <summary>The config of the session's budget: <c>nb.Pick(X.Config.Smoke, X.Config.Full)</c>.</summary>
    public T Pick<T>(T smoke, T full) => Budget == Budget.Full ? full : smoke;

    /// <summary>
    /// The settings of <paramref name="config"/> as a table: value, full-budget value where it differs, and what each
    /// setting is (from the code's documentation). Show settings with this rather than in prose.
    /// </summary>
    public DataFrame Settings<TConfig>(TConfig config) where TConfig : class, IExperimentConfig<TConfig> =>
        SettingsTable.Frame(config, TConfig.Full);

    /// <summary>
    /// Runs <paramref name="experiment"/> over the session's seeds with a live progress display. A config that is not
    /// the budget's own (<c>cfg with { … }</c>) writes to <c>runs/&lt;slug&gt;/&lt;budget&gt;-custom/</c>, as the runner
    /// does for <c>--set</c>, so an edited run never reaches the scoreboard. Interrupting the cell (or cancelling
    /// <paramref name="cancellation"/>) stops training at the next step and throws
    /// <see cref="OperationCanceledException"/>; seeds finished before are kept on disk.
    /// </summary>
    public NotebookRun<TResult> Run<TConfig, TResult>(Experiment<TConfig, TResult> experiment, TConfig config,
        CancellationToken cancellation = default)
        where TConfig : class, IExperimentConfig<TConfig>
        where TResult : class
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(config);
        bool isCustom = ExperimentRunner.IsCustomConfig(experiment, Budget, config);
        string folder = ExperimentRunner.BudgetFolder(Budget, isCustom);
        string dir = Path.Combine(OutDir, experiment.Info.Slug, folder);
        if (isCustom)
            Console.WriteLine($"This config differs from the {Budget.Name()} budget's own: results go to {dir} " +
                              "(never on the scoreboard).");
        var display = _progress is null ? KernelDisplay.TryFind() : null;
        IProgressSink Progress(int seed) => _progress?.Invoke(seed)
            ?? (display is null
                ? new ConsoleProgress($"[{experiment.Info.Slug} seed {seed}] ")
                : new NotebookProgress(display, $"seed {seed}: "));
        using var cancel =
            CancellationTokenSource.CreateLinkedTokenSource(cancellation, KernelDisplay.CurrentCancellation());
        try
        {
            var run = ExperimentRunner.Run(experiment, Budget, Seeds, config, OutDir, Progress,
                cancellation: cancel.Token, budgetFolder: folder);
            return new NotebookRun<TResult>(run);
        }
        catch (OperationCanceledException e) when (cancel.IsCancellationRequested)
        {
            throw new OperationCanceledException(
                $"{experiment.Info.Slug}: run cancelled; the seeds finished before it are kept in {dir}", e, cancel.Token);
        }
    }

    /// <summary>
    /// Shows plotly.js once and makes the kernel draw every chart with it (<see cref="Figures.ToNotebookHtml"/>).
    /// The formatter is registered before plotly.js is shown, so a failure leaves Plotly.NET's display in place.
    /// </summary>
    private static void ShowChartsOffline(KernelDisplay display)
    {
        long shown = 0;
        if (KernelDisplay.TryRegisterHtmlFormatter(typeof(GenericChart),
                chart => Figures.ToNotebookHtml((GenericChart)chart, Interlocked.Increment(ref shown))))
            display.ShowHtml(Figures.PlotlyJsNotebookScript());
    }
}

/// <summary>A notebook's view of a multi-seed run: typed results, the claim table, figures.</summary>
public sealed class NotebookRun<TResult> where TResult : class
{
    private readonly SeedsRun _run;

    internal NotebookRun(SeedsRun run) => _run = run;

    /// <summary>One result per seed, in seed order.</summary>
    public IReadOnlyList<TResult> Results => _run.ResultsAs<TResult>();

    /// <summary>The first seed's result.</summary>
    public TResult First => Results[0];

    /// <summary>Claims aggregated over seeds.</summary>
    public RunSummary Summary => _run.Summary;

    /// <summary>The claim table as a DataFrame (renders as a table in a notebook).</summary>
    public DataFrame ClaimTable() => Reporting.ClaimTable.Frame(_run.Summary);

    /// <summary>The experiment's figures over all seeds.</summary>
    public IReadOnlyList<(string Name, GenericChart Chart)> Figures => _run.Experiment.Figures(_run.Results);

    /// <summary>One figure by name.</summary>
    public GenericChart Figure(string name) =>
        Figures.FirstOrDefault(f => f.Name == name).Chart
        ?? throw new ArgumentException($"no figure '{name}'; available: {string.Join(", ", Figures.Select(f => f.Name))}");

    /// <summary>One claim's summary over the seeds, by id (for a closing cell that quotes a measured number).</summary>
    public ClaimSummary Claim(string id) =>
        _run.Summary.Claims.FirstOrDefault(c => c.Id == id)
        ?? throw new ArgumentException($"no claim '{id}'; claims: {string.Join(", ", _run.Summary.Claims.Select(c => c.Id))}");

    /// <summary>
    /// The paper's verdict and headline: "start-here: REPRODUCED (3 of 3 findings; controls 1/1) at budget full over
    /// seeds 1,2,3". At the smoke budget most findings are not checked, so the verdict reads "not checked".
    /// </summary>
    public string Verdict() => Reporting.ClaimTable.Verdict(_run.Summary);
}

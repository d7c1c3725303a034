using System.Globalization;
using System.Reflection;
using Palimpsest.Core.Reporting;
using TorchSharp;

namespace Palimpsest.Core.Experiments;

/// <summary>Everything one multi-seed run produced: per-seed records and results, and the summary.</summary>
public sealed record SeedsRun(IExperiment Experiment, object Config, Budget Budget,
    IReadOnlyList<RunRecord> Records, IReadOnlyList<object> Results, RunSummary Summary)
{
    /// <summary>The results cast to the experiment's result type.</summary>
    public IReadOnlyList<T> ResultsAs<T>() => Results.Cast<T>().ToList();
}

/// <summary>
/// Runs an experiment over seeds and writes <c>DIR/&lt;slug&gt;/&lt;budget&gt;/seed-&lt;n&gt;/result.json</c>,
/// <c>summary.json</c>, <c>claims.md</c> and the figures. Every file is written atomically, as soon as it is known,
/// so an interrupted run keeps the seeds already finished.
/// </summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Runs <paramref name="experiment"/> once per seed; writes files under <paramref name="outDir"/> when given. Before any
    /// training it validates the config (an <see cref="ArgumentException"/> naming the setting) and probes the output folder
    /// (an <see cref="IOException"/>).
    /// </summary>
    /// <param name="config">The resolved config (null: the budget's own).</param>
    /// <param name="progress">Makes the progress sink of each seed (null: none).</param>
    /// <param name="cancellation">Stops the run at the next training step; seeds finished before are kept on disk.</param>
    /// <param name="budgetFolder">Folder under the slug (default: the budget's name; <see cref="BudgetFolder"/>).</param>
    /// <param name="seedFilesOnly">Write only <c>seed-&lt;n&gt;/result.json</c>, and remove the paper's summary files left by
    /// an earlier run (<see cref="RemovePaperFiles"/>): a shard's share of a paper, whose verdict only the merge of every
    /// shard may write (<see cref="ShardMerge"/>).</param>
    public static SeedsRun Run(IExperiment experiment, Budget budget, IReadOnlyList<int> seeds, object? config = null,
        string? outDir = null, Func<int, IProgressSink>? progress = null, torch.Device? device = null,
        CancellationToken cancellation = default, string? budgetFolder = null, bool seedFilesOnly = false)
    {
        if (seeds.Count == 0) throw new ArgumentException("at least one seed is needed", nameof(seeds));
        if (seeds.Distinct().Count() != seeds.Count)
            throw new ArgumentException($"seeds repeat: {string.Join(",", seeds)}", nameof(seeds));
        config ??= experiment.ConfigFor(budget);
        // Fail before any training: settings out of range, claims ill-formed, or an output folder that cannot be written.
        experiment.Validate(config);
        Claims.Validate(experiment.ClaimSpecs, experiment.Info.Slug);
        string? budgetDir = outDir is null ? null : Path.Combine(outDir, experiment.Info.Slug, budgetFolder ?? budget.Name());
        if (budgetDir is not null) AtomicFile.ProbeFolder(budgetDir);
        if (budgetDir is not null && seedFilesOnly) RemovePaperFiles(budgetDir);
        var provenance = Provenance.Current();
        var records = new List<RunRecord>();
        var results = new List<object>();
        foreach (int seed in seeds)
        {
            cancellation.ThrowIfCancellationRequested();
            var context = new RunContext(seed, budget, progress?.Invoke(seed), device, cancellation);
            var run = experiment.Run(config, context);
            var record = Record(experiment, budget, seed, config, provenance, run);
            records.Add(record);
            results.Add(run.Result);
            if (budgetDir is not null)
                AtomicFile.WriteAllText(Path.Combine(budgetDir, $"seed-{seed}", "result.json"), Json.Serialize(record));
        }
        var summary = Summarize(experiment, budget, seeds, records);
        if (budgetDir is not null && !seedFilesOnly) WritePaperFiles(experiment, budgetDir, summary, results);
        return new SeedsRun(experiment, config, budget, records, results, summary);
    }

    /// <summary>
    /// Writes the files that speak for the paper over all its seeds: <c>summary.json</c>, <c>claims.md</c> and the
    /// figures drawn from <paramref name="results"/> (none when null).
    /// </summary>
    public static void WritePaperFiles(IExperiment experiment, string budgetDir, RunSummary summary, IReadOnlyList<object>? results)
    {
        AtomicFile.WriteAllText(Path.Combine(budgetDir, "summary.json"), Json.Serialize(summary));
        AtomicFile.WriteAllText(Path.Combine(budgetDir, "claims.md"), ClaimTable.Markdown(summary));
        if (results is null) return;
        foreach (var (name, chart) in experiment.Figures(results))
            Figures.SaveHtml(chart, Path.Combine(budgetDir, $"fig-{name}.html"));
    }

    /// <summary>
    /// Deletes the paper-level files of <paramref name="budgetDir"/> (<c>summary.json</c>, <c>claims.md</c>, <c>fig-*.html</c>,
    /// and a merge's <c>incomplete.json</c>), keeping the per-seed results: what a shard does before writing its seeds, so
    /// that a verdict over other seeds' files never stands beside them.
    /// </summary>
    public static void RemovePaperFiles(string budgetDir)
    {
        if (!Directory.Exists(budgetDir)) return;
        foreach (var name in new[] { "summary.json", "claims.md", IncompleteRun.FileName })
            File.Delete(Path.Combine(budgetDir, name));
        foreach (var figure in Directory.EnumerateFiles(budgetDir, "fig-*.html").ToList()) File.Delete(figure);
    }

    /// <summary>
    /// The folder under the slug that a run writes to: the budget's name for the budget's own config, and
    /// <c>&lt;budget&gt;-custom</c> for any other (the runner's <c>--set</c> overrides, a notebook's edited config), which
    /// the scoreboard never reads and which is never published, so an edited run never passes for the paper's result.
    /// </summary>
    public static string BudgetFolder(Budget budget, bool isCustom) =>
        isCustom ? $"{budget.Name()}-custom" : budget.Name();

    /// <summary>
    /// True when <paramref name="config"/> differs from <paramref name="experiment"/>'s own config at
    /// <paramref name="budget"/>, compared as result.json records it (every setting, by value).
    /// </summary>
    public static bool IsCustomConfig(IExperiment experiment, Budget budget, object config) =>
        Json.Serialize(config) != Json.Serialize(experiment.ConfigFor(budget));

    /// <summary>The summary of per-seed records.</summary>
    public static RunSummary Summarize(IExperiment experiment, Budget budget, IReadOnlyList<int> seeds,
        IReadOnlyList<RunRecord> records)
    {
        var claims = ClaimAggregator.Summarize(experiment.ClaimSpecs, records.Select(r => r.Claims).ToList(), budget, seeds);
        bool? clean = records.Any(r => r.Provenance.Clean is null) ? null : records.All(r => r.Provenance.Clean == true);
        return new RunSummary(experiment.Info.Slug, experiment.Info.Family, experiment.Info.Title, budget.Name(), seeds,
            records[0].Provenance.Commit, experiment.ClaimsHash, clean, records.Sum(r => r.WallSeconds),
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), claims);
    }

    private static RunRecord Record(IExperiment experiment, Budget budget, int seed, object config, Provenance provenance,
        ExperimentRun run) =>
        new(experiment.Info.Slug, experiment.Info.Family, experiment.Info.Title, budget.Name(), seed, Json.ToNode(config),
            provenance, experiment.ClaimsHash, Math.Round(run.WallSeconds, 3),
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            Metrics(run.Result, run.Claims), run.Claims, Json.ToNode(run.Result));

    /// <summary>The result's top-level numbers plus each claim's measured value as <c>claim.&lt;id&gt;</c>.</summary>
    public static IReadOnlyDictionary<string, double> Metrics(object result, IReadOnlyList<ClaimOutcome> claims)
    {
        var metrics = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in result.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0) continue;
            object? v = p.GetValue(result);
            double? number = v switch
            {
                double d => d,
                float f => f,
                int i => i,
                long l => l,
                _ => null,
            };
            if (number is { } n) metrics[JsonName(p.Name)] = n;
        }
        foreach (var c in claims) metrics[$"claim.{c.Id}"] = c.Measured;
        return metrics;
    }

    private static string JsonName(string name) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(name);

    /// <summary>A one-line description of a run for banners: slug, budget, seeds.</summary>
    public static string Banner(IExperiment experiment, Budget budget, IReadOnlyList<int> seeds) =>
        $"{experiment.Info.Slug} · budget {budget.Name()} · seeds {string.Join(",", seeds)}";
}

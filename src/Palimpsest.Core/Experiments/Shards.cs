using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Palimpsest.Core.Reporting;

namespace Palimpsest.Core.Experiments;

/// <summary>One (paper, seed) cell of a reproduction's grid.</summary>
public sealed record GridCell(string Slug, int Seed);

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (1-based) of a reproduction's grid: the (paper, seed) cells, papers in
/// registry order and seeds in the order given, dealt round-robin. The shards are disjoint, together cover the grid, and
/// differ in size by at most one cell.
/// </summary>
public readonly record struct Shard(int Index, int Count)
{
    /// <summary>The allowed form, for messages.</summary>
    public const string Form = "K/N, shard K of N shards with 1 <= K <= N (e.g. --shard 2/4)";

    /// <summary>Parses "K/N"; anything else throws an <see cref="ArgumentException"/> naming the value and the allowed form.</summary>
    public static Shard Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split('/');
        if (parts.Length != 2 || !TryInt(parts[0], out int k) || !TryInt(parts[1], out int n))
            throw new ArgumentException($"--shard '{text}' is not of the form K/N; expected {Form}");
        if (n < 1) throw new ArgumentException($"--shard '{text}': N = {n} shards, but N must be at least 1; expected {Form}");
        if (k < 1 || k > n)
            throw new ArgumentException($"--shard '{text}': K = {k} is not a shard of {n}; K must be 1..{n}; expected {Form}");
        return new Shard(k, n);
    }

    /// <summary>The shard (1-based) that takes cell <paramref name="cellIndex"/> (0-based) of a grid dealt to
    /// <paramref name="count"/> shards: (i mod N) + 1, round-robin.</summary>
    public static int Owner(int cellIndex, int count) => cellIndex % count + 1;

    /// <summary>The cells of <paramref name="grid"/> this shard takes (<see cref="Owner"/>).</summary>
    public IReadOnlyList<GridCell> Take(IReadOnlyList<GridCell> grid)
    {
        int index = Index, count = Count;
        return grid.Where((_, i) => Owner(i, count) == index).ToList();
    }

    /// <summary>The manifest's file name, "shard-2-of-4.json", so that shards may also share one output folder.</summary>
    public string ManifestName => $"shard-{Index}-of-{Count}.json";

    /// <summary>"2/4".</summary>
    public override string ToString() => $"{Index}/{Count}";

    private static bool TryInt(string s, out int v) =>
        int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out v);
}

/// <summary>
/// What <c>OUT/shard-K-of-N.json</c> holds: the whole grid (budget, papers, seeds, shard count), the commit, and the cells
/// this shard was given. It is written before any training, so an interrupted shard still says which cells it owed.
/// </summary>
public sealed record ShardManifest(
    int Shard, int Shards, string Budget, IReadOnlyList<string> Papers, IReadOnlyList<int> Seeds, string Commit,
    IReadOnlyList<GridCell> Cells)
{
    /// <summary>The manifest of <paramref name="shard"/> of the grid <paramref name="papers"/> × <paramref name="seeds"/>.</summary>
    public static ShardManifest For(Shard shard, Budget budget, IReadOnlyList<string> papers, IReadOnlyList<int> seeds,
        string commit) =>
        new(shard.Index, shard.Count, budget.Name(), papers, seeds, commit, shard.Take(Grid(papers, seeds)));

    /// <summary>The grid in its fixed order: paper by paper, each paper's seeds in the order given.</summary>
    public static IReadOnlyList<GridCell> Grid(IReadOnlyList<string> papers, IReadOnlyList<int> seeds) =>
        papers.SelectMany(p => seeds.Select(s => new GridCell(p, s))).ToList();

    /// <summary>"budget smoke, papers start-here, seeds 1,2,3, 3 shards": what every shard of one reproduction shares.</summary>
    [JsonIgnore]
    public string GridKey => $"budget {Budget}, papers {string.Join(",", Papers)}, seeds {string.Join(",", Seeds)}, {Shards} shards";
}

/// <summary>
/// What <c>incomplete.json</c> holds in a merged folder for a (paper, budget) with seeds missing. Such a folder has no
/// summary, so no verdict; the scoreboard shows the paper as incomplete instead of any older result.
/// </summary>
public sealed record IncompleteRun(string Slug, string Budget, IReadOnlyList<int> Seeds, IReadOnlyList<int> Missing)
{
    /// <summary>The file's name in <c>OUT/&lt;slug&gt;/&lt;budget&gt;/</c>.</summary>
    public const string FileName = "incomplete.json";
}

/// <summary>A grid cell the merge did not find: its shard, and that shard's folder (null: no folder of it was given).</summary>
public sealed record MissingCell(GridCell Cell, int Shard, string? Folder);

/// <summary>A result file found for a grid cell: the record, where it was read and its text (copied byte for byte).</summary>
public sealed record FoundCell(RunRecord Record, string Path, string Text);

/// <summary>One paper of a merge: the seeds found, in grid order, and the seeds missing.</summary>
public sealed record MergedPaper(IExperiment Experiment, IReadOnlyList<FoundCell> Found, IReadOnlyList<int> Missing)
{
    /// <summary>Every seed of the grid was found.</summary>
    public bool IsComplete => Missing.Count == 0;
}

/// <summary>A checked merge, ready to write: the grid, the papers, and the cells missing.</summary>
public sealed record MergePlan(
    Budget Budget, IReadOnlyList<int> Seeds, string Commit, int Shards, IReadOnlyList<MergedPaper> Papers,
    IReadOnlyList<MissingCell> Missing);

/// <summary>
/// Combines the output folders of sharded reproductions (<c>palimpsest reproduce --shard K/N</c>) into one folder that
/// holds what one unsharded run would have written: the per-seed results as the shards wrote them, and each complete
/// paper's summary, claim table and figures, computed from those results. <see cref="Plan"/> reads and checks everything
/// before <see cref="Write"/> writes anything; it refuses (an <see cref="InvalidDataException"/>) shards of different
/// grids or commits, results run with another config or judged by other claims than this build's, and a cell found in
/// two folders with different contents. Cells that no folder holds are not an error: their papers get no summary, and an
/// <see cref="IncompleteRun"/> says which seeds are missing.
/// </summary>
public static class ShardMerge
{
    /// <summary>Reads and checks the shard folders; <paramref name="resolve"/> finds a registered experiment by slug.</summary>
    public static MergePlan Plan(IReadOnlyList<string> folders, Func<string, IExperiment> resolve)
    {
        if (folders.Count == 0) throw new InvalidDataException("merge needs at least one shard output folder");
        var manifests = new List<(ShardManifest Manifest, string Path, string Folder)>();
        foreach (var folder in folders.Select(Path.GetFullPath))
        {
            if (!Directory.Exists(folder)) throw new InvalidDataException($"'{folder}' is not a folder");
            var files = Directory.EnumerateFiles(folder, "shard-*-of-*.json").Order(StringComparer.Ordinal).ToList();
            if (files.Count == 0)
                throw new InvalidDataException(
                    $"'{folder}' holds no shard manifest (shard-K-of-N.json); merge combines the output folders of " +
                    "'palimpsest reproduce --shard K/N'");
            foreach (var file in files) manifests.Add((ReadJson<ShardManifest>(file), file, folder));
        }

        var first = manifests[0];
        foreach (var (m, path, _) in manifests)
        {
            if (m.GridKey != first.Manifest.GridKey)
                throw new InvalidDataException(
                    $"the shards are of different reproductions: {first.Path} has {first.Manifest.GridKey}; {path} has " +
                    $"{m.GridKey}. Merge only the shards of one 'reproduce --shard K/N' command line.");
            if (m.Commit != first.Manifest.Commit)
                throw new InvalidDataException(
                    $"the shards ran from different commits: {first.Manifest.Commit} ({first.Path}) and {m.Commit} ({path}); " +
                    "merge only shards run from one commit");
            if (m.Shard < 1 || m.Shard > m.Shards ||
                !m.Cells.SequenceEqual(new Shard(m.Shard, m.Shards).Take(ShardManifest.Grid(m.Papers, m.Seeds))))
                throw new InvalidDataException($"{path} lists cells that shard {m.Shard}/{m.Shards} does not take; it was edited or is damaged");
        }

        var grid = first.Manifest;
        var budget = ParseBudget(grid.Budget, first.Path);
        var experiments = grid.Papers.Select(slug => Resolve(resolve, slug, first.Path)).ToList();
        var bySlug = experiments.ToDictionary(e => e.Info.Slug);
        var found = new Dictionary<GridCell, (FoundCell Cell, string Canonical)>();
        foreach (var (m, _, folder) in manifests)
        {
            foreach (var cell in m.Cells)
            {
                string path = Path.Combine(folder, cell.Slug, grid.Budget, $"seed-{cell.Seed}", "result.json");
                if (!File.Exists(path)) continue;
                string text = File.ReadAllText(path);
                var record = ReadJson<RunRecord>(path, text);
                Check(record, cell, path, bySlug[cell.Slug], budget, grid.Commit);
                string canonical = Json.Serialize(record with { WallSeconds = 0, FinishedUtc = "" });
                if (found.TryGetValue(cell, out var earlier))
                {
                    if (earlier.Canonical != canonical)
                        throw new InvalidDataException(
                            $"{cell.Slug} seed {cell.Seed} ({grid.Budget}) differs between {earlier.Cell.Path} and {path} " +
                            $"(in: {string.Join(", ", DifferingKeys(JsonNode.Parse(earlier.Canonical), JsonNode.Parse(canonical)))}); " +
                            "the same cell must hold the same result (wall time and finish time aside). Keep one of the two folders.");
                    continue;
                }
                found[cell] = (new FoundCell(record, path, text), canonical);
            }
        }

        var given = manifests.GroupBy(m => m.Manifest.Shard).ToDictionary(g => g.Key, g => g.First().Folder);
        var cells = ShardManifest.Grid(grid.Papers, grid.Seeds);
        var missing = cells.Select((cell, i) => (cell, shard: Shard.Owner(i, grid.Shards))).Where(x => !found.ContainsKey(x.cell))
            .Select(x => new MissingCell(x.cell, x.shard, given.GetValueOrDefault(x.shard))).ToList();
        var papers = experiments.Select(e => new MergedPaper(e,
            grid.Seeds.Where(s => found.ContainsKey(new GridCell(e.Info.Slug, s))).Select(s => found[new GridCell(e.Info.Slug, s)].Cell).ToList(),
            missing.Where(m => m.Cell.Slug == e.Info.Slug).Select(m => m.Cell.Seed).ToList())).ToList();
        return new MergePlan(budget, grid.Seeds, grid.Commit, grid.Shards, papers, missing);
    }

    /// <summary>
    /// Writes <paramref name="plan"/> to <paramref name="outDir"/>: every result found, as the shard wrote it; for each
    /// complete paper its summary, claim table and figures (redrawn from the results read back); for each incomplete paper
    /// an <see cref="IncompleteRun"/> instead, its older summary files removed. Returns the complete papers' runs.
    /// </summary>
    /// <param name="warnings">Where to say that a paper's figures could not be redrawn.</param>
    public static IReadOnlyList<SeedsRun> Write(MergePlan plan, string outDir, TextWriter warnings)
    {
        var runs = new List<SeedsRun>();
        foreach (var paper in plan.Papers)
        {
            var e = paper.Experiment;
            string budgetDir = Path.Combine(outDir, e.Info.Slug, plan.Budget.Name());
            foreach (var cell in paper.Found)
            {
                string to = Path.Combine(budgetDir, $"seed-{cell.Record.Seed}", "result.json");
                if (Path.GetFullPath(to) != cell.Path) AtomicFile.WriteAllText(to, cell.Text);
            }
            ExperimentRunner.RemovePaperFiles(budgetDir);
            if (!paper.IsComplete)
            {
                AtomicFile.WriteAllText(Path.Combine(budgetDir, IncompleteRun.FileName),
                    Json.Serialize(new IncompleteRun(e.Info.Slug, plan.Budget.Name(), plan.Seeds, paper.Missing)));
                continue;
            }
            var records = paper.Found.Select(c => c.Record).ToList();
            var summary = ExperimentRunner.Summarize(e, plan.Budget, plan.Seeds, records);
            var results = ReadResults(e, records, warnings);
            ExperimentRunner.WritePaperFiles(e, budgetDir, summary, results);
            runs.Add(new SeedsRun(e, e.ConfigFor(plan.Budget), plan.Budget, records, results ?? [], summary));
        }
        return runs;
    }

    /// <summary>The results read back as the experiment's result type, for its figures; null (and a warning) when they cannot be.</summary>
    private static IReadOnlyList<object>? ReadResults(IExperiment e, IReadOnlyList<RunRecord> records, TextWriter warnings)
    {
        try
        {
            return records.Select(r => r.Result.Deserialize(e.ResultType, Json.Options)
                ?? throw new JsonException($"seed {r.Seed} has no result")).ToList();
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            warnings.WriteLine($"{e.Info.Slug}: figures not drawn, its results do not read back as {e.ResultType.Name} ({ex.Message})");
            return null;
        }
    }

    private static void Check(RunRecord record, GridCell cell, string path, IExperiment experiment, Budget budget, string commit)
    {
        if (record.Slug != cell.Slug || record.Seed != cell.Seed || record.Budget != budget.Name())
            throw new InvalidDataException(
                $"{path} holds {record.Slug} seed {record.Seed} ({record.Budget}), not {cell.Slug} seed {cell.Seed} ({budget.Name()})");
        if (record.Provenance.Commit != commit)
            throw new InvalidDataException(
                $"{path} was run from commit {record.Provenance.Commit}, its shard's manifest from {commit}; merge only results of one commit");
        if (record.ClaimsHash != experiment.ClaimsHash)
            throw new InvalidDataException(
                $"{path} was judged by claims {record.ClaimsHash}, this build's {cell.Slug} claims are {experiment.ClaimsHash}: " +
                $"merge with the runner built from the shards' commit {commit}");
        var config = Json.ToNode(experiment.ConfigFor(budget));
        if (Json.Serialize(record.Config) != Json.Serialize(config))
            throw new InvalidDataException(
                $"{path} was run with another config than this build's {budget.Name()} config of {cell.Slug} " +
                $"(settings: {string.Join(", ", DifferingKeys(record.Config, config))}): merge with the runner built from the " +
                $"shards' commit {commit}");
    }

    /// <summary>The top-level keys whose values differ between two JSON objects.</summary>
    private static IEnumerable<string> DifferingKeys(JsonNode? a, JsonNode? b)
    {
        if (a is not JsonObject x || b is not JsonObject y) return ["(the whole value)"];
        return x.Select(p => p.Key).Union(y.Select(p => p.Key)).Order(StringComparer.Ordinal)
            .Where(k => x[k]?.ToJsonString() != y[k]?.ToJsonString());
    }

    private static IExperiment Resolve(Func<string, IExperiment> resolve, string slug, string path)
    {
        try
        {
            return resolve(slug);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path} names a paper this build does not have: {e.Message}", e);
        }
    }

    private static Budget ParseBudget(string name, string path)
    {
        try
        {
            return Budgets.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }

    private static T ReadJson<T>(string path, string? text = null)
    {
        try
        {
            return Json.Deserialize<T>(text ?? File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a readable {typeof(T).Name} ({e.Message})", e);
        }
    }
}

using System.Collections;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;
using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Notebook;
using Palimpsest.Core.Reporting;
using Xunit.Abstractions;

namespace Palimpsest.Papers.Tests.Notebooks;

/// <summary>Notebook runs take both cores: they run one at a time and never beside other tests.</summary>
[CollectionDefinition("Notebook execution", DisableParallelization = true)]
public sealed class NotebookExecutionCollection;

/// <summary>
/// Runs every notebook (the template excepted) headless in the real kernel, one <c>dotnet-repl</c> process per notebook,
/// at smoke budget, with the notebook's folder as working directory (relative <c>#r</c> paths resolve against it). The
/// executed copy goes to <c>artifacts/notebooks/</c>. Fails on the first cell with an error, on a non-zero exit code,
/// when the cells that should show something (banner, values, figures, claim table, verdict) show nothing, and when an
/// output loads a script from the network (charts must draw offline).
/// Run only these with <c>--filter Category=Notebook</c>; skip them with <c>--filter Category!=Notebook</c>.
/// </summary>
[Collection("Notebook execution")]
[Trait("Category", "Notebook")]
public sealed partial class NotebookExecutionTests(ITestOutputHelper output)
{
    /// <summary>Wall-time limit per notebook; the process tree is killed when it is exceeded.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private const int TailChars = 4_000;

    public static TheoryData<string> Notebooks() => NotebookFiles.ExecutablePaths();

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Runs_headless_at_smoke_budget_and_shows_its_results(string path)
    {
        var file = NotebookFiles.Get(path);
        string executed = file.ExecutedPath;
        Directory.CreateDirectory(Path.GetDirectoryName(executed)!);
        File.Delete(executed); // a stale copy must not pass for this run's
        string summaryPath = RepoPaths.Under("runs", file.Slug, "smoke", "summary.json");
        if (File.Exists(summaryPath)) File.Delete(summaryPath); // nor a stale summary

        var run = await RunDotnetRepl(file, executed);
        output.WriteLine($"{path}: dotnet-repl exit code {run.ExitCode}, {run.Elapsed.TotalSeconds:F1} s; executed copy: {executed}");

        Assert.False(run.TimedOut,
            $"{path}: still running after {Timeout.TotalSeconds:F0} s; the process tree was killed.\n{run.Tails()}");
        Assert.True(File.Exists(executed),
            $"{path}: dotnet-repl wrote no output notebook (exit code {run.ExitCode}).\n{run.Tails()}");

        var cells = NotebookFiles.Parse(File.ReadAllText(executed)).Elements.ToList();
        var source = NotebookFiles.Parse(file.ReadJson()).Elements.ToList();
        Assert.True(cells.Count == source.Count,
            $"{path}: the executed copy has {cells.Count} cells, the notebook {source.Count}; cannot line them up");
        output.WriteLine(CellTimings(cells));

        // The first failing cell, with its code and the kernel's error (dotnet-repl keeps running after an error).
        for (int i = 0; i < cells.Count; i++)
        {
            var error = cells[i].Outputs.OfType<ErrorElement>().FirstOrDefault();
            if (error is null) continue;
            Assert.Fail($"{path}: cell {i + 1} (of {cells.Count}) failed at smoke budget.\n" +
                        $"--- code ---\n{cells[i].Code()}\n--- {error.ErrorName} ---\n{error.ErrorValue}" +
                        // dotnet-repl puts the stack into evalue as well; add the traceback only when it says more.
                        (error.StackTrace is { Length: > 0 } st && !error.ErrorValue.Contains(st[0].Trim(), StringComparison.Ordinal)
                            ? "\n" + string.Join("\n", st.Take(40))
                            : ""));
        }
        Assert.True(run.ExitCode == 0,
            $"{path}: dotnet-repl exited with {run.ExitCode} although no cell recorded an error.\n{run.Tails()}");

        AssertShowsResults(path, file.Slug, cells, summaryPath);
    }

    /// <summary>
    /// A notebook that silently shows nothing must fail: the banner at smoke budget, an output for every cell that ends in
    /// an expression, progress from the run, Plotly figures, the claim table as an HTML table with every claim, and the
    /// verdict that the run's own summary gives, with every claim judged at smoke holding.
    /// </summary>
    private static void AssertShowsResults(string path, string slug, IReadOnlyList<InteractiveDocumentElement> cells,
        string summaryPath)
    {
        var code = cells.Select((c, i) => (Number: i + 1, Cell: c)).Where(x => !x.Cell.IsMarkdown()).ToList();
        string Shown((int Number, InteractiveDocumentElement Cell) x) => string.Join("\n", x.Cell.Outputs.Select(OutputText));

        var setup = code.First();
        Assert.True(Shown(setup).Contains($"budget smoke ({NotebookSession.BudgetVariable})", StringComparison.Ordinal),
            $"{path}: the setup cell (cell {setup.Number}) should print the banner at smoke budget; it showed:\n{Clip(Shown(setup))}");

        foreach (var x in code.Where(x => !x.Cell.Code().TrimEnd().EndsWith(';') && !x.Cell.Code().TrimEnd().EndsWith('}')))
            Assert.True(x.Cell.Outputs.Count > 0, $"{path}: cell {x.Number} ends in a value but showed nothing:\n{x.Cell.Code()}");

        var runCell = Single(path, code, "nb.Run(");
        Assert.True(runCell.Cell.Outputs.Count > 0, $"{path}: the run (cell {runCell.Number}) showed no progress");

        // Charts draw offline: the setup cell puts plotly.js on the page once, each figure draws with it, and no
        // output loads a script from the network (Plotly.NET.Interactive's own display would use a CDN).
        Assert.True(Shown(setup).Contains("plotly.js v" + Figures.PlotlyJsVersion, StringComparison.Ordinal),
            $"{path}: the setup cell (cell {setup.Number}) should put the inlined plotly.js " +
            $"{Figures.PlotlyJsVersion} on the page");
        foreach (var x in code.Where(x => x.Cell.Code().Contains(".Figure(", StringComparison.Ordinal)))
            Assert.True(Shown(x).Contains("class=\"palimpsest-figure\"", StringComparison.Ordinal)
                        && Shown(x).Contains("Plotly.newPlot(", StringComparison.Ordinal),
                $"{path}: cell {x.Number} should render a chart with the page's plotly.js (is the Plotly.NET.Interactive " +
                $"extension loaded?); it showed:\n{Clip(Shown(x))}");
        var external = code.SelectMany(x => ExternalScripts(Shown(x)).Select(u => $"cell {x.Number}: {u}")).Distinct()
            .ToList();
        Assert.True(external.Count == 0,
            $"{path}: outputs load scripts from the network, so they stay blank offline:\n{string.Join("\n", external)}");

        var claims = Single(path, code, ".ClaimTable()");
        var missing = Registry.Get(slug).ClaimSpecs.Select(c => c.Id).Where(id => !Shown(claims).Contains(id, StringComparison.Ordinal)).ToList();
        Assert.True(Shown(claims).Contains("<table", StringComparison.Ordinal) && missing.Count == 0,
            $"{path}: the claim table (cell {claims.Number}) should render as an HTML table listing every claim (is the " +
            $"Microsoft.Data.Analysis extension loaded?); missing: {string.Join(", ", missing)}; it showed:\n{Clip(Shown(claims))}");

        // The notebook's run wrote its summary where the runner would; the verdict it shows must be the one that summary
        // gives, and every claim judged at smoke must hold in the notebook's own run (as the contract demands of the
        // library's run of the same config and seed).
        Assert.True(File.Exists(summaryPath), $"{path}: the run wrote no {summaryPath}");
        var summary = Json.Deserialize<RunSummary>(File.ReadAllText(summaryPath));
        var failing = summary.Claims.Where(c => c.CheckedAt == Budget.Smoke && c.Verdict != Verdict.Pass)
            .Select(c => $"{c.Id}: {ClaimTable.Mark(c.Verdict)} ({c.Mean} {c.Unit}, expected {ClaimTable.Expected(c)})").ToList();
        Assert.True(failing.Count == 0, $"{path}: claims judged at smoke do not hold in the notebook's run:\n{string.Join("\n", failing)}");
        var verdict = Single(path, code, ".Verdict()");
        string expected = ClaimTable.Verdict(summary);
        Assert.True(Shown(verdict).Contains(expected, StringComparison.Ordinal),
            $"{path}: the verdict (cell {verdict.Number}) should read '{expected}'; it showed:\n{Clip(Shown(verdict))}");
    }

    /// <summary>
    /// Scripts an output loads from elsewhere: a script element's <c>src</c>, a require.js config, or the URL of a
    /// script file. Other URLs inside inlined code are not loads (plotly.js names map tile and topojson servers).
    /// </summary>
    public static IEnumerable<string> ExternalScripts(string html) =>
        ExternalScript().Matches(html).Select(m => m.Value);

    [GeneratedRegex(@"<script[^>]*\ssrc\s*=\s*[""']?(?:https?:)?//[^""'\s>]+" +
                    @"|require(?:js)?\.config\s*\([^)]{0,300}" +
                    @"|https?://[^""'\s)]+?\.(?:min\.)?js\b|https?://cdn\.[^""'\s)]+?\.min\b", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalScript();

    private static (int Number, InteractiveDocumentElement Cell) Single(
        string path, List<(int Number, InteractiveDocumentElement Cell)> code, string call)
    {
        var matches = code.Where(x => x.Cell.Code().Contains(call, StringComparison.Ordinal)).ToList();
        Assert.True(matches.Count == 1, $"{path}: expected one code cell calling {call}, found {matches.Count} (the template's shape)");
        return matches[0];
    }

    /// <summary>All text of an output: MIME bundles, streams, errors.</summary>
    private static string OutputText(InteractiveDocumentOutputElement o) => o switch
    {
        DisplayElement d => string.Join("\n", d.Data.Values.Select(Flatten)),
        ReturnValueElement r => string.Join("\n", r.Data.Values.Select(Flatten)),
        TextElement t => t.Text,
        ErrorElement e => $"{e.ErrorName}: {e.ErrorValue}",
        _ => o.ToString() ?? "",
    };

    private static string Flatten(object? value) => value switch
    {
        null => "",
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } j => j.GetString() ?? "",
        JsonElement { ValueKind: JsonValueKind.Array } j => string.Concat(j.EnumerateArray().Select(e => Flatten(e))),
        JsonElement j => j.GetRawText(),
        IEnumerable items => string.Concat(items.Cast<object?>().Select(Flatten)),
        _ => value.ToString() ?? "",
    };

    /// <summary>Per-cell wall times from dotnet-repl's cell metadata, slowest first.</summary>
    private static string CellTimings(IReadOnlyList<InteractiveDocumentElement> cells)
    {
        double? Seconds(InteractiveDocumentElement c) =>
            c.Metadata is { } m
            && m.TryGetValue("dotnet_repl_cellExecutionStartTime", out var s) && m.TryGetValue("dotnet_repl_cellExecutionEndTime", out var e)
            && DateTimeOffset.TryParse(Flatten(s), CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            && DateTimeOffset.TryParse(Flatten(e), CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
                ? (end - start).TotalSeconds
                : null;
        var times = cells.Select((c, i) => (Number: i + 1, Cell: c, Seconds: Seconds(c)))
            .Where(x => !x.Cell.IsMarkdown() && x.Seconds is not null)
            .OrderByDescending(x => x.Seconds)
            .Select(x => $"  cell {x.Number,2}: {x.Seconds,6:F2} s  {x.Cell.Code().Split('\n')[0]}");
        return "cell times, slowest first:\n" + string.Join("\n", times);
    }

    private static string Clip(string text) => text.Length <= 1_500 ? text : text[..1_500] + " …";

    private sealed record ReplRun(int ExitCode, bool TimedOut, TimeSpan Elapsed, string StdOut, string StdErr)
    {
        public string Tails() =>
            $"--- stdout (tail) ---\n{Tail(StdOut)}\n--- stderr (tail) ---\n{Tail(StdErr)}";

        private static string Tail(string s) => s.Length <= TailChars ? s : "…" + s[^TailChars..];
    }

    /// <summary>
    /// <c>dotnet tool run dotnet-repl -- --run &lt;nb&gt; --exit-after-run --output-path &lt;out&gt;</c> in the notebook's folder
    /// with <c>PALIMPSEST_BUDGET=smoke</c>; the local tool manifest is found from there (.config/dotnet-tools.json).
    /// </summary>
    private static async Task<ReplRun> RunDotnetRepl(NotebookFile file, string executed)
    {
        var psi = new ProcessStartInfo
        {
            // The SDK that runs the tests sets DOTNET_HOST_PATH; fall back to PATH.
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet",
            WorkingDirectory = file.Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "tool", "run", "dotnet-repl", "--", "--run", file.FullPath, "--exit-after-run", "--output-path", executed })
            psi.ArgumentList.Add(arg);
        psi.Environment[NotebookSession.BudgetVariable] = "smoke";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var process = new Process { StartInfo = psi };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (stderr) stderr.AppendLine(e.Data); };
        var clock = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool timedOut = false;
        using (var cts = new CancellationTokenSource(Timeout))
        {
            try
            {
                await process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
        }
        process.WaitForExit(); // drains the redirected streams
        lock (stdout) lock (stderr)
            return new ReplRun(process.ExitCode, timedOut, clock.Elapsed, stdout.ToString(), stderr.ToString());
    }
}

using Microsoft.Data.Analysis;
using Palimpsest.Core.Experiments;

namespace Palimpsest.Core.Reporting;

/// <summary>
/// Claim tables: every claim with its kind, measured value, interval, threshold and verdict, preconditions first, then
/// findings, controls and sanity checks. NotChecked and UNTESTED are shown, never hidden.
/// </summary>
public static class ClaimTable
{
    private static readonly string[] Headers =
        ["kind", "claim", "statement", "measured (mean)", "min–max", "95% interval", "expected", "seeds passing",
         "judged at", "depends on", "verdict"];

    /// <summary>A Markdown table of a multi-seed summary, with the paper's verdict and headline above it.</summary>
    public static string Markdown(RunSummary summary) =>
        $"{Verdict(summary)}\n\n" + Tables.ToMarkdown(Headers, Rows(summary.Claims));

    /// <summary>A DataFrame of a multi-seed summary (for notebooks).</summary>
    public static DataFrame Frame(RunSummary summary)
    {
        var rows = Rows(summary.Claims).ToList();
        var columns = Headers.Select((h, i) => (DataFrameColumn)new StringDataFrameColumn(h, rows.Select(r => r[i]))).ToList();
        return new DataFrame(columns);
    }

    /// <summary>Plain text for the console: the verdict line, then one line per claim.</summary>
    public static string Text(RunSummary summary)
    {
        var lines = new List<string> { "  " + Verdict(summary) };
        foreach (var c in Ordered(summary.Claims))
            lines.Add($"  {Mark(c.Verdict),-11} {c.Kind.Name(),-12} {c.Id}: {Tables.FormatNumber(c.Mean)} {c.Unit}" +
                      $"{(c.Test == ClaimTest.Interval ? $" {Interval(c)}" : "")} (expected {Expected(c)}; " +
                      $"seeds {c.Agreement}; min–max {Range(c)})");
        return string.Join("\n", lines);
    }

    /// <summary>"start-here: REPRODUCED (1 of 1 findings; controls 1/1) at budget full over seeds 1,2,3".</summary>
    public static string Verdict(RunSummary s) =>
        $"{s.Slug}: {s.Verdict.Mark()} ({s.Headline}) at budget {s.Budget} over seeds {string.Join(",", s.Seeds)}";

    /// <summary>"PASS", "FAIL", "UNTESTED" or "not checked".</summary>
    public static string Mark(Verdict v) => v switch
    {
        Experiments.Verdict.Pass => "PASS",
        Experiments.Verdict.Fail => "FAIL",
        Experiments.Verdict.Untested => "UNTESTED",
        _ => "not checked",
    };

    /// <summary>Claims in reading order: preconditions, findings, controls, sanity; definition order within a kind.</summary>
    public static IEnumerable<ClaimSummary> Ordered(IEnumerable<ClaimSummary> claims) =>
        claims.Select((c, i) => (c, i)).OrderBy(x => KindOrder(x.c.Kind)).ThenBy(x => x.i).Select(x => x.c);

    /// <summary>A kind's place in reading order: preconditions, findings, controls, sanity.</summary>
    public static int KindOrder(ClaimKind kind) => kind switch
    {
        ClaimKind.Precondition => 0,
        ClaimKind.Finding => 1,
        ClaimKind.Control => 2,
        _ => 3,
    };

    private static IEnumerable<IReadOnlyList<string>> Rows(IEnumerable<ClaimSummary> claims) =>
        Ordered(claims).Select(c => (IReadOnlyList<string>)
        [
            c.Kind.Name(), c.Id, c.Statement, $"{Tables.FormatNumber(c.Mean)} {c.Unit}".Trim(), Range(c), Interval(c),
            Expected(c), c.Agreement, c.CheckedAt.Name(), string.Join(", ", c.DependsOn), Mark(c.Verdict),
        ]);

    /// <summary>"[0.1, 0.3]" (pooled bootstrap for interval claims, t interval over seeds otherwise), or "n/a".</summary>
    public static string Interval(ClaimSummary c) =>
        double.IsNaN(c.CiLow) || double.IsNaN(c.CiHigh) ? "n/a" : $"[{Tables.FormatNumber(c.CiLow)}, {Tables.FormatNumber(c.CiHigh)}]";

    private static string Range(ClaimSummary c) =>
        c.SeedCount == 1 ? Tables.FormatNumber(c.Min) : $"{Tables.FormatNumber(c.Min)} – {Tables.FormatNumber(c.Max)}";

    /// <summary>"&gt; 0.3", or "95% CI &gt; 0" for an interval claim.</summary>
    public static string Expected(ClaimSummary c) =>
        (c.Test == ClaimTest.Interval ? "95% CI " : "") + $"{c.Comparison.Symbol()} {Tables.FormatNumber(c.Threshold)}";
}

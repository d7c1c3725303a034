using Microsoft.Data.Analysis;
using Palimpsest.Core.Experiments;

namespace Palimpsest.Core.Reporting;

/// <summary>Claim tables: every claim with its measured value, threshold and verdict. NotChecked is shown, never hidden.</summary>
public static class ClaimTable
{
    private static readonly string[] Headers =
        ["claim", "finding", "measured (mean)", "min–max", "95% CI", "expected", "seeds passing", "judged at", "verdict"];

    /// <summary>A Markdown table of a multi-seed summary.</summary>
    public static string Markdown(RunSummary summary) => Tables.ToMarkdown(Headers, Rows(summary.Claims));

    /// <summary>A DataFrame of a multi-seed summary (for notebooks).</summary>
    public static DataFrame Frame(RunSummary summary)
    {
        var rows = Rows(summary.Claims).ToList();
        var columns = Headers.Select((h, i) => (DataFrameColumn)new StringDataFrameColumn(h, rows.Select(r => r[i]))).ToList();
        return new DataFrame(columns);
    }

    /// <summary>Plain text for the console: one line per claim.</summary>
    public static string Text(RunSummary summary)
    {
        var lines = new List<string>();
        foreach (var c in summary.Claims)
            lines.Add($"  {Mark(c.Verdict),-11} {c.Id}: {Tables.FormatNumber(c.Mean)} {c.Unit} (expected {Expected(c)}; " +
                      $"seeds {c.Agreement}; min–max {Range(c)})");
        return string.Join("\n", lines);
    }

    /// <summary>"PASS", "FAIL" or "not checked".</summary>
    public static string Mark(Verdict v) => v switch
    {
        Verdict.Pass => "PASS",
        Verdict.Fail => "FAIL",
        _ => "not checked",
    };

    private static IEnumerable<IReadOnlyList<string>> Rows(IEnumerable<ClaimSummary> claims) =>
        claims.Select(c => (IReadOnlyList<string>)
        [
            c.Id, c.Statement, $"{Tables.FormatNumber(c.Mean)} {c.Unit}".Trim(), Range(c),
            double.IsNaN(c.CiLow) ? "n/a" : $"[{Tables.FormatNumber(c.CiLow)}, {Tables.FormatNumber(c.CiHigh)}]",
            Expected(c), c.Agreement, c.CheckedAt.Name(), Mark(c.Verdict),
        ]);

    private static string Range(ClaimSummary c) =>
        c.SeedCount == 1 ? Tables.FormatNumber(c.Min) : $"{Tables.FormatNumber(c.Min)} – {Tables.FormatNumber(c.Max)}";

    private static string Expected(ClaimSummary c) => $"{c.Comparison.Symbol()} {Tables.FormatNumber(c.Threshold)}";
}

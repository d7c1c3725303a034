using Microsoft.Data.Analysis;
using Palimpsest.Core.Reporting;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The tables and figures of <see cref="MuseSixWay"/>: MUSE's six-way table (C1–C4), utility against forget-set size
/// (C5) and against sequential requests (C6), and memorisation against utility. The untouched target and the retrained
/// oracle are drawn in grey, NPO_GDR (the regularised NPO that the smoke budget also runs) in the accent colour, the
/// other methods muted.
/// </summary>
public static class SixWayReport
{
    private const string UtilityTitle = "utility: KnowMem on retain QA (accuracy, %)";

    /// <summary>C1–C4 of every model (rows) averaged over the runs, for display; PrivLeak of the oracle is 0 by definition.</summary>
    public static DataFrame Table(IReadOnlyList<MuseSixWay.Result> results) => Tables.Wide(Tables.Tidy(results.SelectMany((r, run) =>
        r.SixWay.SelectMany(x => new[]
        {
            new TidyRow(run + 1, x.Method, "VerbMem (%)", x.VerbMem),
            new TidyRow(run + 1, x.Method, "KnowMem forget (%)", x.KnowMemForget),
            new TidyRow(run + 1, x.Method, "KnowMem retain (%)", x.KnowMemRetain),
            new TidyRow(run + 1, x.Method, "PrivLeak (%)", x.PrivLeak),
        }))));

    /// <summary>C5 or C6: utility per method (mean over runs) against <see cref="MuseSixWay.UtilityPoint.X"/>, with the
    /// target's utility as a grey line.</summary>
    public static GenericChart Utility(IReadOnlyList<MuseSixWay.Result> results,
        Func<MuseSixWay.Result, IReadOnlyList<MuseSixWay.UtilityPoint>> pick, double xScale, string title, string xTitle)
    {
        var points = results.SelectMany(pick).ToList();
        var xs = points.Select(p => p.X).Distinct().Order().ToList();
        var series = points.Select(p => p.Method).Distinct().Select(m => new Series(m, xs.Select(x => x * xScale).ToList(),
            xs.Select(x => points.Where(p => p.Method == m && p.X == x).Average(p => p.Utility)).ToList(), Role(m))).ToList();
        double target = results.Average(r => r.TargetUtility);
        series.Insert(0, new Series("target (before unlearning)", [xs[0] * xScale, xs[^1] * xScale], [target, target], SeriesRole.Control));
        return Figures.Lines(title, xTitle, UtilityTitle, series);
    }

    /// <summary>Memorisation against utility, one point per model and run: the goal is low and to the right, where the
    /// retrained oracle sits.</summary>
    public static GenericChart Tradeoff(IReadOnlyList<MuseSixWay.Result> results, Func<MuseSixWay.SixWayRow, double> memorisation,
        string title, string yTitle)
    {
        var rows = results.SelectMany(r => r.SixWay).ToList();
        var series = rows.Select(x => x.Method).Distinct().Select(m => rows.Where(x => x.Method == m).ToList())
            .Select(g => new Series(g[0].Method, g.Select(x => x.KnowMemRetain).ToList(), g.Select(memorisation).ToList(), Role(g[0].Method)));
        return Figures.Scatter(title, UtilityTitle, yTitle, series);
    }

    private static SeriesRole Role(string method) =>
        method is "target" or "retrain" ? SeriesRole.Control : method == "NPO_GDR" ? SeriesRole.Method : SeriesRole.Ablation;
}

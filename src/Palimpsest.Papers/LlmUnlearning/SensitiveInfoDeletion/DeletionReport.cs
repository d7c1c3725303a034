using Microsoft.Data.Analysis;
using Palimpsest.Core.Reporting;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The tables and figures of <see cref="SensitiveInfoDeletion"/>: every model's deletion metrics and attack success,
/// the standard checks per deletion method, and attack success against the budget B per attack and deletion family
/// (ROME, FT), the exact-deletion control in grey and the family's method in the accent colour.
/// </summary>
public static class DeletionReport
{
    /// <summary>Every model's metrics (rows) averaged over the runs, for display.</summary>
    public static DataFrame Table(IReadOnlyList<SensitiveInfoDeletion.Result> results) =>
        Tables.Wide(Tables.Tidy(results.SelectMany((r, run) => r.Methods.SelectMany(m => new[]
        {
            new TidyRow(run + 1, m.Method, "top-1 accuracy", m.Top1Accuracy),
            new TidyRow(run + 1, m.Method, "neighbourhood drop (points)", m.NeighbourhoodDrop),
            new TidyRow(run + 1, m.Method, "random-fact drop (points)", m.RandomDrop),
            new TidyRow(run + 1, m.Method, "head projection @B", m.HeadProjection),
            new TidyRow(run + 1, m.Method, "probability delta @B", m.ProbabilityDelta),
            new TidyRow(run + 1, m.Method, "rephrase @B", m.Rephrase),
            new TidyRow(run + 1, m.Method, "rephrase vs exact deletion, Fisher p", m.RephraseFisherP),
            new TidyRow(run + 1, m.Method, "steps per deletion run", m.MeanSteps),
            new TidyRow(run + 1, m.Method, "runs stopped by the cap", m.CappedShare),
        }))));

    /// <summary>
    /// Per run and deletion method (ROME and FT, each without and with the head-projection defence): the two standard
    /// checks that every claim about that method depends on, whether both pass, and how its runs ended (mean steps, and
    /// the share that reached the step cap before the operating point).
    /// </summary>
    public static DataFrame StandardChecks(IReadOnlyList<SensitiveInfoDeletion.Result> results)
    {
        var rows = results.SelectMany((r, run) => SensitiveInfoDeletion.CheckedMethods
            .Select(m => (Run: run + 1, Row: SensitiveInfoDeletion.Of(r, m)))).ToList();
        return new DataFrame(
            new Int32DataFrameColumn("run", rows.Select(x => x.Run)),
            new StringDataFrameColumn("method", rows.Select(x => x.Row.Method)),
            new DoubleDataFrameColumn("top-1 on deleted facts", rows.Select(x => x.Row.Top1Accuracy)),
            new DoubleDataFrameColumn("neighbourhood drop (points)", rows.Select(x => x.Row.NeighbourhoodDrop)),
            new BooleanDataFrameColumn("passes the standard checks", rows.Select(x =>
                x.Row.Top1Accuracy <= SensitiveInfoDeletion.Top1Bound
                && x.Row.NeighbourhoodDrop <= SensitiveInfoDeletion.NeighbourhoodBound)),
            new DoubleDataFrameColumn("steps per run", rows.Select(x => x.Row.MeanSteps)),
            new DoubleDataFrameColumn("runs stopped by the cap", rows.Select(x => x.Row.CappedShare)));
    }

    /// <summary>The deletion families drawn apart: a method and the variants built on it.</summary>
    public static IReadOnlyList<(string Method, IReadOnlyList<string> Variants)> Families { get; } =
    [
        (SensitiveInfoDeletion.Rome, [SensitiveInfoDeletion.RomeHp]),
        (SensitiveInfoDeletion.Ft,
            [SensitiveInfoDeletion.FtHp, SensitiveInfoDeletion.FtEntropy, SensitiveInfoDeletion.FtParaphrase]),
    ];

    /// <summary>
    /// Attack success against B (mean over runs) for one deletion method (accented) and its variants, with the
    /// exact-deletion control in grey: ROME and FT on figures of their own, so neither is read off the other's lines.
    /// </summary>
    public static GenericChart SuccessFigure(IReadOnlyList<SensitiveInfoDeletion.Result> results, string attack,
        string method)
    {
        var family = Families.SingleOrDefault(f => f.Method == method);
        if (family.Method is null)
            throw new ArgumentException(
                $"no deletion family '{method}'; allowed: {string.Join(", ", Families.Select(f => f.Method))}");
        var points = results.SelectMany(r => r.Curves).Where(p => p.Attack == attack).ToList();
        var budgets = points.Select(p => p.Budget).Distinct().Order().ToList();
        Series Line(string model, SeriesRole role) => new(model, budgets.Select(b => (double)b).ToList(),
            budgets.Select(b => points.Where(p => p.Method == model && p.Budget == b).Average(p => p.Success)).ToList(),
            role);
        var series = new List<Series>
        {
            Line(SensitiveInfoDeletion.ExactDeletion, SeriesRole.Control), Line(method, SeriesRole.Method),
        };
        series.AddRange(family.Variants.Select(v => Line(v, SeriesRole.Ablation)));
        return Figures.Lines($"How often does the {attack} attack find an answer {method} deleted among B candidates?",
            "attack budget B (candidates)", "attack success (share of deleted facts)", series);
    }
}

using Microsoft.Data.Analysis;
using Palimpsest.Core.Reporting;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The table and figures of <see cref="SensitiveInfoDeletion"/>: every model's deletion metrics and attack success, and
/// attack success against the budget B per attack, the exact-deletion control in grey and ROME in the accent colour.
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
        }))));

    /// <summary>
    /// Per run and deletion method (ROME, FT, FT with the head-projection defence): the two standard checks that every claim
    /// about that method depends on, and whether both pass.
    /// </summary>
    public static DataFrame StandardChecks(IReadOnlyList<SensitiveInfoDeletion.Result> results)
    {
        string[] methods = [SensitiveInfoDeletion.Rome, SensitiveInfoDeletion.Ft, SensitiveInfoDeletion.FtHp];
        var rows = results.SelectMany((r, run) => methods.Select(m => (Run: run + 1, Row: SensitiveInfoDeletion.Of(r, m)))).ToList();
        return new DataFrame(
            new Int32DataFrameColumn("run", rows.Select(x => x.Run)),
            new StringDataFrameColumn("method", rows.Select(x => x.Row.Method)),
            new DoubleDataFrameColumn("top-1 on deleted facts", rows.Select(x => x.Row.Top1Accuracy)),
            new DoubleDataFrameColumn("neighbourhood drop (points)", rows.Select(x => x.Row.NeighbourhoodDrop)),
            new BooleanDataFrameColumn("passes the standard checks", rows.Select(x =>
                x.Row.Top1Accuracy <= SensitiveInfoDeletion.Top1Bound && x.Row.NeighbourhoodDrop <= SensitiveInfoDeletion.NeighbourhoodBound)));
    }

    /// <summary>Attack success against B for every model (mean over runs): exact deletion grey, ROME accented.</summary>
    public static GenericChart SuccessFigure(IReadOnlyList<SensitiveInfoDeletion.Result> results, string attack)
    {
        var points = results.SelectMany(r => r.Curves).Where(p => p.Attack == attack).ToList();
        var budgets = points.Select(p => p.Budget).Distinct().Order().ToList();
        var series = results[0].Methods.Select(m => new Series(m.Method, budgets.Select(b => (double)b).ToList(),
            budgets.Select(b => points.Where(p => p.Method == m.Method && p.Budget == b).Average(p => p.Success)).ToList(),
            m.Method switch
            {
                SensitiveInfoDeletion.ExactDeletion => SeriesRole.Control,
                SensitiveInfoDeletion.Rome => SeriesRole.Method,
                _ => SeriesRole.Ablation,
            })).ToList();
        return Figures.Lines($"How often does the {attack} attack find a deleted answer among B candidates?",
            "attack budget B (candidates)", "attack success (share of deleted facts)", series);
    }
}

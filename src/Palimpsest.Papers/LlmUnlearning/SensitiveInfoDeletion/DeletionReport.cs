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
        }))));

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

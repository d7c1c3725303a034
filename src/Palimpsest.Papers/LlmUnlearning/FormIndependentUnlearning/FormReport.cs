using Microsoft.Data.Analysis;
using Palimpsest.Core.Reporting;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The table and figures of <see cref="FormIndependentUnlearning"/>: every method's probability reduction per form (ROCR
/// in the accent colour, the wrong-subject edit in grey), and the training-based methods' F1 reduction against their mean
/// reduction in the other counted forms along each run.
/// </summary>
public static class FormReport
{
    /// <summary>Every method (rows) × reduction per form and retain drop (columns), averaged over the runs, for display.</summary>
    public static DataFrame Table(IReadOnlyList<FormIndependentUnlearning.Result> results) =>
        Tables.Wide(Tables.Tidy(results.SelectMany((r, run) =>
            r.Rows.Select(x => new TidyRow(run + 1, x.Method, $"reduction {x.Form}", x.Reduction))
                .Concat(r.Methods.Select(m => new TidyRow(run + 1, m.Method, "retain drop (points)", m.RetainDrop)))
                .Concat(r.Methods.Select(m => new TidyRow(run + 1, m.Method, "checkpoint (step)", m.Step))))));

    /// <summary>
    /// Per run and method: the checkpoint, the F1 reduction and the retain drop, and whether the method's edit took effect
    /// as the preconditions ask (GA and NPO: F1 down by at least 80% with at most 10 points of retain lost; ROCR: F1 down
    /// by at least 70%; the other methods carry no claims and show no verdict).
    /// </summary>
    public static DataFrame Effects(IReadOnlyList<FormIndependentUnlearning.Result> results)
    {
        var rows = results.SelectMany((r, run) => r.Methods.Select(m => (Run: run + 1, Method: m))).ToList();
        string Verdict(FormIndependentUnlearning.MethodSummary m) => m.Method switch
        {
            "GA" or "NPO" => m.F1Reduction >= FormIndependentUnlearning.Forgotten && m.RetainDrop <= FormIndependentUnlearning.RetainBound
                ? "yes" : "no",
            FormIndependentUnlearning.Rocr => m.F1Reduction >= FormIndependentUnlearning.RocrEveryForm ? "yes" : "no",
            _ => "",
        };
        return new DataFrame(
            new Int32DataFrameColumn("run", rows.Select(x => x.Run)),
            new StringDataFrameColumn("method", rows.Select(x => x.Method.Method)),
            new Int32DataFrameColumn("checkpoint (step)", rows.Select(x => x.Method.Step)),
            new DoubleDataFrameColumn("F1 reduction", rows.Select(x => x.Method.F1Reduction)),
            new DoubleDataFrameColumn("retain drop (points)", rows.Select(x => x.Method.RetainDrop)),
            new StringDataFrameColumn("effect precondition met", rows.Select(x => Verdict(x.Method))));
    }

    /// <summary>Reduction of the true answer's probability in each form, F1..F5 on the x axis, one line per method (mean over runs).</summary>
    public static GenericChart ReductionByForm(IReadOnlyList<FormIndependentUnlearning.Result> results)
    {
        var forms = results[0].Forms.Select(f => f.Form).ToList();
        var xs = Enumerable.Range(1, forms.Count).Select(i => (double)i).ToList();
        var series = results[0].Methods.Select(m => new Series(m.Method, xs,
            forms.Select(f => results.Average(r => r.Rows.Single(x => x.Method == m.Method && x.Form == f).Reduction)).ToList(),
            Role(m.Method))).ToList();
        return Figures.Lines("Does forgetting the statement form remove the answer in the other forms?",
            "form (1 statement, 2 QA, 3 cloze, 4 multiple choice, 5 reverse lookup)", "reduction of the true answer's probability (fraction)",
            series);
    }

    /// <summary>
    /// Each training-based run's F1 reduction (x) against its mean reduction over the counted forms F2–F5 (y), first seed,
    /// with ROCR and the control as single points; below the diagonal, forgetting stays in the trained form.
    /// </summary>
    public static GenericChart Trajectories(IReadOnlyList<FormIndependentUnlearning.Result> results)
    {
        var r = results[0];
        var others = r.Forms.Skip(1).Where(f => f.IsCounted).Select(f => f.Form).ToHashSet();
        double Other(IEnumerable<(string Form, double Reduction)> xs) =>
            xs.Where(x => others.Contains(x.Form)).Select(x => x.Reduction).DefaultIfEmpty(double.NaN).Average();
        string first = r.Forms[0].Form;
        var series = r.Curves.GroupBy(c => c.Method).Select(g =>
        {
            var steps = g.GroupBy(c => c.Step).OrderBy(s => s.Key).ToList();
            return new Series(g.Key, steps.Select(s => s.Single(c => c.Form == first).Reduction).ToList(),
                steps.Select(s => Other(s.Select(c => (c.Form, c.Reduction)))).ToList(), Role(g.Key));
        }).ToList();
        foreach (var edit in new[] { FormIndependentUnlearning.WrongSubject, FormIndependentUnlearning.Rocr })
        {
            var rows = r.Rows.Where(x => x.Method == edit).ToList();
            series.Add(new Series(edit, [rows.Single(x => x.Form == first).Reduction], [Other(rows.Select(x => (x.Form, x.Reduction)))], Role(edit)));
        }
        return Figures.Scatter("Does forgetting the trained form carry over to the other forms?",
            "reduction in F1, the trained form (fraction)", "mean reduction in the counted forms F2–F5 (fraction)", series, identityLine: true);
    }

    private static SeriesRole Role(string method) => method switch
    {
        FormIndependentUnlearning.Rocr => SeriesRole.Method,
        FormIndependentUnlearning.WrongSubject => SeriesRole.Control,
        _ => SeriesRole.Ablation,
    };
}

using Palimpsest.Core.Reporting;
using Plotly.NET;

namespace Palimpsest.Papers.Oocr;

/// <summary>The figures of <see cref="ConnectingTheDots"/>: accuracy by kind of name per task, and learning curves.</summary>
internal static class OocrFigures
{
    private static ConnectingTheDots.TaskResult Of(ConnectingTheDots.Result r, string task) => r.Tasks.Single(t => t.Task == task);

    /// <summary>
    /// Per task on its primary question: chance and never-trained names (muted), both controls (grey), latent names
    /// (accent) and explicit names (muted); mean over seeds with min–max.
    /// </summary>
    public static GenericChart AccuracyByTask(IReadOnlyList<ConnectingTheDots.Result> results)
    {
        (string, double, double?, double?, SeriesRole) Bar(string label, Func<ConnectingTheDots.TaskResult, double> f,
            string task, SeriesRole role) => Figures.MeanBar(label, results.Select(r => f(Of(r, task))).ToList(), role);
        var bars = new List<(string, double, double?, double?, SeriesRole)>();
        foreach (var task in ConnectingTheDots.TaskNames)
        {
            bars.Add(Bar($"{task}: chance", t => t.LatentChance, task, SeriesRole.Ablation));
            bars.Add(Bar($"{task}: never-trained", t => t.UnseenAccuracy, task, SeriesRole.Ablation));
            bars.Add(Bar($"{task}: shuffled evidence", t => t.ControlAccuracy, task, SeriesRole.Control));
            bars.Add(Bar($"{task}: other latent name", t => t.ShuffledNameAccuracy, task, SeriesRole.Control));
            bars.Add(Bar($"{task}: latent", t => t.LatentAccuracy, task, SeriesRole.Method));
            bars.Add(Bar($"{task}: explicit", t => t.ExplicitAccuracy, task, SeriesRole.Ablation));
        }
        return Figures.Bars("Do latent names get verbalised above chance, out of context?", "accuracy (share of items)", bars);
    }

    /// <summary>Explicit, latent and control accuracy against steps for one task: the seeds' mean, and chance.</summary>
    public static GenericChart LearningCurve(IReadOnlyList<ConnectingTheDots.Result> results, string task)
    {
        var curves = results.Select(r => Of(r, task).Curve).ToList();
        var steps = curves[0].Select(p => (double)p.Step).ToList();
        List<double> Mean(Func<CurvePoint, double> f) => steps.Select((_, i) =>
            curves.Where(c => c.Count > i).Average(c => f(c[i]))).ToList();
        double chance = results.Average(r => Of(r, task).LatentChance);
        var series = new List<Series>
        {
            new("chance", steps, steps.Select(_ => chance).ToList(), SeriesRole.Ablation),
            new("control names (shuffled evidence)", steps, Mean(p => p.Control), SeriesRole.Control),
            new("explicit names", steps, Mean(p => p.Explicit), SeriesRole.Ablation),
            new("latent names", steps, Mean(p => p.Latent), SeriesRole.Method),
        };
        return Figures.Lines(
            $"{task}: when are explicit names learnt, and do latent names follow ({ConnectingTheDots.PrimaryType(task)})?",
            "training step (count)", "accuracy (share of names)", series);
    }
}

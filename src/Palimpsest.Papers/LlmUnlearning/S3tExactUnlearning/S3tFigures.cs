using Palimpsest.Core.Reporting;
using Plotly.NET;
using Result = Palimpsest.Papers.LlmUnlearning.S3tExactUnlearning.Result;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>The figures of <see cref="S3tExactUnlearning"/>, each a mean over seeds; <c>grid</c> indexes
/// <see cref="Result.Grids"/>.</summary>
public static class S3tFigures
{
    private static IReadOnlyList<double> Mean(IReadOnlyList<Result> results, Func<Result, IReadOnlyList<double>> curve) =>
        Enumerable.Range(0, curve(results[0]).Count).Select(i => results.Average(r => curve(r)[i])).ToList();

    private static IReadOnlyList<double> Flat(IReadOnlyList<Result> results, Func<Result, double> value, int count) =>
        Enumerable.Repeat(results.Average(value), count).ToList();

    /// <summary>Accuracy along the deletion stream on one grid: S3T per B, SISA, full LoRA, the head-only control, the
    /// untrained reference, and a vertical line where S3T is judged against SISA (mean over seeds).</summary>
    public static GenericChart AccuracyVsDeletions(IReadOnlyList<Result> results, int grid)
    {
        var first = results[0].Grids[grid];
        var x = Enumerable.Range(0, first.SisaAccuracy.Length).Select(d => (double)d).ToList();
        var all = results.SelectMany(r => r.Grids[grid].S3tAccuracy.SelectMany(c => c).Concat(r.Grids[grid].SisaAccuracy))
            .Append(results.Average(r => r.Grids[grid].HeadOnlyAccuracy)).ToList();
        var series = new List<Series>
        {
            new("control: head only, all data", x, Flat(results, r => r.Grids[grid].HeadOnlyAccuracy, x.Count),
                SeriesRole.Control),
            new("untrained adapters and head (served once every shard is dead)", x,
                Flat(results, r => r.Grids[grid].ControlAccuracy, x.Count), SeriesRole.Ablation),
            new("full LoRA (not retrained)", x, Flat(results, r => r.Grids[grid].FullAccuracy, x.Count), SeriesRole.Ablation),
            new("SISA (retrains each time)", x, Mean(results, r => r.Grids[grid].SisaAccuracy), SeriesRole.Ablation),
            new($"judged here: {S3tExactUnlearning.ClaimCapacityPercent}% of the expected capacity",
                [first.ClaimDeletions, first.ClaimDeletions], [all.Min(), all.Max()], SeriesRole.Ablation),
        };
        for (int b = 0; b < first.Orders.Length; b++)
        {
            int i = b;
            series.Add(new($"S3T, B = {first.Orders[b]}", x, Mean(results, r => r.Grids[grid].S3tAccuracy[i]),
                b == first.Orders.Length - 1 ? SeriesRole.Method : SeriesRole.Ablation));
        }
        return Figures.Lines($"Does S3T keep its accuracy as deletions arrive, without retraining ({first.Label} grid)?",
            "deletions (count)", "test accuracy (fraction, mean over seeds)", series);
    }

    /// <summary>Deletions served before the first retraining against B on every grid: replayed and simulated (SISA
    /// serves none).</summary>
    public static GenericChart CapacityVsB(IReadOnlyList<Result> results)
    {
        var series = new List<Series>();
        for (int grid = 0; grid < results[0].Grids.Count; grid++)
        {
            int g = grid;
            var first = results[0].Grids[g];
            var x = first.Orders.Select(b => (double)b).ToList();
            series.Add(new($"simulation, {first.Label} (uniform shard and slice)", x,
                Mean(results, r => r.Grids[g].CapacitySimulated), SeriesRole.Ablation));
            series.Add(new($"S3T, {first.Label}, replayed on this partition", x,
                Mean(results, r => r.Grids[g].CapacityMeasured), g == 0 ? SeriesRole.Method : SeriesRole.Ablation));
        }
        return Figures.Lines("How many deletions does S3T serve before a shard must be retrained?",
            "slice orders per shard B (count)", "deletions before first retraining (count, mean over seeds)", series);
    }

    /// <summary>Accuracy on one grid when every shard serves a prefix of p slices, against the baselines, the head-only
    /// control and the untrained reference.</summary>
    public static GenericChart AccuracyVsPrefix(IReadOnlyList<Result> results, int grid)
    {
        var first = results[0].Grids[grid];
        var x = Enumerable.Range(1, first.PrefixAccuracy.Length).Select(p => (double)p).ToList();
        return Figures.Lines($"How much accuracy does a shorter live prefix cost ({first.Label} grid)?",
            "live prefix (slices, = adapted layer groups)", "test accuracy (fraction, mean over seeds)",
        [
            new Series("untrained adapters and head", x, Flat(results, r => r.Grids[grid].ControlAccuracy, x.Count),
                SeriesRole.Ablation),
            new Series("control: head only, all data", x, Flat(results, r => r.Grids[grid].HeadOnlyAccuracy, x.Count),
                SeriesRole.Control),
            new Series("SISA", x, Flat(results, r => r.Grids[grid].SisaAccuracy[0], x.Count), SeriesRole.Ablation),
            new Series("full LoRA", x, Flat(results, r => r.Grids[grid].FullAccuracy, x.Count), SeriesRole.Ablation),
            new Series("S3T, every shard at prefix p", x, Mean(results, r => r.Grids[grid].PrefixAccuracy),
                SeriesRole.Method),
        ]);
    }
}

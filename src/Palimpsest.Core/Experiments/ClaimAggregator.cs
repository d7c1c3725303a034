using Palimpsest.Core.Metrics;

namespace Palimpsest.Core.Experiments;

/// <summary>Aggregates claim outcomes over seeds: mean, min-max, 95% interval, agreement, and a verdict on the mean.</summary>
public static class ClaimAggregator
{
    /// <summary>
    /// Summarises each claim over per-seed outcomes (one list per seed, claims in the same order).
    /// The aggregate verdict judges the across-seed mean; NotChecked when the budget is below the claim's.
    /// </summary>
    public static IReadOnlyList<ClaimSummary> Summarize(
        IReadOnlyList<ClaimSpec> specs, IReadOnlyList<IReadOnlyList<ClaimOutcome>> perSeed, Budget budget)
    {
        if (perSeed.Count == 0) throw new ArgumentException("no seeds to summarise", nameof(perSeed));
        var summaries = new List<ClaimSummary>();
        foreach (var spec in specs)
        {
            var values = perSeed.Select(outcomes =>
                (outcomes.FirstOrDefault(o => o.Id == spec.Id)
                 ?? throw new ArgumentException($"claim '{spec.Id}' is missing from a seed's outcomes")).Measured).ToList();
            var (mean, low, high) = MeanInterval(values);
            var judged = spec.Judge(mean, budget);
            int passing = values.Count(v => spec.Comparison.Holds(v, spec.Threshold));
            summaries.Add(new ClaimSummary(spec.Id, spec.Statement, spec.Unit, spec.Comparison, spec.Threshold,
                spec.CheckedAt, mean, values.Min(), values.Max(), low, high, passing, values.Count, values, judged.Verdict));
        }
        return summaries;
    }

    /// <summary>Mean and 95% Student-t interval; NaN interval for one value, all NaN when any value is not finite.</summary>
    public static (double Mean, double Low, double High) MeanInterval(IReadOnlyList<double> values)
    {
        if (values.Count == 0 || values.Any(v => !double.IsFinite(v))) return (double.NaN, double.NaN, double.NaN);
        var ci = Bootstrap.MeanWithTInterval(values);
        return (ci.Estimate, ci.Lower, ci.Upper);
    }
}

using Palimpsest.Core.Metrics;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// Aggregates claim outcomes over seeds. Threshold claims judge the across-seed mean; interval claims judge the 95%
/// bootstrap interval of their items pooled within seeds; preconditions must pass on every seed; a claim that
/// depends on a precondition is UNTESTED unless the precondition passed on every seed. No seed is ever left out of a mean.
/// </summary>
public static class ClaimAggregator
{
    /// <summary>Summarises each claim over per-seed outcomes (one list per seed, every claim in each).</summary>
    public static IReadOnlyList<ClaimSummary> Summarize(
        IReadOnlyList<ClaimSpec> specs, IReadOnlyList<IReadOnlyList<ClaimOutcome>> perSeed, Budget budget,
        IReadOnlyList<int>? seeds = null)
    {
        if (perSeed.Count == 0) throw new ArgumentException("no seeds to summarise", nameof(perSeed));
        seeds ??= Enumerable.Range(1, perSeed.Count).ToList();
        var gated = perSeed.Select(Claims.Gate).ToList();
        var summaries = new List<ClaimSummary>();
        foreach (var spec in specs)
        {
            var outcomes = gated.Select(seed => seed.FirstOrDefault(o => o.Id == spec.Id)
                ?? throw new ArgumentException($"claim '{spec.Id}' is missing from a seed's outcomes")).ToList();
            var values = outcomes.Select(o => o.Measured).ToList();
            double mean, low, high;
            bool holds;
            if (spec.Test == ClaimTest.Interval)
            {
                var evidence = outcomes.Select(o => o.Evidence).ToList();
                var ci = evidence.Any(e => e is null)
                    ? new ConfidenceInterval(MeanOrNaN(values), double.NaN, double.NaN, Evidence.Level)
                    : Evidence.PooledInterval(evidence!, Claims.IntervalRng(spec.Id, seeds));
                (mean, low, high) = (ci.Estimate, ci.Lower, ci.Upper);
                holds = spec.Comparison.IntervalHolds(low, high, spec.Threshold);
            }
            else
            {
                (mean, low, high) = MeanInterval(values);
                holds = spec.Kind == ClaimKind.Precondition
                    ? outcomes.All(o => spec.Comparison.Holds(o.Measured, spec.Threshold))
                    : spec.Comparison.Holds(mean, spec.Threshold);
            }
            Verdict verdict = budget < spec.CheckedAt ? Verdict.NotChecked
                : outcomes.Any(o => o.Verdict == Verdict.Untested) ? Verdict.Untested
                : holds ? Verdict.Pass : Verdict.Fail;
            summaries.Add(new ClaimSummary(spec.Id, spec.Kind, spec.Statement, spec.Unit, spec.Comparison, spec.Threshold,
                spec.CheckedAt, spec.DependsOn, spec.Test, mean, values.Min(), values.Max(), low, high,
                outcomes.Count(o => o.Verdict == Verdict.Pass), outcomes.Count(o => o.Verdict == Verdict.Untested),
                values.Count, values, verdict));
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

    private static double MeanOrNaN(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Average();
}

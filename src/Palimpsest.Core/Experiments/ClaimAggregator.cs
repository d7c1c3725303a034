using Palimpsest.Core.Metrics;

namespace Palimpsest.Core.Experiments;

/// <summary>Aggregates claim outcomes over seeds: mean, min-max, 95% interval, agreement, and a verdict on the mean.</summary>
public static class ClaimAggregator
{
    /// <summary>
    /// Summarises each claim over per-seed outcomes (one list per seed, claims in the same order).
    /// The aggregate verdict judges the across-seed mean; NotChecked when the budget is below the claim's, or when the
    /// claim's precondition failed on every seed (seeds where it failed are left out of the mean).
    /// </summary>
    public static IReadOnlyList<ClaimSummary> Summarize(
        IReadOnlyList<ClaimSpec> specs, IReadOnlyList<IReadOnlyList<ClaimOutcome>> perSeed, Budget budget)
    {
        if (perSeed.Count == 0) throw new ArgumentException("no seeds to summarise", nameof(perSeed));
        var summaries = new List<ClaimSummary>();
        foreach (var spec in specs)
        {
            var outcomes = perSeed.Select(seed => seed.FirstOrDefault(o => o.Id == spec.Id)
                ?? throw new ArgumentException($"claim '{spec.Id}' is missing from a seed's outcomes")).ToList();
            var values = outcomes.Select(o => o.Measured).ToList();
            // Seeds whose precondition failed (NotChecked at a budget that checks the claim) are left out of the
            // verdict; when no seed is left, the claim is NotChecked.
            bool atBudget = budget >= spec.CheckedAt;
            var judgedValues = atBudget ? outcomes.Where(o => o.Verdict != Verdict.NotChecked).Select(o => o.Measured).ToList() : values;
            var (mean, low, high) = MeanInterval(judgedValues.Count > 0 ? judgedValues : values);
            var verdict = atBudget && judgedValues.Count == 0 ? Verdict.NotChecked : spec.Judge(mean, budget).Verdict;
            int passing = judgedValues.Count(v => spec.Comparison.Holds(v, spec.Threshold));
            summaries.Add(new ClaimSummary(spec.Id, spec.Statement, spec.Unit, spec.Comparison, spec.Threshold,
                spec.CheckedAt, mean, values.Min(), values.Max(), low, high, passing, values.Count, values, verdict));
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

using Palimpsest.Core.Metrics;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Experiments;

/// <summary>The statistic an <see cref="Evidence"/> computes from its items.</summary>
public enum EvidenceStatistic
{
    /// <summary>The mean of <see cref="Evidence.Values"/> (per-item values, e.g. paired differences method − control).</summary>
    Mean,
    /// <summary>mean(<see cref="Evidence.Values"/>) − mean(<see cref="Evidence.Other"/>): two independent groups of items.</summary>
    MeanDifference,
    /// <summary>
    /// AUC(<see cref="Evidence.Values"/>) − AUC(<see cref="Evidence.Other"/>) on the same items labelled by
    /// <see cref="Evidence.IsPositive"/>: two scores of the same examples (e.g. two membership attacks).
    /// </summary>
    AucDifference,
}

/// <summary>
/// Item-level evidence for a comparison claim ("the method beats the control", "A separates members better than B"):
/// the items behind the measured number, so that the verdict can rest on an interval rather than a point. A claim
/// built from evidence passes only when the 95% percentile-bootstrap interval of its statistic lies wholly on the
/// passing side of the threshold; over several seeds the items are resampled within each seed and the per-seed
/// statistics averaged, so a tie (0.0003 better, or one item of eight) never passes.
/// </summary>
/// <param name="Statistic">What is computed from the items.</param>
/// <param name="Values">Per-item values (Mean), the first group (MeanDifference) or the first score (AucDifference).</param>
/// <param name="Other">The second group or score; null for Mean.</param>
/// <param name="IsPositive">Labels of the items, for AucDifference (true = positive class, e.g. member).</param>
public sealed record Evidence(
    EvidenceStatistic Statistic, IReadOnlyList<double> Values, IReadOnlyList<double>? Other = null,
    IReadOnlyList<bool>? IsPositive = null)
{
    /// <summary>Bootstrap resamples behind every claim interval.</summary>
    public const int Resamples = 2_000;

    /// <summary>Coverage of the claim interval.</summary>
    public const double Level = 0.95;

    /// <summary>The mean of per-item values, e.g. a per-item indicator minus chance, or a difference computed per item.</summary>
    public static Evidence Mean(IReadOnlyList<double> perItem) => Checked(new(EvidenceStatistic.Mean, perItem.ToArray()));

    /// <summary>
    /// Paired items (the same question asked of the method and of the control): the mean of method − control, item by item.
    /// </summary>
    /// <exception cref="ArgumentException">The two lists differ in length.</exception>
    public static Evidence Paired(IReadOnlyList<double> method, IReadOnlyList<double> control)
    {
        if (method.Count != control.Count)
            throw new ArgumentException(
                $"paired evidence needs one control value per item: {method.Count} method values, {control.Count} control values");
        return Mean(method.Select((v, i) => v - control[i]).ToArray());
    }

    /// <summary>Two independent groups of items (e.g. latent names and control names): mean(first) − mean(second).</summary>
    public static Evidence Difference(IReadOnlyList<double> first, IReadOnlyList<double> second) =>
        Checked(new(EvidenceStatistic.MeanDifference, first.ToArray(), second.ToArray()));

    /// <summary>AUC(first) − AUC(second) of two scores of the same items (higher score = positive).</summary>
    /// <exception cref="ArgumentException">The lists differ in length.</exception>
    public static Evidence AucDifference(IReadOnlyList<double> first, IReadOnlyList<double> second, IReadOnlyList<bool> isPositive)
    {
        if (first.Count != second.Count || first.Count != isPositive.Count)
            throw new ArgumentException(
                $"AUC evidence needs two scores and a label per item: {first.Count} and {second.Count} scores, {isPositive.Count} labels");
        return Checked(new(EvidenceStatistic.AucDifference, first.ToArray(), second.ToArray(), isPositive.ToArray()));
    }

    private static Evidence Checked(Evidence e)
    {
        foreach (var list in new[] { e.Values, e.Other ?? [] })
            for (int i = 0; i < list.Count; i++)
                if (!double.IsFinite(list[i]))
                    throw new ArgumentException($"evidence item {i} is {list[i]}; every item must be a finite number");
        return e;
    }

    /// <summary>True when the statistic can be computed and resampled (at least 2 items per group and class).</summary>
    public bool IsEnough => Statistic switch
    {
        EvidenceStatistic.Mean => Values.Count >= 2,
        EvidenceStatistic.MeanDifference => Values.Count >= 2 && Other!.Count >= 2,
        EvidenceStatistic.AucDifference => IsPositive!.Count(p => p) >= 2 && IsPositive!.Count(p => !p) >= 2,
        _ => false,
    };

    /// <summary>The statistic on all items (NaN when there are no items).</summary>
    public double Estimate() => Statistic switch
    {
        EvidenceStatistic.Mean => MeanOf(Values, null),
        EvidenceStatistic.MeanDifference => MeanOf(Values, null) - MeanOf(Other!, null),
        EvidenceStatistic.AucDifference => IsEnough ? AucDifferenceOf(Identity(Values.Count)) : double.NaN,
        _ => double.NaN,
    };

    /// <summary>The statistic on one bootstrap resample of the items (within each group, and within each class for AUC).</summary>
    public double Resample(Rng rng)
    {
        switch (Statistic)
        {
            case EvidenceStatistic.Mean:
                return MeanOf(Values, Draw(Values.Count, rng));
            case EvidenceStatistic.MeanDifference:
                return MeanOf(Values, Draw(Values.Count, rng)) - MeanOf(Other!, Draw(Other!.Count, rng));
            case EvidenceStatistic.AucDifference:
            {
                var positives = Enumerable.Range(0, IsPositive!.Count).Where(i => IsPositive[i]).ToArray();
                var negatives = Enumerable.Range(0, IsPositive.Count).Where(i => !IsPositive[i]).ToArray();
                var rows = new int[IsPositive.Count];
                for (int i = 0; i < positives.Length; i++) rows[i] = positives[rng.NextInt(positives.Length)];
                for (int i = 0; i < negatives.Length; i++) rows[positives.Length + i] = negatives[rng.NextInt(negatives.Length)];
                return AucDifferenceOf(rows);
            }
            default:
                throw new InvalidOperationException($"unknown statistic {Statistic}");
        }
    }

    /// <summary>
    /// The 95% percentile-bootstrap interval of the across-seed mean of the statistic: each resample draws every seed's
    /// items again (within that seed) and averages the per-seed statistics. NaN ends when any seed has too few items.
    /// </summary>
    /// <param name="perSeed">One evidence per seed; all of the same statistic.</param>
    /// <param name="rng">Source of the resampling (derive it from the claim's id, so the interval is reproducible).</param>
    public static ConfidenceInterval PooledInterval(IReadOnlyList<Evidence> perSeed, Rng rng)
    {
        if (perSeed.Count == 0) throw new ArgumentException("no evidence to pool", nameof(perSeed));
        if (perSeed.Select(e => e.Statistic).Distinct().Count() > 1)
            throw new ArgumentException(
                $"evidence of one claim must share one statistic; got {string.Join(", ", perSeed.Select(e => e.Statistic).Distinct())}");
        double estimate = perSeed.Average(e => e.Estimate());
        if (perSeed.Any(e => !e.IsEnough)) return new ConfidenceInterval(estimate, double.NaN, double.NaN, Level);
        var replicates = new double[Resamples];
        for (int r = 0; r < Resamples; r++)
        {
            double sum = 0;
            foreach (var e in perSeed) sum += e.Resample(rng);
            replicates[r] = sum / perSeed.Count;
        }
        Array.Sort(replicates);
        double alpha = 1 - Level;
        return new ConfidenceInterval(estimate, Bootstrap.Quantile(replicates, alpha / 2),
            Bootstrap.Quantile(replicates, 1 - alpha / 2), Level);
    }

    private static int[] Identity(int n) => Enumerable.Range(0, n).ToArray();

    private static int[] Draw(int n, Rng rng)
    {
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = rng.NextInt(n);
        return idx;
    }

    private static double MeanOf(IReadOnlyList<double> values, int[]? rows)
    {
        int n = rows?.Length ?? values.Count;
        if (n == 0) return double.NaN;
        double sum = 0;
        for (int i = 0; i < n; i++) sum += values[rows is null ? i : rows[i]];
        return sum / n;
    }

    private double AucDifferenceOf(int[] rows)
    {
        var labels = Bootstrap.Gather(IsPositive!, rows);
        return Roc.Auc(Bootstrap.Gather(Values, rows), labels) - Roc.Auc(Bootstrap.Gather(Other!, rows), labels);
    }
}

using MathNet.Numerics.Distributions;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Metrics;

/// <summary>
/// A point estimate with a two-sided confidence interval, in the unit of the statistic.
/// </summary>
/// <param name="Estimate">The statistic on the full sample (for a paired difference: first minus second).</param>
/// <param name="Lower">Lower end of the interval; NaN when it cannot be computed (e.g. a t interval from one value).</param>
/// <param name="Upper">Upper end of the interval; NaN when it cannot be computed.</param>
/// <param name="Level">Nominal coverage, e.g. 0.95.</param>
public sealed record ConfidenceInterval(double Estimate, double Lower, double Upper, double Level)
{
    /// <summary>True when <paramref name="value"/> lies in [Lower, Upper]; false when the interval is NaN.</summary>
    public bool Contains(double value) => value >= Lower && value <= Upper;
}

/// <summary>
/// Confidence intervals: percentile bootstrap of any statistic, a paired bootstrap of a difference, and the
/// Student t interval of a mean (for summarising a claim over seeds). Resampling is sequential and driven only by
/// the given <see cref="Rng"/>, so a seed always gives the same interval.
/// </summary>
public static class Bootstrap
{
    /// <summary>
    /// Percentile bootstrap interval of <paramref name="statistic"/>: draw <paramref name="resamples"/> samples of the
    /// same size with replacement, evaluate the statistic on each, and take the (1 - level)/2 and (1 + level)/2
    /// quantiles (linear interpolation, numpy's default).
    /// </summary>
    /// <param name="sample">The observed values; at least 2.</param>
    /// <param name="statistic">Maps a sample to a number (e.g. <c>s =&gt; s.Average()</c>); must not return NaN.
    /// It receives a fresh array per resample and may modify it.</param>
    /// <param name="rng">Source of the resampling indices.</param>
    /// <param name="resamples">Number of bootstrap resamples, at least 1 (a few thousand for a 95% interval).</param>
    /// <param name="level">Confidence level in (0, 1).</param>
    /// <exception cref="ArgumentException">Too few values, or a bad count or level; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The statistic returned NaN on a resample.</exception>
    public static ConfidenceInterval Percentile(
        IReadOnlyList<double> sample, Func<double[], double> statistic, Rng rng,
        int resamples = 2_000, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(statistic);
        var values = sample.ToArray();
        return OverIndices(values.Length, idx => statistic(Gather(values, idx)), rng, resamples, level);
    }

    /// <summary>
    /// Paired bootstrap interval of statistic(first) - statistic(second): each resample draws the same indices from
    /// both samples, so the pairing (same seed, same example) is kept. An interval that excludes 0 says the two
    /// statistics differ at this level; its sign says which is larger.
    /// </summary>
    /// <param name="first">First sample; at least 2 values.</param>
    /// <param name="second">Second sample, paired element-wise with <paramref name="first"/>; same length.</param>
    /// <param name="statistic">Applied to each (resampled) sample; must not return NaN.</param>
    /// <param name="rng">Source of the resampling indices.</param>
    /// <param name="resamples">Number of bootstrap resamples, at least 1.</param>
    /// <param name="level">Confidence level in (0, 1).</param>
    /// <exception cref="ArgumentException">Lengths differ, too few values, or a bad count or level.</exception>
    /// <exception cref="InvalidOperationException">The statistic returned NaN on a resample.</exception>
    public static ConfidenceInterval PairedDifference(
        IReadOnlyList<double> first, IReadOnlyList<double> second, Func<double[], double> statistic, Rng rng,
        int resamples = 2_000, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(statistic);
        if (first.Count != second.Count)
            throw new ArgumentException(
                $"{nameof(first)} has {first.Count} values but {nameof(second)} has {second.Count}; they must be paired",
                nameof(second));
        var a = first.ToArray();
        var b = second.ToArray();
        return OverIndices(a.Length, idx => statistic(Gather(a, idx)) - statistic(Gather(b, idx)), rng, resamples, level);
    }

    /// <summary>
    /// The general form: percentile bootstrap of a statistic of resampled row indices, for statistics of several
    /// aligned arrays (e.g. the AUC of scores and labels, or a paired AUC difference:
    /// <c>idx =&gt; Roc.Auc(Gather(a, idx), Gather(y, idx)) - Roc.Auc(Gather(b, idx), Gather(y, idx))</c>).
    /// The estimate is the statistic of the identity indices 0..count-1.
    /// </summary>
    /// <param name="count">Number of rows; at least 2.</param>
    /// <param name="statistic">Maps row indices (with repeats) to a number; must not return NaN.</param>
    /// <param name="rng">Source of the resampling indices.</param>
    /// <param name="resamples">Number of bootstrap resamples, at least 1.</param>
    /// <param name="level">Confidence level in (0, 1).</param>
    /// <exception cref="ArgumentException">A bad count or level; the message names it.</exception>
    /// <exception cref="InvalidOperationException">The statistic returned NaN on a resample.</exception>
    public static ConfidenceInterval OverIndices(
        int count, Func<int[], double> statistic, Rng rng, int resamples = 2_000, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(statistic);
        ArgumentNullException.ThrowIfNull(rng);
        if (count < 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, "a bootstrap needs at least 2 values");
        if (resamples < 1)
            throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "must be at least 1");
        CheckLevel(level);

        double estimate = statistic(Enumerable.Range(0, count).ToArray());
        var replicates = new double[resamples];
        var idx = new int[count];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < count; i++) idx[i] = rng.NextInt(count);
            double value = statistic((int[])idx.Clone());
            if (double.IsNaN(value))
                throw new InvalidOperationException(
                    $"the statistic returned NaN on bootstrap resample {r}; it must be defined on every resample");
            replicates[r] = value;
        }
        Array.Sort(replicates);
        double alpha = 1 - level;
        return new ConfidenceInterval(
            estimate, Quantile(replicates, alpha / 2), Quantile(replicates, 1 - alpha / 2), level);
    }

    /// <summary>
    /// Mean with the Student t interval mean ± t_{(1+level)/2, n-1} · s / sqrt(n) (s: sample standard deviation),
    /// as <c>scipy.stats.t.interval(level, n - 1, loc=mean, scale=sem)</c>. Used to summarise a metric over seeds.
    /// With one value the estimate is that value and the interval is NaN (no spread to estimate), rather than an error.
    /// </summary>
    /// <param name="values">Finite values, e.g. one metric per seed; at least 1.</param>
    /// <param name="level">Confidence level in (0, 1).</param>
    /// <exception cref="ArgumentException">No values, a non-finite value, or a bad level; the message names it.</exception>
    public static ConfidenceInterval MeanWithTInterval(IReadOnlyList<double> values, double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckLevel(level);
        int n = values.Count;
        if (n == 0) throw new ArgumentException($"{nameof(values)} is empty; a mean needs at least 1 value", nameof(values));
        double mean = 0;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{nameof(values)}[{i}] is {values[i]}; values must be finite", nameof(values));
            mean += values[i];
        }
        mean /= n;
        if (n == 1) return new ConfidenceInterval(mean, double.NaN, double.NaN, level);

        double ss = 0;
        for (int i = 0; i < n; i++) ss += (values[i] - mean) * (values[i] - mean);
        double standardError = Math.Sqrt(ss / (n - 1)) / Math.Sqrt(n);
        double halfWidth = StudentT.InvCDF(0, 1, n - 1, (1 + level) / 2) * standardError;
        return new ConfidenceInterval(mean, mean - halfWidth, mean + halfWidth, level);
    }

    /// <summary>
    /// One-sided paired bootstrap p-value that mean(first) exceeds mean(second) (Golani et al.'s Algorithm 1 in
    /// "Time Travel in LLMs"): the share of resamples of the pairs whose mean difference is not above 0. Small values
    /// say first is reliably larger; identical samples give 1.
    /// </summary>
    /// <exception cref="ArgumentException">Lengths differ, fewer than 2 pairs, or a bad resample count.</exception>
    public static double PairedGreaterP(IReadOnlyList<double> first, IReadOnlyList<double> second, Rng rng, int resamples = 10_000)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count)
            throw new ArgumentException($"{nameof(first)} has {first.Count} values but {nameof(second)} has {second.Count}; they must be paired");
        if (first.Count < 2) throw new ArgumentException($"a bootstrap needs at least 2 pairs; got {first.Count}");
        if (resamples < 1) throw new ArgumentOutOfRangeException(nameof(resamples), resamples, "must be at least 1");
        var d = first.Select((v, i) => v - second[i]).ToArray();
        int notAbove = 0;
        for (int r = 0; r < resamples; r++)
        {
            double sum = 0;
            for (int i = 0; i < d.Length; i++) sum += d[rng.NextInt(d.Length)];
            if (sum <= 0) notAbove++;
        }
        return notAbove / (double)resamples;
    }

    /// <summary>The elements of <paramref name="values"/> at <paramref name="indices"/>, in that order.</summary>
    public static T[] Gather<T>(IReadOnlyList<T> values, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(indices);
        var result = new T[indices.Count];
        for (int i = 0; i < result.Length; i++) result[i] = values[indices[i]];
        return result;
    }

    /// <summary>Quantile q of sorted values with linear interpolation between order statistics (numpy 'linear').</summary>
    public static double Quantile(double[] sorted, double q)
    {
        double position = q * (sorted.Length - 1);
        int below = (int)Math.Floor(position);
        int above = Math.Min(below + 1, sorted.Length - 1);
        double fraction = position - below;
        return sorted[below] + fraction * (sorted[above] - sorted[below]);
    }

    private static void CheckLevel(double level)
    {
        if (!(level > 0 && level < 1))
            throw new ArgumentOutOfRangeException(nameof(level), level, "confidence level must be in (0, 1), e.g. 0.95");
    }
}

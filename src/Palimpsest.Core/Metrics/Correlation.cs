using MathNet.Numerics;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Metrics;

/// <summary>
/// The alternative hypothesis of a test, named as in scipy (<c>alternative='two-sided' | 'greater' | 'less'</c>).
/// For a correlation, <see cref="Greater"/> means "the true coefficient is above 0" and <see cref="Less"/> "below 0";
/// for a binomial test, "the true success probability is above (below) the null value".
/// </summary>
public enum Alternative
{
    /// <summary>The effect differs from the null in either direction.</summary>
    TwoSided,
    /// <summary>The effect is larger than the null (a positive correlation, a higher success rate).</summary>
    Greater,
    /// <summary>The effect is smaller than the null (a negative correlation, a lower success rate).</summary>
    Less,
}

/// <summary>
/// A correlation coefficient with its p-value.
/// </summary>
/// <param name="Coefficient">Pearson r or Spearman rho, in [-1, 1]; NaN when either input is constant.
/// Its sign is the direction of the association; no direction is "better".</param>
/// <param name="PValue">Probability under "no association" of a coefficient at least as extreme in the direction of
/// <paramref name="Alternative"/>; in [0, 1], lower means stronger evidence. NaN when the coefficient is NaN.</param>
/// <param name="N">Number of (x, y) pairs.</param>
/// <param name="Alternative">The alternative hypothesis the p-value was computed for.</param>
public sealed record CorrelationResult(double Coefficient, double PValue, int N, Alternative Alternative);

/// <summary>
/// Pearson and Spearman correlation with p-values (matching <c>scipy.stats.pearsonr</c> and
/// <c>scipy.stats.spearmanr</c>), a permutation test for Spearman, and average ranks.
/// </summary>
public static class Correlation
{
    /// <summary>
    /// Pearson's r with a p-value from Student's t distribution with n - 2 degrees of freedom
    /// (exact under bivariate normality; equal to scipy's beta-distribution form).
    /// </summary>
    /// <param name="x">First variable; finite values.</param>
    /// <param name="y">Second variable, paired with <paramref name="x"/>; same length, at least 3.</param>
    /// <param name="alternative">Two-sided by default; <see cref="Alternative.Less"/> tests "r &lt; 0".</param>
    /// <exception cref="ArgumentException">Lengths differ, fewer than 3 pairs, or a value is not finite.</exception>
    public static CorrelationResult Pearson(
        IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative = Alternative.TwoSided)
    {
        CheckPairs(x, y, nameof(x), nameof(y));
        CheckFinite(x, nameof(x));
        CheckFinite(y, nameof(y));
        double r = PearsonCoefficient(x, y);
        return new CorrelationResult(r, TTestPValue(r, x.Count, alternative), x.Count, alternative);
    }

    /// <summary>
    /// Spearman's rho (Pearson's r of the average ranks, so ties are handled) with a p-value from the t approximation
    /// t = rho * sqrt((n - 2) / (1 - rho^2)) on n - 2 degrees of freedom, as <c>scipy.stats.spearmanr</c> does.
    /// The approximation is fair from about n = 10; for small n prefer <see cref="SpearmanPermutation"/>.
    /// </summary>
    /// <param name="x">First variable; no NaN (infinities rank as extremes).</param>
    /// <param name="y">Second variable, paired with <paramref name="x"/>; same length, at least 3.</param>
    /// <param name="alternative">Two-sided by default; <see cref="Alternative.Less"/> tests "rho &lt; 0".</param>
    /// <exception cref="ArgumentException">Lengths differ, fewer than 3 pairs, or a value is NaN.</exception>
    public static CorrelationResult Spearman(
        IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative = Alternative.TwoSided)
    {
        CheckPairs(x, y, nameof(x), nameof(y));
        CheckNotNaN(x, nameof(x));
        CheckNotNaN(y, nameof(y));
        double rho = PearsonCoefficient(Ranks(x), Ranks(y));
        return new CorrelationResult(rho, TTestPValue(rho, x.Count, alternative), x.Count, alternative);
    }

    /// <summary>
    /// Spearman's rho with a permutation p-value: y is shuffled <paramref name="permutations"/> times and
    /// p = (1 + #{permuted rho at least as extreme}) / (1 + permutations), so p is never 0.
    /// "At least as extreme" is |rho'| ≥ |rho| for two-sided, rho' ≥ rho for Greater and rho' ≤ rho for Less
    /// (with a 1e-12 relative tolerance so that tied rank sums count as equal).
    /// </summary>
    /// <param name="x">First variable; no NaN.</param>
    /// <param name="y">Second variable, paired with <paramref name="x"/>; same length, at least 3.</param>
    /// <param name="rng">Source of the permutations; the result is a pure function of its state.</param>
    /// <param name="permutations">Number of random permutations, at least 1 (p cannot go below 1/(permutations+1)).</param>
    /// <param name="alternative">Two-sided by default; <see cref="Alternative.Less"/> tests "rho &lt; 0".</param>
    /// <exception cref="ArgumentException">Lengths differ, fewer than 3 pairs, or a value is NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="permutations"/> is below 1.</exception>
    public static CorrelationResult SpearmanPermutation(
        IReadOnlyList<double> x, IReadOnlyList<double> y, Rng rng, int permutations = 9_999,
        Alternative alternative = Alternative.TwoSided)
    {
        CheckPairs(x, y, nameof(x), nameof(y));
        ArgumentNullException.ThrowIfNull(rng);
        if (permutations < 1)
            throw new ArgumentOutOfRangeException(nameof(permutations), permutations, "must be at least 1");
        CheckNotNaN(x, nameof(x));
        CheckNotNaN(y, nameof(y));

        int n = x.Count;
        double[] rx = Ranks(x), ry = Ranks(y);
        double meanRank = (n + 1) / 2.0;
        for (int i = 0; i < n; i++) { rx[i] -= meanRank; ry[i] -= meanRank; }
        double sxx = 0, syy = 0;
        for (int i = 0; i < n; i++) { sxx += rx[i] * rx[i]; syy += ry[i] * ry[i]; }
        if (sxx == 0 || syy == 0) return new CorrelationResult(double.NaN, double.NaN, n, alternative);
        double scale = Math.Sqrt(sxx) * Math.Sqrt(syy);

        // Shuffling y leaves both sums of squares unchanged, so only the cross product is recomputed.
        double observed = Math.Clamp(Dot(rx, ry) / scale, -1.0, 1.0);
        double tolerance = 1e-12 * Math.Max(1.0, Math.Abs(observed));
        int asExtreme = 0;
        for (int p = 0; p < permutations; p++)
        {
            rng.Shuffle(ry);
            double rho = Dot(rx, ry) / scale;
            bool extreme = alternative switch
            {
                Alternative.TwoSided => Math.Abs(rho) >= Math.Abs(observed) - tolerance,
                Alternative.Greater => rho >= observed - tolerance,
                Alternative.Less => rho <= observed + tolerance,
                _ => throw new ArgumentOutOfRangeException(nameof(alternative), alternative, null),
            };
            if (extreme) asExtreme++;
        }
        return new CorrelationResult(observed, (asExtreme + 1.0) / (permutations + 1.0), n, alternative);
    }

    /// <summary>
    /// Ranks 1..n with ties given the average of the ranks they span (<c>scipy.stats.rankdata(method='average')</c>):
    /// the smallest value gets rank 1.
    /// </summary>
    /// <param name="values">Values to rank; no NaN (infinities are ranked as extremes).</param>
    /// <exception cref="ArgumentException">A value is NaN.</exception>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int n = values.Count;
        var keys = new double[n];
        var order = new int[n];
        for (int i = 0; i < n; i++)
        {
            if (double.IsNaN(values[i]))
                throw new ArgumentException($"{nameof(values)}[{i}] is NaN; ranks need comparable values", nameof(values));
            keys[i] = values[i];
            order[i] = i;
        }
        Array.Sort(keys, order); // unstable, but tied entries all receive the same average rank

        var ranks = new double[n];
        int start = 0;
        while (start < n)
        {
            int end = start + 1;
            while (end < n && keys[end] == keys[start]) end++;
            double average = (start + 1 + end) / 2.0; // mean of ranks start+1 .. end
            for (int k = start; k < end; k++) ranks[order[k]] = average;
            start = end;
        }
        return ranks;
    }

    /// <summary>Pearson's r of two equal-length arrays (two-pass, centred); NaN if either is constant.</summary>
    private static double PearsonCoefficient(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = x.Count;
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++) { mx += x[i]; my += y[i]; }
        mx /= n;
        my /= n;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = x[i] - mx, dy = y[i] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (sxx == 0 || syy == 0) return double.NaN;
        return Math.Clamp(sxy / (Math.Sqrt(sxx) * Math.Sqrt(syy)), -1.0, 1.0);
    }

    /// <summary>
    /// p-value of a correlation coefficient r on n pairs under H0: no correlation, using
    /// t = r sqrt(df / (1 - r^2)) ~ Student t(df = n - 2). Written with the regularized incomplete beta function,
    /// P(|T| ≥ |t|) = I_{1 - r^2}(df/2, 1/2), which stays accurate for tiny p and for |r| = 1.
    /// </summary>
    private static double TTestPValue(double r, int n, Alternative alternative)
    {
        if (double.IsNaN(r)) return double.NaN;
        double df = n - 2;
        double twoSided = Math.Clamp(SpecialFunctions.BetaRegularized(df / 2, 0.5, 1 - r * r), 0.0, 1.0);
        double tailBeyond = twoSided / 2; // P(T ≥ |t|)
        return alternative switch
        {
            Alternative.TwoSided => twoSided,
            Alternative.Greater => r >= 0 ? tailBeyond : 1 - tailBeyond,
            Alternative.Less => r <= 0 ? tailBeyond : 1 - tailBeyond,
            _ => throw new ArgumentOutOfRangeException(nameof(alternative), alternative, null),
        };
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    private static void CheckPairs(IReadOnlyList<double> x, IReadOnlyList<double> y, string xName, string yName)
    {
        ArgumentNullException.ThrowIfNull(x, xName);
        ArgumentNullException.ThrowIfNull(y, yName);
        if (x.Count != y.Count)
            throw new ArgumentException($"{xName} has {x.Count} values but {yName} has {y.Count}; they must be paired", yName);
        if (x.Count < 3)
            throw new ArgumentException($"{xName} has {x.Count} pairs; a correlation test needs at least 3", xName);
    }

    private static void CheckNotNaN(IReadOnlyList<double> values, string name)
    {
        for (int i = 0; i < values.Count; i++)
            if (double.IsNaN(values[i]))
                throw new ArgumentException($"{name}[{i}] is NaN; ranks need comparable values", name);
    }

    private static void CheckFinite(IReadOnlyList<double> values, string name)
    {
        for (int i = 0; i < values.Count; i++)
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"{name}[{i}] is {values[i]}; Pearson's r needs finite values", name);
    }
}

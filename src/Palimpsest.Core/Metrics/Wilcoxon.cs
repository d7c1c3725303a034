using MathNet.Numerics.Distributions;

namespace Palimpsest.Core.Metrics;

/// <summary>
/// The outcome of a Wilcoxon signed-rank test on paired differences d = first - second.
/// </summary>
/// <param name="Statistic">W+ = the sum of the ranks of |d| over the positive differences (average ranks for ties),
/// in [0, N(N+1)/2]; larger means first tends to exceed second. No direction is "better".</param>
/// <param name="Z">z of the normal approximation (W+ - mean, continuity-corrected by 0.5 as for the
/// alternative, over the tie-corrected standard deviation). Always reported, also when the
/// p-value is exact; positive means first tends to exceed second.</param>
/// <param name="PValue">In [0, 1]; lower means stronger evidence for the alternative the test was run with.</param>
/// <param name="N">Number of pairs with a non-zero difference (zero differences are dropped).</param>
/// <param name="Exact">True when the p-value comes from the exact null distribution of W+, false when it comes from
/// the normal approximation.</param>
public sealed record WilcoxonResult(double Statistic, double Z, double PValue, int N, bool Exact);

/// <summary>
/// Wilcoxon signed-rank test for paired samples, as <c>scipy.stats.wilcoxon(zero_method='wilcox')</c>: exact for
/// up to 50 non-zero differences without ties (scipy's <c>method='exact'</c>), otherwise the
/// normal approximation with tie and continuity correction (<c>method='asymptotic', correction=True</c>).
/// Differs from scipy's <c>method='auto'</c> in three places: zeros are dropped before choosing the path (scipy
/// leaves the exact path when any difference is zero), ties always take the normal path (recent scipy runs a full
/// permutation test when there are at most 13 pairs), and the statistic is always W+ (scipy reports min(W+, W-)
/// for a two-sided test).
/// </summary>
public static class Wilcoxon
{
    /// <summary>Largest number of non-zero differences for which the exact null distribution is used.</summary>
    private const int MaxExactN = 50;

    /// <summary>
    /// Signed-rank test of d[i] = first[i] - second[i]. Zero differences are dropped; the remaining |d| are ranked
    /// with average ranks for ties. Exact path (N ≤ 50, no ties among |d|): Greater p = P(W+ ≥
    /// observed), Less p = P(W+ ≤ observed), two-sided p = min(1, 2·min of both), from the distribution of W+ over
    /// the 2^N equally likely sign patterns. Normal path: mean N(N+1)/4, variance N(N+1)(2N+1)/24 - Σ(t³ - t)/48
    /// over tie groups of size t, and a 0.5 continuity correction (subtracted for Greater, added for Less, toward
    /// the mean for two-sided).
    /// </summary>
    /// <param name="first">First value of each pair; no NaN.</param>
    /// <param name="second">Second value of each pair; same length as <paramref name="first"/>, no NaN.</param>
    /// <param name="alternative">Two-sided by default; <see cref="Alternative.Greater"/> means "first tends to be
    /// larger than second".</param>
    /// <exception cref="ArgumentException">Lengths differ, a value or difference is NaN, or every difference is zero;
    /// the message names the bad value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alternative"/> is not a defined value.</exception>
    public static WilcoxonResult SignedRank(
        IReadOnlyList<double> first, IReadOnlyList<double> second, Alternative alternative = Alternative.TwoSided)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (first.Count != second.Count)
            throw new ArgumentException(
                $"{nameof(first)} has {first.Count} values but {nameof(second)} has {second.Count}; they must be paired",
                nameof(second));
        if (alternative is not (Alternative.TwoSided or Alternative.Greater or Alternative.Less))
            throw new ArgumentOutOfRangeException(nameof(alternative), alternative, "must be TwoSided, Greater or Less");

        var differences = new List<double>();
        for (int i = 0; i < first.Count; i++)
        {
            if (double.IsNaN(first[i]))
                throw new ArgumentException($"{nameof(first)}[{i}] is NaN; the test needs comparable values", nameof(first));
            if (double.IsNaN(second[i]))
                throw new ArgumentException($"{nameof(second)}[{i}] is NaN; the test needs comparable values", nameof(second));
            double d = first[i] - second[i];
            if (double.IsNaN(d))
                throw new ArgumentException(
                    $"{nameof(first)}[{i}] - {nameof(second)}[{i}] = {first[i]} - {second[i]} is NaN", nameof(first));
            if (d != 0) differences.Add(d);
        }
        int n = differences.Count;
        if (n < 1)
            throw new ArgumentException(
                $"all {first.Count} differences are zero; the test needs at least 1 non-zero difference", nameof(first));

        var magnitudes = new double[n];
        for (int i = 0; i < n; i++) magnitudes[i] = Math.Abs(differences[i]);
        double[] ranks = Correlation.Ranks(magnitudes);
        double wPlus = 0;
        for (int i = 0; i < n; i++)
            if (differences[i] > 0) wPlus += ranks[i];

        // Tie groups of |d|: each group of size t shares one average rank.
        Array.Sort(magnitudes);
        double tieSum = 0;
        for (int start = 0; start < n;)
        {
            int end = start + 1;
            while (end < n && magnitudes[end] == magnitudes[start]) end++;
            double t = end - start;
            tieSum += t * t * t - t;
            start = end;
        }

        double mean = n * (n + 1.0) / 4;
        double sd = Math.Sqrt(n * (n + 1.0) * (2 * n + 1.0) / 24 - tieSum / 48);
        double correction = alternative switch
        {
            Alternative.Greater => 0.5,
            Alternative.Less => -0.5,
            _ => 0.5 * Math.Sign(wPlus - mean),
        };
        double z = (wPlus - mean - correction) / sd;

        bool exact = n <= MaxExactN && tieSum == 0;
        double pValue;
        if (exact)
        {
            double[] counts = SignPatternCounts(n);
            int w = (int)wPlus; // an integer: ranks are 1..n without ties
            double total = Math.Pow(2, n), atMost = 0, atLeast = 0;
            for (int s = 0; s < counts.Length; s++)
            {
                if (s <= w) atMost += counts[s];
                if (s >= w) atLeast += counts[s];
            }
            pValue = alternative switch
            {
                Alternative.Greater => atLeast / total,
                Alternative.Less => atMost / total,
                _ => Math.Min(1.0, 2 * Math.Min(atLeast, atMost) / total),
            };
        }
        else
        {
            pValue = alternative switch
            {
                Alternative.Greater => Normal.CDF(0, 1, -z),
                Alternative.Less => Normal.CDF(0, 1, z),
                _ => Math.Min(1.0, 2 * Normal.CDF(0, 1, -Math.Abs(z))),
            };
        }
        return new WilcoxonResult(wPlus, z, Math.Clamp(pValue, 0.0, 1.0), n, exact);
    }

    /// <summary>
    /// counts[s] = number of subsets of the ranks {1..n} whose sum is s, for s in 0..n(n+1)/2, i.e. the number of
    /// the 2^n sign patterns giving W+ = s. Built by adding one rank at a time (0/1 knapsack); doubles hold 2^50 exactly.
    /// </summary>
    private static double[] SignPatternCounts(int n)
    {
        int maxSum = n * (n + 1) / 2;
        var counts = new double[maxSum + 1];
        counts[0] = 1;
        for (int rank = 1; rank <= n; rank++)
            for (int s = rank * (rank + 1) / 2; s >= rank; s--)
                counts[s] += counts[s - rank];
        return counts;
    }
}

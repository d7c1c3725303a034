using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace Palimpsest.Core.Metrics;

/// <summary>
/// The outcome of an exact binomial test.
/// </summary>
/// <param name="Successes">Observed successes k.</param>
/// <param name="Trials">Number of trials n.</param>
/// <param name="NullProbability">Success probability p0 under the null hypothesis.</param>
/// <param name="Proportion">Observed success rate k / n (unitless; compare with <paramref name="NullProbability"/>).</param>
/// <param name="PValue">In [0, 1]; lower means stronger evidence for <paramref name="Alternative"/>.</param>
/// <param name="Alternative">The alternative hypothesis the p-value was computed for.</param>
public sealed record BinomialTestResult(
    int Successes, int Trials, double NullProbability, double Proportion, double PValue, Alternative Alternative);

/// <summary>
/// Exact binomial test of k successes in n trials against success probability p0, with the same definitions as
/// <c>scipy.stats.binomtest</c>.
/// </summary>
public static class BinomialTest
{
    /// <summary>Relative tolerance scipy uses when deciding which outcomes are "no more likely than the observed".</summary>
    private const double RelativeTolerance = 1e-7;

    /// <summary>
    /// Runs the test. Greater: p = P(X ≥ k). Less: p = P(X ≤ k). Two-sided: p = the total probability of all
    /// outcomes i with P(X = i) ≤ P(X = k)·(1 + 1e-7), capped at 1 (scipy's definition, not "twice the smaller tail").
    /// </summary>
    /// <param name="successes">Observed successes k, in [0, <paramref name="trials"/>].</param>
    /// <param name="trials">Number of trials n, at least 1.</param>
    /// <param name="nullProbability">Success probability p0 under the null, in [0, 1].</param>
    /// <param name="alternative">Two-sided by default; <see cref="Alternative.Greater"/> tests "p &gt; p0".</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is outside its range; the message names it.</exception>
    public static BinomialTestResult Exact(
        int successes, int trials, double nullProbability = 0.5, Alternative alternative = Alternative.TwoSided)
    {
        if (trials < 1)
            throw new ArgumentOutOfRangeException(nameof(trials), trials, "must be at least 1");
        if (successes < 0 || successes > trials)
            throw new ArgumentOutOfRangeException(nameof(successes), successes, $"must be in [0, trials = {trials}]");
        if (!(nullProbability >= 0 && nullProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(nullProbability), nullProbability, "must be in [0, 1]");

        int k = successes, n = trials;
        double p = nullProbability;
        double pValue = alternative switch
        {
            Alternative.Less => AtMost(k, n, p),
            Alternative.Greater => AtLeast(k, n, p),
            Alternative.TwoSided => TwoSided(k, n, p),
            _ => throw new ArgumentOutOfRangeException(nameof(alternative), alternative, null),
        };
        return new BinomialTestResult(k, n, p, (double)k / n, Math.Clamp(pValue, 0.0, 1.0), alternative);
    }

    /// <summary>
    /// Sum of P(X = i) over all i no more likely than k. The pmf rises to the mode and then falls, so those i form
    /// the tail beyond k on k's side plus a tail on the far side of the mode, found by binary search.
    /// </summary>
    private static double TwoSided(int k, int n, double p)
    {
        double expected = p * n;
        if (k == expected) return 1.0;
        double threshold = Binomial.PMF(p, n, k) * (1 + RelativeTolerance);
        if (k < expected)
        {
            // pmf is non-increasing on [ceil(np), n]: find the first i there with pmf(i) <= threshold.
            int lo = (int)Math.Ceiling(expected), hi = n + 1;
            while (lo < hi)
            {
                int mid = lo + (hi - lo) / 2;
                if (Binomial.PMF(p, n, mid) <= threshold) hi = mid; else lo = mid + 1;
            }
            return AtMost(k, n, p) + AtLeast(lo, n, p);
        }
        else
        {
            // pmf is non-decreasing on [0, floor(np)]: find the last i there with pmf(i) <= threshold.
            int lo = -1, hi = (int)Math.Floor(expected);
            while (lo < hi)
            {
                int mid = hi - (hi - lo) / 2;
                if (Binomial.PMF(p, n, mid) <= threshold) lo = mid; else hi = mid - 1;
            }
            return AtMost(lo, n, p) + AtLeast(k, n, p);
        }
    }

    /// <summary>P(X ≤ k) = I_{1-p}(n - k, k + 1), accurate in the far lower tail.</summary>
    private static double AtMost(int k, int n, double p)
    {
        if (k < 0) return 0.0;
        if (k >= n) return 1.0;
        return SpecialFunctions.BetaRegularized(n - k, k + 1, 1 - p);
    }

    /// <summary>P(X ≥ k) = I_p(k, n - k + 1), accurate in the far upper tail (unlike 1 - CDF).</summary>
    private static double AtLeast(int k, int n, double p)
    {
        if (k <= 0) return 1.0;
        if (k > n) return 0.0;
        return SpecialFunctions.BetaRegularized(k, n - k + 1, p);
    }
}

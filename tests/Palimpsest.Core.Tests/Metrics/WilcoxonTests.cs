using Palimpsest.Core.Metrics;
using Xunit;

namespace Palimpsest.Core.Tests.Metrics;

/// <summary>
/// The Wilcoxon signed-rank test against hand-computed values and a brute-force enumeration of all 2^N sign patterns
/// (an oracle independent of the dynamic programme in <see cref="Wilcoxon"/>).
/// </summary>
public class WilcoxonTests
{
    private static void AssertClose(double expected, double actual, double tolerance = 1e-12)
    {
        Assert.True(Math.Abs(expected - actual) <= tolerance,
            $"expected {expected:R}, got {actual:R} (absolute tolerance {tolerance})");
    }

    /// <summary>P(W+ ≥ w) and P(W+ ≤ w) over all 2^n sign patterns of the ranks 1..n, by plain enumeration.</summary>
    private static (double AtLeast, double AtMost) Enumerate(int n, double w)
    {
        var sums = Enumerable.Range(0, 1 << n)
            .Select(mask => Enumerable.Range(1, n).Where(rank => (mask >> (rank - 1) & 1) == 1).Sum())
            .ToArray();
        double total = sums.Length;
        return (sums.Count(s => s >= w) / total, sums.Count(s => s <= w) / total);
    }

    [Fact]
    public void FiveDistinctPositiveDifferences_ExactPIsOneIn32()
    {
        // d = 1, 2, 3, 4, 5: all positive, so W+ = 1 + 2 + 3 + 4 + 5 = 15, the maximum.
        // Only the all-positive pattern of the 2^5 = 32 reaches 15: P(W+ >= 15) = 1/32; two-sided = 2/32 = 1/16.
        double[] first = [11, 22, 33, 44, 55], second = [10, 20, 30, 40, 50];
        var greater = Wilcoxon.SignedRank(first, second, Alternative.Greater);
        Assert.Equal(15.0, greater.Statistic);
        Assert.Equal(5, greater.N);
        Assert.True(greater.Exact);
        AssertClose(1.0 / 32, greater.PValue);
        AssertClose(1.0 / 16, Wilcoxon.SignedRank(first, second).PValue);
        AssertClose(1.0, Wilcoxon.SignedRank(first, second, Alternative.Less).PValue); // P(W+ <= 15) = 1

        // z is reported on the exact path too: mean = 5*6/4 = 7.5, variance = 5*6*11/24 = 13.75, sd = 3.708099;
        // Greater and two-sided subtract 0.5: (15 - 7.5 - 0.5)/3.708099 = 1.887760; Less adds 0.5: 8/3.708099 = 2.157440.
        AssertClose(7 / Math.Sqrt(13.75), greater.Z);
        AssertClose(1.8877596148970779, greater.Z, 1e-9);
        AssertClose(2.157439559882375, Wilcoxon.SignedRank(first, second, Alternative.Less).Z, 1e-9);
    }

    [Fact]
    public void SixPairs_MatchHandCountAndEnumerationOfAll64SignPatterns()
    {
        // d = 1.1, -0.6, -2.3, 3.3, 1.2, 0.4; |d| ranks: 0.4→1, 0.6→2, 1.1→3, 1.2→4, 2.3→5, 3.3→6.
        // W+ = 3 + 6 + 4 + 1 = 14 (the positive ones: 1.1, 3.3, 1.2, 0.4).
        // W+ >= 14 iff the complementary (negative) ranks sum to <= 21 - 14 = 7. Subsets of {1..6} by sum:
        // 0:1, 1:1, 2:1, 3:2, 4:2, 5:3, 6:4, 7:4 → 18 of 64, so P(W+ >= 14) = 18/64 = 0.28125.
        // P(W+ <= 14) = 1 - P(W+ >= 15) = 1 - (subsets with sum <= 6 = 14)/64 = 50/64; two-sided = 2 * 18/64 = 36/64.
        double[] first = [3.1, 5.0, 1.2, 7.4, 2.0, 9.9], second = [2.0, 5.6, 3.5, 4.1, 0.8, 9.5];
        var two = Wilcoxon.SignedRank(first, second);
        Assert.Equal(14.0, two.Statistic);
        Assert.True(two.Exact);
        AssertClose(18.0 / 64, Wilcoxon.SignedRank(first, second, Alternative.Greater).PValue);
        AssertClose(50.0 / 64, Wilcoxon.SignedRank(first, second, Alternative.Less).PValue);
        AssertClose(36.0 / 64, two.PValue);

        var (atLeast, atMost) = Enumerate(6, 14);
        AssertClose(atLeast, 18.0 / 64);
        AssertClose(atMost, 50.0 / 64);
    }

    [Fact]
    public void ExactPath_MatchesEnumerationForEveryStatisticUpToTwelvePairs()
    {
        var random = new Random(20240607);
        for (int n = 1; n <= 12; n++)
        {
            for (int trial = 0; trial < 5; trial++)
            {
                // Distinct magnitudes 1..n with random signs, shuffled: no ties, so the exact path applies.
                var d = Enumerable.Range(1, n).Select(k => random.Next(2) == 0 ? k : -k)
                    .OrderBy(_ => random.Next()).Select(k => (double)k).ToArray();
                var zeros = new double[n];
                double w = d.Where(x => x > 0).Sum(); // the rank of |d| is |d| here
                var (atLeast, atMost) = Enumerate(n, w);
                Assert.Equal(w, Wilcoxon.SignedRank(d, zeros).Statistic);
                AssertClose(atLeast, Wilcoxon.SignedRank(d, zeros, Alternative.Greater).PValue);
                AssertClose(atMost, Wilcoxon.SignedRank(d, zeros, Alternative.Less).PValue);
                AssertClose(Math.Min(1, 2 * Math.Min(atLeast, atMost)), Wilcoxon.SignedRank(d, zeros).PValue);
            }
        }
    }

    [Fact]
    public void Ties_TakeTheNormalPathWithTieAndContinuityCorrection()
    {
        // d = 1, -1, 2, 2, -2, 3, 4, 5 (second = 0). |d| ranks: the two 1s share (1+2)/2 = 1.5, the three 2s share
        // (3+4+5)/3 = 4, then 3→6, 4→7, 5→8. W+ = 1.5 + 4 + 4 + 6 + 7 + 8 = 30.5, N = 8.
        // mean = 8*9/4 = 18; variance = 8*9*17/24 - [(2^3 - 2) + (3^3 - 3)]/48 = 51 - 30/48 = 50.375; sd = 7.0975348.
        // Two-sided and Greater: z = (30.5 - 18 - 0.5)/7.0975348 = 12/7.0975348 = 1.6907279,
        //   P(Z >= 1.6907279) = 0.0454444 (standard normal tail), two-sided p = 0.0908888.
        // Less: z = (30.5 - 18 + 0.5)/7.0975348 = 13/7.0975348 = 1.8316219, p = Φ(1.8316219) = 0.9664961.
        double[] first = [1, -1, 2, 2, -2, 3, 4, 5];
        var zeros = new double[8];
        var two = Wilcoxon.SignedRank(first, zeros);
        Assert.False(two.Exact);
        Assert.Equal(8, two.N);
        Assert.Equal(30.5, two.Statistic);
        AssertClose(12 / Math.Sqrt(50.375), two.Z);
        AssertClose(1.6907278888232327, two.Z, 1e-9);
        AssertClose(0.09088878524572719, two.PValue, 1e-9);
        AssertClose(0.045444392622863594, Wilcoxon.SignedRank(first, zeros, Alternative.Greater).PValue, 1e-9);
        var less = Wilcoxon.SignedRank(first, zeros, Alternative.Less);
        AssertClose(1.831621879558502, less.Z, 1e-9);
        AssertClose(0.9664961126228626, less.PValue, 1e-9);
    }

    [Fact]
    public void ZeroDifferencesAreDroppedAndMoreThanFiftyPairsTakeTheNormalPath()
    {
        // d = 0, 3, 0, 1, 2: the zeros are dropped, leaving 1, 2, 3 with W+ = 6 = max, so P(W+ >= 6) = 1/8.
        var dropped = Wilcoxon.SignedRank([5, 8, 1, 2, 4], [5, 5, 1, 1, 2], Alternative.Greater);
        Assert.Equal(3, dropped.N);
        Assert.True(dropped.Exact);
        AssertClose(1.0 / 8, dropped.PValue);

        // Distinct magnitudes 1..50 are exact, 1..51 are not.
        double[] fifty = Enumerable.Range(1, 50).Select(k => (double)(k % 3 == 0 ? -k : k)).ToArray();
        double[] fiftyOne = Enumerable.Range(1, 51).Select(k => (double)(k % 3 == 0 ? -k : k)).ToArray();
        Assert.True(Wilcoxon.SignedRank(fifty, new double[50]).Exact);
        Assert.False(Wilcoxon.SignedRank(fiftyOne, new double[51]).Exact);
    }

    [Fact]
    public void SwappingTheSamplesSwapsGreaterAndLess()
    {
        double[] a = [3.1, 5.0, 1.2, 7.4, 2.0, 9.9], b = [2.0, 5.6, 3.5, 4.1, 0.8, 9.5];
        double[] tiedA = [1, -1, 2, 2, -2, 3, 4, 5], tiedB = new double[8];
        foreach (var (x, y) in new[] { (a, b), (tiedA, tiedB) })
        {
            AssertClose(Wilcoxon.SignedRank(x, y, Alternative.Greater).PValue,
                Wilcoxon.SignedRank(y, x, Alternative.Less).PValue);
            AssertClose(Wilcoxon.SignedRank(x, y, Alternative.Less).PValue,
                Wilcoxon.SignedRank(y, x, Alternative.Greater).PValue);
            AssertClose(Wilcoxon.SignedRank(x, y).PValue, Wilcoxon.SignedRank(y, x).PValue);
        }
    }

    [Fact]
    public void Errors_NameTheBadValue()
    {
        var length = Assert.Throws<ArgumentException>(() => Wilcoxon.SignedRank([1, 2, 3], [1, 2]));
        Assert.Contains("3", length.Message);
        Assert.Contains("2", length.Message);

        var zeros = Assert.Throws<ArgumentException>(() => Wilcoxon.SignedRank([1, 2], [1, 2]));
        Assert.Contains("zero", zeros.Message);
        Assert.Throws<ArgumentException>(() => Wilcoxon.SignedRank([], []));

        var nanFirst = Assert.Throws<ArgumentException>(() => Wilcoxon.SignedRank([1, double.NaN], [0, 0]));
        Assert.Equal("first", nanFirst.ParamName);
        Assert.Contains("first[1] is NaN", nanFirst.Message);
        var nanSecond = Assert.Throws<ArgumentException>(() => Wilcoxon.SignedRank([1, 2], [double.NaN, 0]));
        Assert.Equal("second", nanSecond.ParamName);
        Assert.Contains("second[0] is NaN", nanSecond.Message);
        var infinities = Assert.Throws<ArgumentException>(
            () => Wilcoxon.SignedRank([double.PositiveInfinity], [double.PositiveInfinity]));
        Assert.Contains("NaN", infinities.Message);
    }
}

using Palimpsest.Core.Metrics;

namespace Palimpsest.Core.Tests.Metrics;

public sealed class KsTestTests
{
    [Fact]
    public void IdenticalSamplesGiveZeroStatisticAndPOne()
    {
        double[] a = [0.1, 0.5, 0.9, 1.3, 2.0];
        var r = KsTest.TwoSample(a, a.Reverse().ToArray());
        Assert.Equal(0, r.Statistic);
        Assert.Equal(1, r.PValue);
    }

    [Fact]
    public void StatisticIsTheLargestGapBetweenTheEmpiricalCdfs()
    {
        // a: 1 2 3 4; b: 3 4 5 6. After 2 the CDFs are 0.5 and 0; after 4 they are 1 and 0.5: D = 0.5.
        var r = KsTest.TwoSample([1, 2, 3, 4], [3, 4, 5, 6]);
        Assert.Equal(0.5, r.Statistic, 12);
        // Disjoint samples: D = 1.
        Assert.Equal(1, KsTest.TwoSample([1, 2, 3], [4, 5, 6, 7]).Statistic, 12);
    }

    [Fact]
    public void KolmogorovSurvivalMatchesTheTabulatedCriticalValues()
    {
        // The classic asymptotic critical values: Q(1.358) = 0.05, Q(1.628) = 0.01, Q(1.224) = 0.10.
        Assert.Equal(0.05, KsTest.KolmogorovSurvival(1.3581), 3);
        Assert.Equal(0.01, KsTest.KolmogorovSurvival(1.6276), 3);
        Assert.Equal(0.10, KsTest.KolmogorovSurvival(1.2238), 3);
        Assert.Equal(1, KsTest.KolmogorovSurvival(0.1));
    }

    [Fact]
    public void PValueFallsAsTheSamplesSeparateAndResolvesTinyValues()
    {
        var a = Enumerable.Range(0, 100).Select(i => i / 100.0).ToArray();
        double previous = 1.01;
        foreach (double shift in new[] { 0.0, 0.1, 0.3, 0.6, 2.0 })
        {
            double p = KsTest.TwoSample(a, a.Select(x => x + shift).ToArray()).PValue;
            Assert.True(p < previous, $"shift {shift}: p {p} not below {previous}");
            previous = p;
        }
        Assert.InRange(previous, 1e-46, 1e-44);   // D = 1 with 100 vs 100: λ = 7.21, Q = 2·exp(−2λ²) ≈ 1.55e-45
        Assert.Throws<ArgumentException>(() => KsTest.TwoSample([], [1.0]));
        Assert.Throws<ArgumentException>(() => KsTest.TwoSample([double.NaN], [1.0]));
    }

    [Fact]
    public void HarmonicMeanIsZeroWhenOneValueIsZeroAndRejectsNegatives()
    {
        Assert.Equal(2.0 / (1 / 1.0 + 1 / 4.0), Means.Harmonic([1, 4]), 12);
        Assert.Equal(0, Means.Harmonic([0.9, 0.0, 0.8]));
        Assert.Throws<ArgumentException>(() => Means.Harmonic([0.5, -0.1]));
        Assert.Throws<ArgumentException>(() => Means.Harmonic([]));
    }
}

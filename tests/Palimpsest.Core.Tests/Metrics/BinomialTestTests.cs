using Palimpsest.Core.Metrics;
using Xunit;

namespace Palimpsest.Core.Tests.Metrics;

/// <summary>The exact binomial test against scipy.stats.binomtest 1.10 (golden/make_golden.py).</summary>
public class BinomialTestTests
{
    // golden: BinomialTestTests
    public static TheoryData<int, int, double, double, double, double> Cases => new()
    {
        // k, n, p0, greater, less, two-sided
        { 7, 20, 0.5, 0.9423408508300781, 0.13158798217773438, 0.26317596435546875 },
        { 3, 10, 0.1, 0.0701908264, 0.9872048016, 0.0701908264 },
        { 15, 20, 0.3, 4.294002195359168e-05, 0.9999944497469218, 4.294002195359168e-05 },
        { 0, 10, 0.2, 1.0, 0.1073741824, 0.22824806400000008 },
        { 10, 10, 0.5, 0.0009765625, 1.0, 0.001953125 },
        { 2, 50, 0.3, 0.9999995966299833, 4.449916362664725e-06, 7.2966161166317995e-06 },
        { 45, 100, 0.5, 0.8643734879630823, 0.18410080866334788, 0.36820161732669576 },
        { 6, 9, 0.7, 0.729659098, 0.5371688340000002, 1.0 },
        { 2, 10, 0.25, 0.7559747695922852, 0.5255928039550781, 1.0 },
        { 100, 400, 0.2, 0.008595072543182238, 0.9938070941620298, 0.014661014957680777 },
        { 1, 5, 0.0, 0.0, 1.0, 0.0 },
        { 0, 5, 0.0, 1.0, 1.0, 1.0 },
        { 4, 5, 1.0, 1.0, 0.0, 0.0 },
        { 3, 1000, 0.01, 0.9973205680062085, 0.010072654772014291, 0.0239052365020228 },
    };
    // end golden

    private static void AssertClose(double expected, double actual, double relativeTolerance = 1e-9)
    {
        double allowed = relativeTolerance * Math.Abs(expected);
        Assert.True(Math.Abs(expected - actual) <= allowed,
            $"expected {expected:R}, got {actual:R} (relative tolerance {relativeTolerance})");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Exact_MatchesScipyBinomtest(int k, int n, double p0, double greater, double less, double twoSided)
    {
        AssertClose(greater, BinomialTest.Exact(k, n, p0, Alternative.Greater).PValue);
        AssertClose(less, BinomialTest.Exact(k, n, p0, Alternative.Less).PValue);
        AssertClose(twoSided, BinomialTest.Exact(k, n, p0).PValue);
    }

    [Fact]
    public void Result_CarriesTheInputsAndProportion()
    {
        var r = BinomialTest.Exact(7, 20, 0.5, Alternative.Less);
        Assert.Equal(new BinomialTestResult(7, 20, 0.5, 0.35, r.PValue, Alternative.Less), r);
    }

    [Fact]
    public void Errors_NameTheBadValue()
    {
        var k = Assert.Throws<ArgumentOutOfRangeException>(() => BinomialTest.Exact(11, 10));
        Assert.Equal("successes", k.ParamName);
        Assert.Contains("11", k.Message);
        Assert.Equal("successes", Assert.Throws<ArgumentOutOfRangeException>(() => BinomialTest.Exact(-1, 10)).ParamName);
        Assert.Equal("trials", Assert.Throws<ArgumentOutOfRangeException>(() => BinomialTest.Exact(0, 0)).ParamName);
        var p = Assert.Throws<ArgumentOutOfRangeException>(() => BinomialTest.Exact(3, 10, 1.5));
        Assert.Equal("nullProbability", p.ParamName);
        Assert.Contains("1.5", p.Message);
        Assert.Equal("nullProbability",
            Assert.Throws<ArgumentOutOfRangeException>(() => BinomialTest.Exact(3, 10, double.NaN)).ParamName);
    }
}

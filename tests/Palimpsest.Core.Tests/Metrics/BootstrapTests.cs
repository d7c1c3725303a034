using Palimpsest.Core.Metrics;
using Palimpsest.Core.Randomness;
using Xunit;

namespace Palimpsest.Core.Tests.Metrics;

/// <summary>
/// Bootstrap intervals: determinism and coverage properties (no golden values, since our Rng is not numpy's);
/// the Student t interval against scipy (golden/make_golden.py; t quantile solved from t.cdf, see there).
/// </summary>
public class BootstrapTests
{
    // Input: copied verbatim from golden/make_golden.py.
    private static readonly double[] M = [0.61, 0.64, 0.58, 0.70, 0.66];

    // golden: BootstrapTests
    private const double TInterval_Mean = 0.6380000000000001;
    private const double TInterval_Lower95 = 0.5808294961802597;
    private const double TInterval_Upper95 = 0.6951705038197405;
    private const double TInterval_Lower90 = 0.5941025879414583;
    private const double TInterval_Upper90 = 0.6818974120585419;
    // end golden

    private static double Mean(double[] s) => s.Average();

    private static double[] Normal(Rng rng, int n, double mean, double sd) =>
        Enumerable.Range(0, n).Select(_ => mean + sd * rng.NextGaussian()).ToArray();

    [Fact]
    public void Percentile_IsDeterministicForASeed()
    {
        var sample = Normal(new Rng(1), 100, 0, 1);
        var a = Bootstrap.Percentile(sample, Mean, new Rng(5), 500);
        var b = Bootstrap.Percentile(sample, Mean, new Rng(5), 500);
        var c = Bootstrap.Percentile(sample, Mean, new Rng(6), 500);
        Assert.Equal(a, b);
        Assert.NotEqual(a.Lower, c.Lower);
        Assert.Equal(sample.Average(), a.Estimate, 15);
    }

    [Fact]
    public void Percentile_OfBigNormalSample_ContainsTrueMean_WithExpectedWidth()
    {
        var sample = Normal(new Rng(11), 2_000, 3.0, 1.0);
        var ci = Bootstrap.Percentile(sample, Mean, new Rng(12), 2_000);
        Assert.True(ci.Contains(3.0), $"[{ci.Lower}, {ci.Upper}] should contain 3");
        Assert.True(ci.Lower < ci.Estimate && ci.Estimate < ci.Upper);
        // Normal theory: width = 2 * 1.96 / sqrt(2000) = 0.088.
        Assert.InRange(ci.Upper - ci.Lower, 0.07, 0.11);
        Assert.Equal(0.95, ci.Level);
    }

    [Fact]
    public void PairedDifference_ExcludesZero_WhenFirstIsClearlyLarger()
    {
        var rng = new Rng(21);
        var second = Normal(rng, 200, 0.0, 1.0);
        var first = second.Select(v => v + 0.3 + 0.2 * rng.NextGaussian()).ToArray(); // paired, shifted by 0.3
        var ci = Bootstrap.PairedDifference(first, second, Mean, new Rng(22));
        Assert.True(ci.Lower > 0, $"[{ci.Lower}, {ci.Upper}] should exclude 0");
        Assert.True(ci.Contains(0.3), $"[{ci.Lower}, {ci.Upper}] should contain the true shift 0.3");
    }

    [Fact]
    public void PairedDifference_ContainsZero_WhenThereIsNoShift()
    {
        // Control for the test above: without a shift the interval must straddle 0.
        var rng = new Rng(31);
        var second = Normal(rng, 200, 0.0, 1.0);
        var first = second.Select(v => v + 0.2 * rng.NextGaussian()).ToArray();
        var ci = Bootstrap.PairedDifference(first, second, Mean, new Rng(32));
        Assert.True(ci.Contains(0.0), $"[{ci.Lower}, {ci.Upper}] should contain 0");
    }

    [Fact]
    public void OverIndices_BootstrapsAucOfScoresAndLabels()
    {
        var rng = new Rng(41);
        var labels = Enumerable.Range(0, 300).Select(i => i % 2 == 0).ToArray();
        var scores = labels.Select(isPositive => (isPositive ? 1.0 : 0.0) + rng.NextGaussian()).ToArray();
        var ci = Bootstrap.OverIndices(scores.Length,
            idx => Roc.Auc(Bootstrap.Gather(scores, idx), Bootstrap.Gather(labels, idx)), new Rng(42), 500);
        Assert.Equal(Roc.Auc(scores, labels), ci.Estimate, 15);
        Assert.True(ci.Lower > 0.5, $"AUC interval [{ci.Lower}, {ci.Upper}] should exclude chance");
        Assert.True(ci.Contains(ci.Estimate));
    }

    [Fact]
    public void MeanWithTInterval_MatchesScipy()
    {
        var ci95 = Bootstrap.MeanWithTInterval(M);
        Assert.Equal(TInterval_Mean, ci95.Estimate, 14);
        Assert.Equal(TInterval_Lower95, ci95.Lower, 12);
        Assert.Equal(TInterval_Upper95, ci95.Upper, 12);
        var ci90 = Bootstrap.MeanWithTInterval(M, 0.90);
        Assert.Equal(TInterval_Lower90, ci90.Lower, 12);
        Assert.Equal(TInterval_Upper90, ci90.Upper, 12);
    }

    [Fact]
    public void MeanWithTInterval_OfOneValue_HasNaNInterval()
    {
        var ci = Bootstrap.MeanWithTInterval([0.7]);
        Assert.Equal(0.7, ci.Estimate);
        Assert.True(double.IsNaN(ci.Lower) && double.IsNaN(ci.Upper));
        Assert.False(ci.Contains(0.7));
    }

    [Fact]
    public void Errors_NameTheBadValue()
    {
        var empty = Assert.Throws<ArgumentException>(() => Bootstrap.MeanWithTInterval([]));
        Assert.Contains("empty", empty.Message);
        var nan = Assert.Throws<ArgumentException>(() => Bootstrap.MeanWithTInterval([1.0, double.NaN]));
        Assert.Contains("values[1]", nan.Message);
        var level = Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.MeanWithTInterval(M, 95));
        Assert.Equal("level", level.ParamName);
        var one = Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.Percentile([1.0], Mean, new Rng(1)));
        Assert.Equal("count", one.ParamName);
        var resamples = Assert.Throws<ArgumentOutOfRangeException>(() => Bootstrap.Percentile(M, Mean, new Rng(1), 0));
        Assert.Equal("resamples", resamples.ParamName);
        var lengths = Assert.Throws<ArgumentException>(() => Bootstrap.PairedDifference(M, M[..4], Mean, new Rng(1)));
        Assert.Contains("4", lengths.Message);
        var undefined = Assert.Throws<InvalidOperationException>(
            () => Bootstrap.Percentile(M, s => s.Max() > 0.69 ? double.NaN : 0.0, new Rng(1), 200));
        Assert.Contains("NaN", undefined.Message);
    }
}

public class PairedGreaterPTests
{
    [Fact]
    public void AllPositiveDifferencesGiveZeroAndIdenticalSamplesGiveOne()
    {
        Assert.Equal(0.0, Bootstrap.PairedGreaterP([3.0, 4, 5], [1.0, 2, 3], new Palimpsest.Core.Randomness.Rng(1), 500));
        Assert.Equal(1.0, Bootstrap.PairedGreaterP([1.0, 2, 3], [1.0, 2, 3], new Palimpsest.Core.Randomness.Rng(1), 500));
    }

    [Fact]
    public void TwoPairsOneUpOneDownMatchTheExactResamplingProbability()
    {
        // Differences +1 and -3: a resample's sum is > 0 only when both draws pick +1, probability 1/4, so p = 3/4.
        double p = Bootstrap.PairedGreaterP([2.0, 0], [1.0, 3], new Palimpsest.Core.Randomness.Rng(7), 40_000);
        Assert.InRange(p, 0.74, 0.76);
    }

    [Fact]
    public void UnpairedInputIsRejected() =>
        Assert.Throws<ArgumentException>(() => Bootstrap.PairedGreaterP([1.0, 2], [1.0], new Palimpsest.Core.Randomness.Rng(1)));
}

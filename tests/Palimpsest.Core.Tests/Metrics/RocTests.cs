using Palimpsest.Core.Metrics;
using Xunit;

namespace Palimpsest.Core.Tests.Metrics;

/// <summary>ROC AUC and curve against scikit-learn 1.2 (golden/make_golden.py); TPR at FPR by hand.</summary>
public class RocTests
{
    // Inputs: copied verbatim from golden/make_golden.py. Ties at 0.8, 0.6 and 0.3 mix the classes.
    private static readonly double[] S = [0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.6, 0.5, 0.4, 0.3, 0.3, 0.1];
    private static readonly bool[] L = [true, true, false, true, true, false, false, true, false, true, false, false];

    // golden: RocTests
    private const double Auc_S_L = 0.6944444444444444;
    private static readonly double[] Curve_Fpr = [0.0, 0.0, 0.16666666666666666, 0.16666666666666666, 0.5, 0.5, 0.6666666666666666, 0.8333333333333334, 1.0];
    private static readonly double[] Curve_Tpr = [0.0, 0.16666666666666666, 0.3333333333333333, 0.5, 0.6666666666666666, 0.8333333333333334, 0.8333333333333334, 1.0, 1.0];
    private static readonly double[] Curve_Thresholds_AfterFirst = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.1];
    // end golden

    [Fact]
    public void Auc_WithTies_MatchesSklearn()
    {
        Assert.Equal(Auc_S_L, Roc.Auc(S, L), 14);
    }

    [Fact]
    public void Auc_Direction_HigherScoreMeansPositive()
    {
        var negated = S.Select(s => -s).ToArray();
        Assert.Equal(1 - Auc_S_L, Roc.Auc(negated, L), 14);
        Assert.Equal(1.0, Roc.Auc([3.0, 2.0, 1.0, 0.0], [true, true, false, false]));
        Assert.Equal(0.5, Roc.Auc([1.0, 1.0, 1.0, 1.0], [true, false, true, false])); // all tied: chance
    }

    [Fact]
    public void Curve_MatchesSklearnWithoutDroppingIntermediatePoints()
    {
        var curve = Roc.Curve(S, L);
        Assert.Equal(Curve_Fpr.Length, curve.FalsePositiveRates.Length);
        for (int i = 0; i < Curve_Fpr.Length; i++)
        {
            Assert.Equal(Curve_Fpr[i], curve.FalsePositiveRates[i], 14);
            Assert.Equal(Curve_Tpr[i], curve.TruePositiveRates[i], 14);
        }
        Assert.Equal(double.PositiveInfinity, curve.Thresholds[0]);
        Assert.Equal(Curve_Thresholds_AfterFirst, curve.Thresholds[1..]);
    }

    [Fact]
    public void Curve_TrapezoidArea_EqualsAuc()
    {
        var c = Roc.Curve(S, L);
        double area = 0;
        for (int i = 1; i < c.FalsePositiveRates.Length; i++)
            area += (c.FalsePositiveRates[i] - c.FalsePositiveRates[i - 1])
                    * (c.TruePositiveRates[i] + c.TruePositiveRates[i - 1]) / 2;
        Assert.Equal(Roc.Auc(S, L), area, 14);
    }

    [Theory]
    // By hand from S, L (6 positives, 6 negatives), flagging score >= t for t = 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, ...:
    // (FPR, TPR) = (0,0) (0,1/6) (1/6,2/6) (1/6,3/6) (3/6,4/6) (3/6,5/6) (4/6,5/6) (5/6,1) (1,1).
    [InlineData(0.0, 1.0 / 6)]
    [InlineData(0.1, 1.0 / 6)]
    [InlineData(1.0 / 6, 3.0 / 6)]
    [InlineData(0.2, 3.0 / 6)]
    [InlineData(0.5, 5.0 / 6)]
    [InlineData(0.8, 5.0 / 6)]
    [InlineData(0.9, 1.0)]
    [InlineData(1.0, 1.0)]
    public void TprAtFpr_IsLargestTprWithFprAtMostTarget(double target, double expectedTpr)
    {
        Assert.Equal(expectedTpr, Roc.TprAtFpr(S, L, target), 14);
    }

    [Fact]
    public void Errors_NameTheBadValue()
    {
        var noPositives = Assert.Throws<ArgumentException>(() => Roc.Auc([0.1, 0.2], [false, false]));
        Assert.Contains("no positives", noPositives.Message);
        var noNegatives = Assert.Throws<ArgumentException>(() => Roc.Curve([0.1, 0.2], [true, true]));
        Assert.Contains("no negatives", noNegatives.Message);
        var lengths = Assert.Throws<ArgumentException>(() => Roc.Auc(S, L[..11]));
        Assert.Contains("12", lengths.Message);
        Assert.Contains("11", lengths.Message);
        var nan = Assert.Throws<ArgumentException>(() => Roc.Auc([0.1, double.NaN], [true, false]));
        Assert.Contains("scores[1]", nan.Message);
        var target = Assert.Throws<ArgumentOutOfRangeException>(() => Roc.TprAtFpr(S, L, 1.5));
        Assert.Equal("maxFalsePositiveRate", target.ParamName);
    }
}

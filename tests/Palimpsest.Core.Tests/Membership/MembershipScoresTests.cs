using Palimpsest.Core.Membership;
using Palimpsest.Core.Randomness;
using Xunit;

namespace Palimpsest.Core.Tests.Membership;

public class MembershipScoresTests
{
    // Ten token log-probabilities; sorted: -5, -4, -3, -2, -1, -0.5, -0.4, -0.3, -0.2, -0.1 (sum -16.5).
    private static readonly float[] Lp = [-0.1f, -5f, -0.2f, -4f, -0.3f, -3f, -0.4f, -2f, -0.5f, -1f];

    [Fact]
    public void LossIsTheMeanLogProbability() => Assert.Equal(-1.65, MembershipScores.Loss(Lp), 6);

    [Theory]
    [InlineData(10, -5.0)]            // 10% of 10 tokens = 1 token: -5
    [InlineData(20, -4.5)]            // 2 tokens: (-5 - 4) / 2
    [InlineData(30, -4.0)]            // 3 tokens: (-5 - 4 - 3) / 3
    [InlineData(25, -4.5)]            // 2.5 rounds down to 2 tokens
    [InlineData(5, -5.0)]             // 0.5 token: at least 1
    [InlineData(100, -1.65)]          // k = 100% is the loss
    public void MinKAveragesTheLeastLikelyTokens(double k, double expected) =>
        Assert.Equal(expected, MembershipScores.MinK(Lp, k), 6);

    [Fact]
    public void ReferenceSubtractsTheReferenceModelsMeanLogProbability()
    {
        float[] reference = [-2f, -2f, -2f, -2f, -2f, -2f, -2f, -2f, -2f, -2f];
        Assert.Equal(-1.65 + 2.0, MembershipScores.Reference(Lp, reference), 6);
        Assert.Throws<ArgumentException>(() => MembershipScores.Reference(Lp, [-1f]));
    }

    [Fact]
    public void ZlibDividesByTheCompressedLength()
    {
        string text = "the cat sat on the mat";
        int bytes = MembershipScores.ZlibBytes(text);
        Assert.InRange(bytes, 8, 40);                   // 22 bytes of text + 2-byte header + 4-byte checksum, barely compressible
        Assert.Equal(-1.65 / bytes, MembershipScores.Zlib(Lp, text), 9);
        // Repetitive text compresses far better than its length.
        Assert.True(MembershipScores.ZlibBytes(string.Concat(Enumerable.Repeat("abc ", 100))) < 40);
    }

    [Fact]
    public void BadInputsNameTheProblem()
    {
        Assert.Throws<ArgumentException>(() => MembershipScores.Loss([]));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MembershipScores.MinK(Lp, 0));
        Assert.Contains("(0, 100]", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MembershipScores.MinK(Lp, 120));
    }
}

public class MembershipAttackTests
{
    [Fact]
    public void EvaluateGivesAucAndTprAtLowFpr()
    {
        // Members score 3, 2.5, 1; non-members 2, 0, -1: 8 of 9 member/non-member pairs ordered right → AUC 8/9.
        var m = MembershipAttack.Evaluate("s", [3.0, 2.5, 1, 2, 0, -1], [true, true, true, false, false, false]);
        Assert.Equal(8.0 / 9, m.Auc, 12);
        Assert.Equal(2.0 / 3, m.TprAt1, 12);           // above the best non-member (2): two members
        Assert.Equal(2.0 / 3, m.TprAt5, 12);
    }

    [Fact]
    public void AucDifferenceOfAScoreWithItselfIsZeroAndAPerfectScoreBeatsNoise()
    {
        var rng = new Rng(3);
        var labels = Enumerable.Range(0, 200).Select(i => i % 2 == 0).ToArray();
        var perfect = labels.Select(l => l ? 1.0 : 0.0).ToArray();
        var noise = labels.Select(_ => rng.NextDouble()).ToArray();
        var same = MembershipAttack.AucDifference(noise, noise, labels, new Rng(1), 200);
        Assert.Equal(0, same.Estimate);
        Assert.Equal(0, same.Lower);
        Assert.Equal(0, same.Upper);
        var better = MembershipAttack.AucDifference(perfect, noise, labels, new Rng(1), 500);
        Assert.True(better.Lower > 0.3, $"lower bound {better.Lower}");
        Assert.Equal(1 - Palimpsest.Core.Metrics.Roc.Auc(noise, labels), better.Estimate, 12);
    }

    [Fact]
    public void AucDifferenceNeedsBothClasses() =>
        Assert.Throws<ArgumentException>(() => MembershipAttack.AucDifference([1.0, 2, 3], [1.0, 2, 3], [true, true, false], new Rng(1)));
}

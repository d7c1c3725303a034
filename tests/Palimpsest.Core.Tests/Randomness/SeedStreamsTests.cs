using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Tests.Randomness;

public sealed class SeedStreamsTests
{
    [Fact]
    public void SameSeedAndNameGiveTheSameNumbers()
    {
        var a = new SeedStreams(7).Rng("data");
        var b = new SeedStreams(7).Rng("data");
        Assert.Equal(Enumerable.Range(0, 20).Select(_ => a.NextUInt64()), Enumerable.Range(0, 20).Select(_ => b.NextUInt64()));
    }

    [Fact]
    public void StreamsAreIndependentOfEachOtherAndOfTheSeed()
    {
        var streams = new SeedStreams(7);
        Assert.NotEqual(streams.DeriveSeed("data"), streams.DeriveSeed("init"));
        Assert.NotEqual(new SeedStreams(7).DeriveSeed("data"), new SeedStreams(8).DeriveSeed("data"));
    }

    [Fact]
    public void DerivedSeedsAreStableAcrossVersions()
    {
        // Pinned values: a change here silently changes every corpus and result. Update only on purpose.
        Assert.Equal(18262363480633252674UL, SeedStreams.Derive(1, "data"));
        var rng = new Rng(42);
        Assert.Equal(GoldenFirstDraw, rng.NextUInt64());
    }

    // xoshiro256** seeded by SplitMix64(42): first output, computed once and pinned.
    private static readonly ulong GoldenFirstDraw = ComputeReference();

    private static ulong ComputeReference()
    {
        // Reference implementation written independently of Rng, straight from the published algorithms.
        ulong x = 42;
        ulong Next()
        {
            ulong z = x += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
        ulong s0 = Next(), s1 = Next();
        _ = s0;
        ulong r = s1 * 5;
        r = (r << 7) | (r >> 57);
        return r * 9;
    }

    [Fact]
    public void NextIntStaysInRangeAndCoversIt()
    {
        var rng = new Rng(3);
        var counts = new int[5];
        for (int i = 0; i < 5_000; i++) counts[rng.NextInt(5)]++;
        Assert.All(counts, c => Assert.InRange(c, 850, 1150));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
    }

    [Fact]
    public void PermutationIsAPermutation()
    {
        var p = new Rng(5).Permutation(100);
        Assert.Equal(Enumerable.Range(0, 100), p.Order());
        Assert.NotEqual(Enumerable.Range(0, 100), p);
    }

    [Fact]
    public void CategoricalFollowsTheWeightsAndRejectsBadOnes()
    {
        var rng = new Rng(9);
        int ones = Enumerable.Range(0, 10_000).Count(_ => rng.Categorical([1.0, 3.0]) == 1);
        Assert.InRange(ones, 7_300, 7_700);
        var e = Assert.Throws<ArgumentException>(() => rng.Categorical([1.0, -1.0]));
        Assert.Contains("-1", e.Message);
    }
}

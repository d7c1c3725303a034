namespace Palimpsest.Core.Randomness;

/// <summary>
/// A small, fast, seedable random number generator (xoshiro256** seeded through SplitMix64).
/// Ours rather than <see cref="System.Random"/> so that a seed gives the same corpus on every .NET version.
/// Not thread-safe: give each component its own stream (see <see cref="SeedStreams"/>).
/// </summary>
public sealed class Rng
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    public Rng(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
    }

    /// <summary>One SplitMix64 step: advances <paramref name="state"/> and returns a well-mixed 64-bit value.</summary>
    public static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "must be positive");
        ulong bound = (ulong)maxExclusive;
        ulong threshold = (0UL - bound) % bound;
        while (true)
        {
            ulong r = NextUInt64();
            if (r >= threshold) return (int)(r % bound);
        }
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
            throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, $"must exceed {minInclusive}");
        return minInclusive + NextInt(maxExclusive - minInclusive);
    }

    /// <summary>A standard normal draw (Box-Muller; one value per call, no cached spare, so streams stay simple).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool NextBool(double p = 0.5) => NextDouble() < p;

    /// <summary>Shuffles <paramref name="items"/> in place (Fisher-Yates).</summary>
    public void Shuffle<T>(IList<T> items)
    {
        for (int i = items.Count - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        Shuffle(p);
        return p;
    }

    /// <summary>One element of <paramref name="items"/>, uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        if (items.Count == 0) throw new ArgumentException("cannot pick from an empty list", nameof(items));
        return items[NextInt(items.Count)];
    }

    /// <summary>An index drawn with probability proportional to <paramref name="weights"/> (non-negative, not all zero).</summary>
    public int Categorical(IReadOnlyList<double> weights)
    {
        double total = 0;
        foreach (var w in weights)
        {
            if (w < 0 || double.IsNaN(w)) throw new ArgumentException($"weight {w} is not a non-negative number", nameof(weights));
            total += w;
        }
        if (total <= 0) throw new ArgumentException("weights sum to zero", nameof(weights));
        double u = NextDouble() * total;
        for (int i = 0; i < weights.Count; i++)
        {
            u -= weights[i];
            if (u < 0) return i;
        }
        return weights.Count - 1;
    }
}

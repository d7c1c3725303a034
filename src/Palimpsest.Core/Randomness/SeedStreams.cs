using System.Text;

namespace Palimpsest.Core.Randomness;

/// <summary>
/// Named random streams derived from one run seed: hash(seed, name). A new random call in one component
/// never shifts the numbers of another, because each draws from its own stream.
/// </summary>
public sealed class SeedStreams
{
    /// <summary>The run's seed.</summary>
    public int Seed { get; }

    /// <summary>Creates the streams of one run.</summary>
    public SeedStreams(int seed) => Seed = seed;

    /// <summary>A 64-bit seed for the stream <paramref name="name"/>: stable across processes and .NET versions.</summary>
    public ulong DeriveSeed(string name) => Derive(Seed, name);

    /// <summary>A fresh generator for the stream <paramref name="name"/>; the same name gives the same numbers.</summary>
    public Rng Rng(string name) => new(DeriveSeed(name));

    /// <summary>A fresh torch generator for the stream <paramref name="name"/> (CPU; dispose it, or hold it with <c>using</c>).</summary>
    public TorchSharp.torch.Generator TorchGenerator(string name) =>
        new TorchSharp.torch.Generator(TorchSeed(name));

    /// <summary>A non-negative 63-bit seed for torch's generators.</summary>
    public ulong TorchSeed(string name) => DeriveSeed(name) & 0x7FFF_FFFF_FFFF_FFFFUL;

    /// <summary>hash(seed, name) via FNV-1a over the UTF-8 name, mixed with SplitMix64.</summary>
    public static ulong Derive(int seed, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        ulong h = 0xcbf29ce484222325UL;
        foreach (byte b in Encoding.UTF8.GetBytes(name))
        {
            h ^= b;
            h *= 0x100000001b3UL;
        }
        ulong state = h ^ ((ulong)(uint)seed * 0x9E3779B97F4A7C15UL);
        return Randomness.Rng.SplitMix64(ref state);
    }
}

using System.Collections.Concurrent;
using TorchSharp;

namespace Palimpsest.Core.Tensors;

/// <summary>
/// Constant Scalars that live for the whole process, so libtorch never reads a freed one. A Scalar made implicitly
/// (<c>t * 0.5</c>, <c>t.clamp_min(0)</c>) is unreachable once its handle is read, and the finalizer thread can free
/// it while the native call still reads it (TorchSharp PRs #1434 and #1496; it crashed s3t-exact-unlearning in c10's
/// Scalar::toFloat). Pass <c>Scalars.Of(0.5)</c> instead: the same value and C# type, so the same numbers. Use it
/// for constants only; wrap a value computed at run time in <c>using var s = x.ToScalar();</c>, since every distinct
/// value stays cached.
/// </summary>
public static class Scalars
{
    // Keyed by bit pattern, so -0.0 and 0.0 (equal as numbers) stay distinct Scalars.
    private static readonly ConcurrentDictionary<long, Scalar> Doubles = new();
    private static readonly ConcurrentDictionary<int, Scalar> Singles = new();
    private static readonly ConcurrentDictionary<long, Scalar> Longs = new();
    private static readonly ConcurrentDictionary<int, Scalar> Ints = new();
    private static readonly ConcurrentDictionary<bool, Scalar> Bools = new();

    /// <summary>A double Scalar (Float64), never freed.</summary>
    public static Scalar Of(double value) =>
        Doubles.GetOrAdd(BitConverter.DoubleToInt64Bits(value), bits => BitConverter.Int64BitsToDouble(bits).ToScalar());

    /// <summary>A float Scalar, never freed.</summary>
    public static Scalar Of(float value) =>
        Singles.GetOrAdd(BitConverter.SingleToInt32Bits(value), bits => BitConverter.Int32BitsToSingle(bits).ToScalar());

    /// <summary>A long Scalar (Int64), never freed.</summary>
    public static Scalar Of(long value) => Longs.GetOrAdd(value, v => v.ToScalar());

    /// <summary>An int Scalar, never freed.</summary>
    public static Scalar Of(int value) => Ints.GetOrAdd(value, v => v.ToScalar());

    /// <summary>A bool Scalar, never freed.</summary>
    public static Scalar Of(bool value) => Bools.GetOrAdd(value, v => v.ToScalar());
}

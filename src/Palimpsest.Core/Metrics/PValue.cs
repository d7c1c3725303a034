namespace Palimpsest.Core.Metrics;

/// <summary>p-values on the log scale claims use.</summary>
public static class PValue
{
    /// <summary>Smallest p-value kept apart from zero, so that an underflowed p still has a finite logarithm.</summary>
    public const double Floor = 1e-300;

    /// <summary>log10 of <paramref name="p"/>, floored at <see cref="Floor"/> (−300); lower is stronger evidence.</summary>
    public static double Log10(double p) => Math.Log10(Math.Max(p, Floor));
}

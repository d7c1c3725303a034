namespace Palimpsest.Core.Metrics;

/// <summary>Means that are not the arithmetic one.</summary>
public static class Means
{
    /// <summary>
    /// Harmonic mean n / Σ 1/xᵢ of non-negative values (TOFU's "model utility" over its retain metrics): it is 0 as
    /// soon as one value is 0, so a model that keeps most abilities but loses one scores low.
    /// </summary>
    public static double Harmonic(IReadOnlyList<double> values)
    {
        if (values.Count == 0) throw new ArgumentException("the harmonic mean needs at least one value", nameof(values));
        foreach (var v in values)
            if (double.IsNaN(v) || v < 0) throw new ArgumentException($"value {v} is not a non-negative number", nameof(values));
        if (values.Any(v => v == 0)) return 0;
        return values.Count / values.Sum(v => 1 / v);
    }
}

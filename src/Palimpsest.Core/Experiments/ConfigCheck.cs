using System.Globalization;
using System.Runtime.CompilerServices;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// Range checks for a config record's <see cref="IExperimentConfig{TSelf}.Validate"/>. Each check names the setting by
/// the expression passed (<c>ConfigCheck.Count(Steps)</c> reports <c>'Steps'</c>), so pass the bare property. A failed
/// check throws an <see cref="ArgumentException"/> whose message names the setting, its value and the allowed range
/// (<c>setting 'Steps' = 0 is out of range; allowed: an integer &gt;= 1</c>); the runner turns it into exit code 2
/// before any training.
/// </summary>
public static class ConfigCheck
{
    /// <summary>An integer of at least <paramref name="min"/>.</summary>
    public static void AtLeast(long value, long min, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (value < min) throw Invalid(setting, Format(value), $"an integer >= {min}");
    }

    /// <summary>A count of at least one (steps, epochs, sizes, batch sizes).</summary>
    public static void Count(long value, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        AtLeast(value, 1, setting);

    /// <summary>An integer in <paramref name="min"/>..<paramref name="max"/>, both included.</summary>
    public static void Between(long value, long min, long max, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (value < min || value > max) throw Invalid(setting, Format(value), $"an integer in {min}..{max}");
    }

    /// <summary>A finite number above zero (learning rates, temperatures, scales).</summary>
    public static void Positive(double value, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        InRange(value, 0, double.PositiveInfinity, minIncluded: false, setting: setting);

    /// <summary>A finite number of at least zero (weights, ridges, decays).</summary>
    public static void NonNegative(double value, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        InRange(value, 0, double.PositiveInfinity, setting: setting);

    /// <summary>A share or probability in [0, 1].</summary>
    public static void Fraction(double value, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        InRange(value, 0, 1, setting: setting);

    /// <summary>
    /// A finite number between <paramref name="min"/> and <paramref name="max"/>, each end included unless told otherwise;
    /// an infinite <paramref name="max"/> means no upper bound. NaN is always rejected.
    /// </summary>
    public static void InRange(double value, double min, double max, bool minIncluded = true, bool maxIncluded = true,
        [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (!Within(value, min, max, minIncluded, maxIncluded))
            throw Invalid(setting, Format(value), Describe(min, max, minIncluded, maxIncluded));
    }

    /// <summary>A non-empty list of integers, each at least <paramref name="min"/>.</summary>
    public static void EachAtLeast(IReadOnlyList<int> values, long min, [CallerArgumentExpression(nameof(values))] string setting = "")
    {
        ArgumentNullException.ThrowIfNull(values, setting);
        if (values.Count == 0 || values.Any(v => v < min))
            throw Invalid(setting, Format(values), $"a non-empty list of integers >= {min}");
    }

    /// <summary>A non-empty list of finite numbers, each between <paramref name="min"/> and <paramref name="max"/>.</summary>
    public static void EachInRange(IReadOnlyList<double> values, double min, double max, bool minIncluded = true,
        bool maxIncluded = true, [CallerArgumentExpression(nameof(values))] string setting = "")
    {
        ArgumentNullException.ThrowIfNull(values, setting);
        if (values.Count == 0 || values.Any(v => !Within(v, min, max, minIncluded, maxIncluded)))
            throw Invalid(setting, Format(values),
                "a non-empty list of " + Describe(min, max, minIncluded, maxIncluded, plural: true));
    }

    /// <summary>A rule between settings: throws naming <paramref name="setting"/>'s value and <paramref name="allowed"/> when <paramref name="ok"/> is false.</summary>
    public static void That(bool ok, object value, string allowed, [CallerArgumentExpression(nameof(value))] string setting = "")
    {
        if (!ok) throw Invalid(setting, Format(value), allowed);
    }

    /// <summary>The transformer shape settings: layers and heads at least one, the width a positive multiple of the heads.</summary>
    public static void Transformer(int width, int layers, int heads, [CallerArgumentExpression(nameof(width))] string widthSetting = "",
        [CallerArgumentExpression(nameof(layers))] string layersSetting = "", [CallerArgumentExpression(nameof(heads))] string headsSetting = "")
    {
        Count(layers, layersSetting);
        Count(heads, headsSetting);
        if (width < heads || width % heads != 0)
            throw Invalid(widthSetting, Format(width), $"a positive multiple of {headsSetting} ({heads})");
    }

    private static ArgumentException Invalid(string setting, string value, string allowed) =>
        new($"setting '{setting}' = {value} is out of range; allowed: {allowed}");

    private static bool Within(double value, double min, double max, bool minIncluded, bool maxIncluded) =>
        (minIncluded ? value >= min : value > min)
        && (double.IsPositiveInfinity(max) ? double.IsFinite(value) : maxIncluded ? value <= max : value < max);

    private static string Describe(double min, double max, bool minIncluded, bool maxIncluded, bool plural = false)
    {
        string number = plural ? "numbers" : "a number";
        if (double.IsPositiveInfinity(max)) return $"{number} {(minIncluded ? ">=" : ">")} {Format(min)}";
        return $"{number} in {(minIncluded ? "[" : "(")}{Format(min)}, {Format(max)}{(maxIncluded ? "]" : ")")}";
    }

    private static string Format(object value) => value switch
    {
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        IEnumerable<int> list => $"[{string.Join(",", list)}]",
        IEnumerable<double> list => $"[{string.Join(",", list.Select(v => v.ToString("G6", CultureInfo.InvariantCulture)))}]",
        IEnumerable<string> list => $"[{string.Join(",", list)}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

using System.Globalization;
using System.Reflection;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// Applies <c>key=value</c> overrides to an immutable config record by property name, returning a copy.
/// Unknown keys fail with the nearest name and the allowed ones; values that do not parse fail with the type.
/// </summary>
public static class ConfigBinder
{
    /// <summary>The settable properties of a config type, in declaration order.</summary>
    public static IReadOnlyList<PropertyInfo> Settable(Type configType) =>
        configType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is not null && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.MetadataToken)
            .ToList();

    /// <summary>Parses "key=value" strings into pairs; a string without '=' throws.</summary>
    public static IReadOnlyList<(string Key, string Value)> ParseAssignments(IEnumerable<string> assignments)
    {
        var pairs = new List<(string, string)>();
        foreach (var a in assignments)
        {
            int eq = a.IndexOf('=');
            if (eq <= 0)
                throw new ArgumentException($"override '{a}' is not of the form key=value");
            pairs.Add((a[..eq].Trim(), a[(eq + 1)..].Trim()));
        }
        return pairs;
    }

    /// <summary>A copy of <paramref name="config"/> with the overrides applied.</summary>
    public static T Apply<T>(T config, IEnumerable<(string Key, string Value)> overrides) where T : class =>
        (T)Apply((object)config, overrides);

    /// <summary>A copy of <paramref name="config"/> (a record) with the overrides applied.</summary>
    public static object Apply(object config, IEnumerable<(string Key, string Value)> overrides)
    {
        ArgumentNullException.ThrowIfNull(config);
        var list = overrides.ToList();
        if (list.Count == 0) return config;
        var type = config.GetType();
        var clone = type.GetMethod("<Clone>$")
            ?? throw new ArgumentException($"config type {type.Name} is not a record");
        object copy = clone.Invoke(config, null)!;
        var properties = Settable(type);
        foreach (var (key, value) in list)
        {
            var property = properties.FirstOrDefault(p => string.Equals(p.Name, key, StringComparison.OrdinalIgnoreCase))
                ?? throw UnknownKey(type, key, properties);
            property.SetValue(copy, ParseValue(property, value));
        }
        return copy;
    }

    private static ArgumentException UnknownKey(Type type, string key, IReadOnlyList<PropertyInfo> properties)
    {
        var names = properties.Select(p => p.Name).ToList();
        string nearest = names.OrderBy(n => Levenshtein(n.ToLowerInvariant(), key.ToLowerInvariant())).FirstOrDefault() ?? "";
        return new ArgumentException(
            $"unknown setting '{key}' for {type.DeclaringType?.Name ?? type.Name}; did you mean '{nearest}'? allowed: {string.Join(", ", names)}");
    }

    private static object? ParseValue(PropertyInfo property, string text)
    {
        var type = property.PropertyType;
        try
        {
            return Parse(type, text);
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException)
        {
            string allowed = type.IsEnum ? $" (allowed: {string.Join(", ", Enum.GetNames(type))})" : "";
            throw new ArgumentException(
                $"setting '{property.Name}' expects {Describe(type)}{allowed}; could not read '{text}'", e);
        }
    }

    private static object? Parse(Type type, string text)
    {
        var inv = CultureInfo.InvariantCulture;
        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null) return text is "" or "null" ? null : Parse(underlying, text);
        if (type == typeof(string)) return text;
        if (type == typeof(int)) return int.Parse(text.Replace("_", ""), NumberStyles.Integer, inv);
        if (type == typeof(long)) return long.Parse(text.Replace("_", ""), NumberStyles.Integer, inv);
        if (type == typeof(double)) return double.Parse(text, NumberStyles.Float, inv);
        if (type == typeof(float)) return float.Parse(text, NumberStyles.Float, inv);
        if (type == typeof(bool))
            return text.ToLowerInvariant() switch
            {
                "true" or "1" or "yes" => true,
                "false" or "0" or "no" => false,
                _ => throw new FormatException($"'{text}' is not true or false"),
            };
        if (type.IsEnum)
        {
            if (!Enum.TryParse(type, text, ignoreCase: true, out var e) || !Enum.IsDefined(type, e!))
                throw new FormatException($"'{text}' is not a {type.Name}");
            return e;
        }
        var element = type.IsArray ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() is var g
              && (g == typeof(IReadOnlyList<>) || g == typeof(IList<>) || g == typeof(IEnumerable<>))
                ? type.GetGenericArguments()[0] : null;
        if (element is not null)
        {
            var items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => Parse(element, s)).ToArray();
            var array = Array.CreateInstance(element, items.Length);
            for (int i = 0; i < items.Length; i++) array.SetValue(items[i], i);
            return array;
        }
        throw new ArgumentException($"settings of type {type.Name} cannot be set from the command line");
    }

    private static string Describe(Type t) =>
        t == typeof(int) || t == typeof(long) ? "an integer"
        : t == typeof(double) || t == typeof(float) ? "a number"
        : t == typeof(bool) ? "true or false"
        : t.IsArray ? $"a comma-separated list of {Describe(t.GetElementType()!)}"
        : t.Name;

    /// <summary>Edit distance, for "did you mean".</summary>
    public static int Levenshtein(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }
}

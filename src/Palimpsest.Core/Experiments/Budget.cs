namespace Palimpsest.Core.Experiments;

/// <summary>How much compute a run gets. Smoke: seconds, for tests and CI. Full: minutes, the published result.</summary>
public enum Budget
{
    /// <summary>Seconds on 2 CPU cores; serves <c>dotnet test</c> and CI. Some claims are NotChecked here.</summary>
    Smoke,
    /// <summary>Minutes on 2 CPU cores; checks every claim.</summary>
    Full,
}

/// <summary>Parsing and naming of <see cref="Budget"/> values.</summary>
public static class Budgets
{
    /// <summary>The budget names accepted on the command line and in <c>PALIMPSEST_BUDGET</c>.</summary>
    public static IReadOnlyList<string> Names { get; } = ["smoke", "full"];

    /// <summary>The lower-case name of a budget.</summary>
    public static string Name(this Budget budget) => budget switch
    {
        Budget.Smoke => "smoke",
        Budget.Full => "full",
        _ => throw new ArgumentOutOfRangeException(nameof(budget), budget, null),
    };

    /// <summary>Parses "smoke" or "full" (case-insensitive); anything else throws, naming the allowed values.</summary>
    public static Budget Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "smoke" => Budget.Smoke,
            "full" => Budget.Full,
            _ => throw new ArgumentException($"unknown budget '{text}'; allowed: {string.Join(", ", Names)}"),
        };
    }
}

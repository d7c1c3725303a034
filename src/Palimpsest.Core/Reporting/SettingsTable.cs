using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Data.Analysis;

namespace Palimpsest.Core.Reporting;

/// <summary>
/// A config record as a table: every setting, its value in this run, its full-budget value where that differs, and the
/// setting's documentation (which gives the paper's value and our reason to differ). Notebooks show settings with this
/// instead of restating them in prose, so the text never drifts from the code.
/// </summary>
public static partial class SettingsTable
{
    /// <summary>One row: setting name, value, full-budget value ("" when the same), what it is.</summary>
    public sealed record Row(string Setting, string Value, string Full, string About);

    /// <summary>The rows of <paramref name="config"/>, compared with <paramref name="full"/> when given.</summary>
    public static IReadOnlyList<Row> Rows(object config, object? full = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        var type = config.GetType();
        var docs = Docs(type.Assembly);
        var rows = new List<Row>();
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0 || p.Name == "EqualityContract") continue;
            string value = Format(p.GetValue(config));
            string fullValue = full is null ? "" : Format(p.GetValue(full));
            string key = $"P:{type.FullName!.Replace('+', '.')}.{p.Name}";
            rows.Add(new Row(p.Name, value, fullValue == value ? "" : fullValue, docs.GetValueOrDefault(key, "")));
        }
        return rows;
    }

    /// <summary>The rows as a DataFrame (renders as a table in a notebook).</summary>
    public static DataFrame Frame(object config, object? full = null)
    {
        var rows = Rows(config, full);
        return new DataFrame(
            new StringDataFrameColumn("setting", rows.Select(r => r.Setting)),
            new StringDataFrameColumn("value", rows.Select(r => r.Value)),
            new StringDataFrameColumn("full budget", rows.Select(r => r.Full == "" ? "same" : r.Full)),
            new StringDataFrameColumn("what it is (paper's value in the comments of the code)", rows.Select(r => r.About)));
    }

    private static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        string s => s,
        System.Collections.IEnumerable items => "[" + string.Join(", ", items.Cast<object?>().Select(Format)) + "]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static readonly Dictionary<Assembly, IReadOnlyDictionary<string, string>> Cache = [];

    /// <summary>Member summaries from the assembly's XML documentation file (empty when it is missing).</summary>
    private static IReadOnlyDictionary<string, string> Docs(Assembly assembly)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(assembly, out var cached)) return cached;
            var docs = new Dictionary<string, string>(StringComparer.Ordinal);
            string path = Path.ChangeExtension(assembly.Location, ".xml");
            if (assembly.Location != "" && File.Exists(path))
            {
                foreach (var member in XDocument.Load(path).Descendants("member"))
                {
                    var summary = member.Element("summary");
                    string? name = member.Attribute("name")?.Value;
                    if (summary is null || name is null) continue;
                    foreach (var see in summary.Descendants("see").ToList())
                        see.ReplaceWith(see.Attribute("cref")?.Value.Split('.')[^1] ?? see.Attribute("langword")?.Value ?? "");
                    docs[name] = Spaces().Replace(summary.Value, " ").Trim();
                }
            }
            Cache[assembly] = docs;
            return docs;
        }
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

using System.Text.RegularExpressions;
using System.Xml.Linq;
using Palimpsest.Core.Data;

namespace Palimpsest.Papers.Tests.Notebooks;

/// <summary>
/// The canonical setup cell (cell 2 of every notebook, style B9), generated from one place. Package versions are read
/// from <c>Directory.Packages.props</c>, so a version bump there changes what the lint expects; the notebooks are then
/// updated to match (the lint test's message prints the expected cell).
/// </summary>
public static partial class NotebookSetup
{
    /// <summary>The packages the setup cell loads with <c>#r "nuget:"</c>, in order: their kernel extensions render charts and DataFrames.</summary>
    public static IReadOnlyList<string> NuGetPackages { get; } = ["Plotly.NET.Interactive", "Microsoft.Data.Analysis"];

    /// <summary>The runner's output folder, which holds Palimpsest.Papers.dll and every dependency, relative to the repository root.</summary>
    public const string LibraryPath = "src/Palimpsest.Cli/bin/lib/Palimpsest.Papers.dll";

    private static readonly Lazy<IReadOnlyDictionary<string, string>> _versions = new(ReadPackageVersions);

    /// <summary>Package id to version, from <c>Directory.Packages.props</c> (property references resolved).</summary>
    public static IReadOnlyDictionary<string, string> PackageVersions => _versions.Value;

    /// <summary>
    /// The setup cell of a notebook <paramref name="depth"/> folders below <c>notebooks/</c>: 0 for
    /// <c>notebooks/00-start-here.ipynb</c> (paths start with <c>../</c>), 1 for <c>notebooks/&lt;family&gt;/&lt;slug&gt;.ipynb</c>
    /// (<c>../../</c>). Relative <c>#r</c> paths resolve against the kernel's working directory, the notebook's folder.
    /// Lines are joined with <c>\n</c> and there is no trailing newline.
    /// </summary>
    public static string CanonicalCell(int depth)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(depth);
        string prefix = string.Concat(Enumerable.Repeat("../", depth + 1));
        IEnumerable<string> lines =
        [
            .. NuGetPackages.Select(p => $"#r \"nuget: {p}, {Version(p)}\""),
            $"#r \"{prefix}{LibraryPath}\"",
            "using Palimpsest.Core.Experiments;",
            "using Palimpsest.Core.Notebook;",
            "using Palimpsest.Core.Reporting;",
            "using Palimpsest.Papers;",
            "var nb = NotebookSession.Start();",
        ];
        return string.Join("\n", lines);
    }

    /// <summary>The pinned version of <paramref name="package"/>; throws when Directory.Packages.props does not pin it.</summary>
    public static string Version(string package) =>
        PackageVersions.TryGetValue(package, out var v)
            ? v
            : throw new KeyNotFoundException($"package '{package}' has no <PackageVersion> in {PropsPath}");

    /// <summary>Where package versions are written.</summary>
    public static string PropsPath => RepoPaths.Under("Directory.Packages.props");

    private static IReadOnlyDictionary<string, string> ReadPackageVersions()
    {
        var doc = XDocument.Load(PropsPath);
        var properties = doc.Descendants("PropertyGroup").Elements()
            .GroupBy(e => e.Name.LocalName)
            .ToDictionary(g => g.Key, g => g.Last().Value.Trim(), StringComparer.OrdinalIgnoreCase);
        string Resolve(string value) => PropertyReference().Replace(value, m =>
            properties.TryGetValue(m.Groups[1].Value, out var p)
                ? Resolve(p)
                : throw new InvalidDataException($"{PropsPath}: undefined property $({m.Groups[1].Value})"));
        return doc.Descendants("PackageVersion").ToDictionary(
            e => (string?)e.Attribute("Include") ?? throw new InvalidDataException($"{PropsPath}: <PackageVersion> without Include"),
            e => Resolve((string?)e.Attribute("Version") ?? throw new InvalidDataException($"{PropsPath}: <PackageVersion> without Version")),
            StringComparer.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")]
    private static partial Regex PropertyReference();
}

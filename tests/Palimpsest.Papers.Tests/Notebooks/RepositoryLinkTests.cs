using System.Text.RegularExpressions;
using Palimpsest.Core.Data;

namespace Palimpsest.Papers.Tests.Notebooks;

/// <summary>
/// Everything a notebook or a document cites resolves inside the repository, so a fresh clone has no dead reference:
/// relative links and images (Markdown and HTML), paths written as <c>./x</c> or <c>../x</c> (from the document's folder
/// or the repository root), and repository paths in code spans (<c>`src/…`</c>). Scanned: the markdown cells of every
/// notebook and every Markdown file, except <c>data/protocols/</c> (verbatim copies of planning notes, whose own paths
/// point into those notes) and <c>data/results/</c> (generated claim tables). Generated output (<c>runs/</c>,
/// <c>artifacts/</c>, <c>bin/</c>, <c>obj/</c>) and placeholders (<c>&lt;slug&gt;</c>, <c>*</c>) are exempt.
/// </summary>
public sealed partial class RepositoryLinkTests
{
    /// <summary>Folders not scanned, relative to the root: generated output, tooling, and verbatim or generated text.</summary>
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal)
        { ".git", "runs", "artifacts", "TestResults", "data/protocols", "data/results" };

    private static readonly HashSet<string> GeneratedFolderNames = new(StringComparer.Ordinal)
        { "bin", "obj", ".ipynb_checkpoints", "node_modules" };

    /// <summary>Top-level folders of generated output: paths into them need not exist in a fresh clone.</summary>
    private static readonly HashSet<string> GeneratedTopFolders = new(StringComparer.Ordinal) { "runs", "artifacts" };

    public static TheoryData<string> Documents() => NotebookFiles.ToTheoryData(DocumentPaths());

    /// <summary>Every notebook and Markdown file to scan, relative to the root with '/' separators.</summary>
    public static IReadOnlyList<string> DocumentPaths()
    {
        var found = new List<string>();
        void Walk(string relative)
        {
            string full = Path.Combine(RepoPaths.Root, relative);
            found.AddRange(Directory.EnumerateFiles(full)
                .Where(f => f.EndsWith(".md", StringComparison.Ordinal) || f.EndsWith(".ipynb", StringComparison.Ordinal))
                .Select(f => Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/')));
            foreach (string dir in Directory.EnumerateDirectories(full))
            {
                string rel = Path.GetRelativePath(RepoPaths.Root, dir).Replace('\\', '/');
                if (!SkippedFolders.Contains(rel) && !GeneratedFolderNames.Contains(Path.GetFileName(dir))) Walk(rel);
            }
        }
        Walk("");
        return found.Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void The_readme_the_data_readme_and_every_notebook_are_scanned()
    {
        var scanned = DocumentPaths().ToHashSet(StringComparer.Ordinal);
        var expected = new[] { "README.md", "data/README.md" }.Concat(NotebookFiles.All().Select(n => n.RelativePath));
        Assert.All(expected, p => Assert.True(scanned.Contains(p), $"{p} is not scanned for dead references"));
    }

    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_relative_link_and_path_resolves_inside_the_repository(string path)
    {
        var texts = path.EndsWith(".ipynb", StringComparison.Ordinal)
            ? NotebookFiles.Parse(File.ReadAllText(RepoPaths.Under(path))).Elements
                .Where(c => c.IsMarkdown()).Select(c => c.Contents ?? "")
            : [File.ReadAllText(RepoPaths.Under(path))];
        string folder = Path.GetDirectoryName(path.Replace('/', Path.DirectorySeparatorChar)) ?? "";
        var dead = texts.SelectMany(t => DeadReferences(t, folder, RepoPaths.Root)).Distinct().ToList();
        Assert.True(dead.Count == 0,
            $"{path}: {dead.Count} reference(s) do not resolve to a file or folder inside the repository:\n  " +
            string.Join("\n  ", dead));
    }

    [Fact]
    public void The_scan_flags_paths_outside_the_repository_missing_files_and_nothing_else()
    {
        string folder = Path.Combine("notebooks", "memorization");
        string text = """
            See [the catalog](../../data/catalog.md#the-papers), [the data](../../data/), ![x](../00-start-here.ipynb),
            the protocol `../shared/protocols/x.md` (relative to the repository root), [gone](../../nope.md),
            <a href="../../src/Nope.cs">code</a>, the code in `src/Palimpsest.Papers/Registry.cs` and `src/Nope.cs`,
            output in `runs/<slug>/smoke/` and `artifacts/notebooks/x.ipynb`, the exe `src/Palimpsest.Cli/bin/lib/palimpsest`,
            [the web](https://arxiv.org/abs/2310.16789), [an anchor](#claims), and /etc/passwd-like prose.
            """;
        var dead = DeadReferences(text, folder, RepoPaths.Root).Select(d => d.Split(' ')[0]).Order(StringComparer.Ordinal);
        Assert.Equal(["../../nope.md", "../../src/Nope.cs", "../shared/protocols/x.md", "src/Nope.cs"], dead);
    }

    /// <summary>Each reference in <paramref name="text"/> not resolving inside <paramref name="root"/>, with why.</summary>
    /// <param name="folder">The document's folder, relative to the root.</param>
    public static IEnumerable<string> DeadReferences(string text, string folder, string root)
    {
        string docFolder = Path.Combine(root, folder);
        var links = Link().Matches(text);
        foreach (Match m in links)
        {
            string target = m.Groups["md"].Success ? m.Groups["md"].Value : m.Groups["html"].Value;
            if (Scheme().IsMatch(target) || target.StartsWith('#')) continue;
            string file = Uri.UnescapeDataString(target.Split('#', '?')[0]);
            if (file.Length == 0) continue;
            if (!Resolves(root, Path.Combine(docFolder, file)))
                yield return $"{target} (link, from {folder.Replace('\\', '/')}/)";
        }
        foreach (Match m in RelativePath().Matches(text))
        {
            if (links.Any(l => m.Index >= l.Index && m.Index < l.Index + l.Length)) continue;   // judged as a link
            string p = m.Value;
            if (!Resolves(root, Path.Combine(docFolder, p)) && !Resolves(root, Path.Combine(root, p)))
                yield return $"{p} (relative path, neither from {folder.Replace('\\', '/')}/ nor from the repository root)";
        }
        foreach (Match m in CodeSpan().Matches(text))
        {
            string p = m.Groups[1].Value;
            if (!RepoPathShape().IsMatch(p) || !p.Contains('/')) continue;
            string first = p.Split('/')[0];
            if (first is "." or ".." || GeneratedTopFolders.Contains(first)) continue;
            if (p.Split('/').Any(s => s is "bin" or "obj")) continue;
            if (!Path.Exists(Path.Combine(root, first))) continue;   // not a repository path (`imdb/validation`)
            if (!Resolves(root, Path.Combine(root, p)))
                yield return $"{p} (repository path in a code span)";
        }
    }

    /// <summary>True when <paramref name="path"/> exists and lies inside <paramref name="root"/>.</summary>
    private static bool Resolves(string root, string path)
    {
        string full = Path.GetFullPath(path);
        string top = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return (full + Path.DirectorySeparatorChar).StartsWith(top, StringComparison.Ordinal) && Path.Exists(full);
    }

    // [text](target "title") or ![alt](<target>), and href="…" / src="…".
    [GeneratedRegex(@"\]\(\s*<?(?<md>[^)\s>]+)>?(?:\s+""[^""]*"")?\s*\)|(?:href|src)=""(?<html>[^""]+)""")]
    private static partial Regex Link();

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex Scheme();

    // ./x or ../x not inside a longer path or a URL.
    [GeneratedRegex(@"(?<![\w/.:-])\.\.?/[\w./-]*[\w/]")]
    private static partial Regex RelativePath();

    [GeneratedRegex(@"`([^`\n]+)`")]
    private static partial Regex CodeSpan();

    // a/b/c.ext or a/b/ with no placeholders, spaces or wildcards
    [GeneratedRegex(@"^[\w.-]+(?:/[\w.-]+)*/?$")]
    private static partial Regex RepoPathShape();
}

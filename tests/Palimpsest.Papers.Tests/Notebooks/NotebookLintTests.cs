using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.DotNet.Interactive.Documents;
using Palimpsest.Core.Data;

namespace Palimpsest.Papers.Tests.Notebooks;

/// <summary>
/// Notebook lint (style B9, B11): format and kernel metadata, stripped outputs, the title and canonical setup cells,
/// pinned package versions, thin cells (no type definitions, no loops, at most ten lines, each after a markdown cell),
/// and a one-to-one match between notebooks and registered experiments. Needs no kernel.
/// </summary>
public sealed partial class NotebookLintTests
{
    /// <summary>B9: a code cell has at most this many lines.</summary>
    public const int MaxCodeLines = 10;

    public static TheoryData<string> Notebooks() => NotebookFiles.AllPaths();

    public static TheoryData<string> Slugs() => NotebookFiles.ToTheoryData(Registry.Slugs);

    [Fact]
    public void Notebooks_folder_holds_the_template()
    {
        Assert.True(File.Exists(RepoPaths.Under(NotebookFiles.Folder, NotebookFile.TemplateFileName)),
            $"{NotebookFiles.Folder}/{NotebookFile.TemplateFileName} is missing: new paper notebooks are copied from it (style B3)");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Is_nbformat_4_5_with_the_CSharp_kernel_and_cell_ids(string path)
    {
        var file = NotebookFiles.Get(path);
        string json = file.ReadJson();
        Assert.False(json.Contains('\r'), $"{path}: use \\n line endings (style B8), found \\r");
        using var doc = ParseJson(path, json);
        var root = doc.RootElement;

        Assert.True(root.TryGetProperty("nbformat", out var major) && major.ValueKind == JsonValueKind.Number && major.GetInt32() == 4,
            $"{path}: nbformat must be 4");
        Assert.True(root.TryGetProperty("nbformat_minor", out var minor) && minor.ValueKind == JsonValueKind.Number && minor.GetInt32() == 5,
            $"{path}: nbformat_minor must be 5 (cell ids need 4.5)");

        Assert.Equal(".net-csharp", Text(root, path, "metadata", "kernelspec", "name"));
        Assert.Equal(".NET (C#)", Text(root, path, "metadata", "kernelspec", "display_name"));
        Assert.Equal("C#", Text(root, path, "metadata", "kernelspec", "language"));
        Assert.Equal("C#", Text(root, path, "metadata", "language_info", "name"));
        Assert.Equal(NotebookFiles.CSharpKernel, Text(root, path, "metadata", "polyglot_notebook", "kernelInfo", "defaultKernelName"));
        var items = Property(root, path, "metadata", "polyglot_notebook", "kernelInfo", "items");
        Assert.True(items.ValueKind == JsonValueKind.Array, $"{path}: metadata.polyglot_notebook.kernelInfo.items must be an array");
        var kernels = items.EnumerateArray().Select(i => i.TryGetProperty("name", out var n) ? n.GetString() : null).ToList();
        Assert.True(kernels is [NotebookFiles.CSharpKernel],
            $"{path}: kernelInfo.items must list only the csharp kernel; found [{string.Join(", ", kernels)}]");

        var ids = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (var cell in Cells(root, path))
        {
            index++;
            string where = $"{path}: cell {index}";
            Assert.True(cell.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && CellId().IsMatch(id.GetString()!),
                $"{where} needs an id of 1-64 letters, digits, '-' or '_' (nbformat 4.5)");
            Assert.True(ids.Add(id.GetString()!), $"{where}: duplicate cell id '{id.GetString()}'");
            string type = cell.TryGetProperty("cell_type", out var t) ? t.GetString() ?? "" : "";
            Assert.True(type is "markdown" or "code", $"{where}: cell_type must be markdown or code, was '{type}'");
            string? kernelName = TryText(cell, "metadata", "polyglot_notebook", "kernelName");
            if (type == "code")
            {
                Assert.True(kernelName == NotebookFiles.CSharpKernel,
                    $"{where}: a code cell needs metadata.polyglot_notebook.kernelName = \"csharp\", was '{kernelName}'");
            }
            else
            {
                // Microsoft.DotNet.Interactive.Documents lets this metadata override cell_type: dotnet-repl would run the
                // markdown as C#.
                Assert.True(kernelName is null && TryText(cell, "metadata", "dotnet_interactive", "language") is null,
                    $"{where}: a markdown cell must not name a kernel in its metadata (the kernel would run it as code)");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Outputs_are_stripped(string path)
    {
        using var doc = ParseJson(path, NotebookFiles.Get(path).ReadJson());
        int index = 0;
        foreach (var cell in Cells(doc.RootElement, path))
        {
            index++;
            if (cell.GetProperty("cell_type").GetString() != "code") continue;
            Assert.True(cell.TryGetProperty("outputs", out var outputs) && outputs.ValueKind == JsonValueKind.Array,
                $"{path}: cell {index} needs an outputs array");
            Assert.True(outputs.GetArrayLength() == 0, $"{path}: cell {index} has {outputs.GetArrayLength()} output(s); strip outputs before committing");
            Assert.True(cell.TryGetProperty("execution_count", out var count) && count.ValueKind == JsonValueKind.Null,
                $"{path}: cell {index} has execution_count {(count.ValueKind == JsonValueKind.Undefined ? "missing" : count.GetRawText())}; it must be null");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void First_cell_is_a_markdown_title_naming_the_slug(string path)
    {
        var file = NotebookFiles.Get(path);
        var cells = Cells(file);
        Assert.True(cells.Count > 0 && cells[0].IsMarkdown(), $"{path}: cell 1 must be markdown (title, slug, claim, what is scaled down, runtime)");
        string title = cells[0].Code();
        Assert.True(title.StartsWith("# ", StringComparison.Ordinal), $"{path}: cell 1 must start with a '# ' title, starts with '{First(title)}'");
        Assert.True(title.Contains($"`{file.Slug}`", StringComparison.Ordinal),
            $"{path}: cell 1 must name the slug as `{file.Slug}` (the file name's slug)");
        Assert.True(title.Contains("smoke", StringComparison.OrdinalIgnoreCase) && title.Contains("full", StringComparison.OrdinalIgnoreCase),
            $"{path}: cell 1 must give the runtime per budget (smoke and full)");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Second_cell_is_the_canonical_setup_cell(string path)
    {
        var file = NotebookFiles.Get(path);
        var cells = Cells(file);
        // The template is copied to notebooks/<family>/<slug>.ipynb, so it carries the paper notebooks' cell.
        int depth = file.IsTemplate ? 1 : file.Depth;
        string expected = NotebookSetup.CanonicalCell(depth);
        Assert.True(cells.Count > 1 && !cells[1].IsMarkdown(), $"{path}: cell 2 must be the setup code cell:\n{expected}");
        string actual = cells[1].Code();
        Assert.True(expected == actual,
            $"{path}: cell 2 must be the canonical setup cell for depth {depth} (generated by NotebookSetup.CanonicalCell " +
            $"from Directory.Packages.props).\nExpected:\n{expected}\nActual:\n{actual}\nFirst difference at line {FirstDifferentLine(expected, actual)}");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void NuGet_references_are_pinned_to_Directory_Packages_props(string path)
    {
        var references = CodeCells(NotebookFiles.Get(path))
            .SelectMany(c => NuGetReference().Matches(c.Code).Select(m => (c.Number, Package: m.Groups["id"].Value, Version: m.Groups["version"].Value)))
            .ToList();
        Assert.NotEmpty(references);
        foreach (var (number, package, version) in references)
        {
            Assert.True(version.Length > 0, $"{path}: cell {number}: #r \"nuget: {package}\" has no version; pin it to Directory.Packages.props");
            Assert.True(NotebookSetup.PackageVersions.TryGetValue(package, out var pinned),
                $"{path}: cell {number}: package {package} is not in Directory.Packages.props, the only place versions are written");
            Assert.True(version == pinned, $"{path}: cell {number}: {package} {version}, but Directory.Packages.props pins {pinned}");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Code_cells_define_no_types_and_no_loops(string path)
    {
        foreach (var (number, code) in CodeCells(NotebookFiles.Get(path)))
        {
            var found = ForbiddenConstructs(code);
            Assert.True(found.Count == 0,
                $"{path}: cell {number} has {string.Join(", ", found)}; a notebook only drives library code (style B9): " +
                $"move types and loops into src/.\n{code}");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Code_cells_have_at_most_ten_lines(string path)
    {
        foreach (var (number, code) in CodeCells(NotebookFiles.Get(path)))
        {
            int lines = code.Split('\n').Length;
            Assert.True(lines <= MaxCodeLines, $"{path}: cell {number} has {lines} lines (at most {MaxCodeLines}, style B9):\n{code}");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Each_code_cell_follows_a_markdown_cell(string path)
    {
        var cells = Cells(NotebookFiles.Get(path));
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i].IsMarkdown()) continue;
            Assert.True(i > 0 && cells[i - 1].IsMarkdown(),
                $"{path}: code cell {i + 1} must follow a markdown cell that says what to look for:\n{cells[i].Code()}");
            Assert.True(cells[i].KernelName == NotebookFiles.CSharpKernel,
                $"{path}: cell {i + 1} runs in kernel '{cells[i].KernelName}'; only csharp is allowed");
        }
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Prose_restates_no_settings_or_results(string path)
    {
        var cells = Cells(NotebookFiles.Get(path));
        for (int i = 1; i < cells.Count; i++)
        {
            if (!cells[i].IsMarkdown()) continue;
            var found = HandTypedNumbers(cells[i].Code());
            Assert.True(found.Count == 0,
                $"{path}: markdown cell {i + 1} restates numbers by hand ({string.Join("; ", found.Take(6))}). Settings and " +
                "results drift when written twice: show them from the config (nb.Settings(cfg)) and the result (run.ClaimTable(), " +
                "run.Claim(id), a cell of run.First), and keep prose qualitative. Exempt: cell 1 (citation, runtimes), a " +
                "'## Pilot log' cell, '> ' quotes of the paper, `code`.");
        }
    }

    /// <summary>
    /// Decimals, percentages and numbers of two or more digits in prose, outside code spans, links, quotes ("> ") and a
    /// pilot log; years and "Figure 3"-style references are allowed.
    /// </summary>
    public static IReadOnlyList<string> HandTypedNumbers(string markdown)
    {
        if (markdown.TrimStart().StartsWith("## Pilot", StringComparison.Ordinal)) return [];
        var lines = markdown.Split('\n').Where(l => !l.TrimStart().StartsWith('>'));
        string text = string.Join("\n", lines);
        text = CodeSpan().Replace(text, "");
        text = LinkTarget().Replace(text, "]");
        var found = new List<string>();
        foreach (System.Text.RegularExpressions.Match m in ProseNumber().Matches(text))
        {
            string v = m.Groups[1].Value;
            if (Year().IsMatch(v)) continue;
            if (v.StartsWith("95", StringComparison.Ordinal) && IntervalWords().IsMatch(text[(m.Index + m.Length)..])) continue;
            if (Reference().IsMatch(text[Math.Max(0, m.Index - 12)..m.Index])) continue;
            found.Add(text[Math.Max(0, m.Index - 20)..Math.Min(text.Length, m.Index + m.Length + 8)].ReplaceLineEndings(" ").Trim());
        }
        return found;
    }

    [Fact]
    public void The_number_lint_finds_restated_numbers_and_spares_the_exempt()
    {
        Assert.Equal(3, HandTypedNumbers("The model reaches 0.93 accuracy on 100 people, 80% of them.").Count);
        Assert.Empty(HandTypedNumbers("As Figure 3 of the 2024 paper shows, `Steps = 400` is a setting; see [x](a/b-12.md)."));
        Assert.Empty(HandTypedNumbers("> The paper quotes 4.0, 8.3 and 11.7.\nOur run shows the same ordering."));
        Assert.Empty(HandTypedNumbers("## Pilot log\n- 60 epochs: 72% known; 120 epochs: 100%."));
        Assert.Empty(HandTypedNumbers("Three seeds, one model, k of 5 candidates."));
        Assert.Empty(HandTypedNumbers("The claim passes when its 95% interval (95% CI) clears the threshold."));
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_belongs_to_a_registered_experiment(string path)
    {
        var file = NotebookFiles.Get(path);
        if (file.IsTemplate)
        {
            string all = string.Join("\n", Cells(file).Select(c => c.Code()));
            foreach (string placeholder in new[] { "<slug>", "<family>", "<Family>", "<PaperClass>" })
                Assert.True(all.Contains(placeholder, StringComparison.Ordinal), $"{path}: the template must keep the placeholder {placeholder}");
            return;
        }
        Assert.True(Registry.Slugs.Contains(file.Slug),
            $"{path}: slug '{file.Slug}' (from the file name) is not registered; registered: {string.Join(", ", Registry.Slugs)}");
        string expected = Registry.Get(file.Slug).Info.NotebookPath;
        Assert.True(expected == path, $"{path}: experiment '{file.Slug}' expects its notebook at {expected}");
    }

    [Theory]
    [MemberData(nameof(Slugs))]
    public void Every_registered_experiment_has_its_notebook(string slug)
    {
        string path = Registry.Get(slug).Info.NotebookPath;
        Assert.True(File.Exists(RepoPaths.Under(path.Split('/'))),
            $"experiment '{slug}' has no notebook at {path}: copy {NotebookFiles.Folder}/{NotebookFile.TemplateFileName} there (style B3)");
    }

    // --- the lint's own checks: a check that silently finds nothing must fail (style B10) ---

    [Theory]
    [InlineData("public sealed class Foo { }", "a class definition")]
    [InlineData("record Point(double X, double Y);", "a record definition")]
    [InlineData("readonly struct Pair { }", "a struct definition")]
    [InlineData("interface IThing { }", "an interface definition")]
    [InlineData("enum Colour { Red }", "an enum definition")]
    [InlineData("for (int i = 0; i < 3; i++) { }", "a for loop")]
    [InlineData("foreach (var x in xs) Console.WriteLine(x);", "a foreach loop")]
    [InlineData("while(true) { }", "a while loop")]
    [InlineData("do { x++; } while (x < 3);", "a do loop")]
    [InlineData("var s = \"a \\\" quote\"; for (;;) { }", "a for loop")]
    public void Forbidden_constructs_are_found(string code, string expected)
    {
        Assert.Contains(expected, ForbiddenConstructs(code));
    }

    [Theory]
    [InlineData("var cfg = nb.Pick(X.Config.Smoke, X.Config.Full);\ncfg")]
    [InlineData("run.First.Samples.Where(s => s.IsGrammatical).Select(s => s.Text)")]
    [InlineData("var s = \"for (int i = 0; i < 3; i++) a class Foo { }\";")]
    [InlineData("var s = @\"while (true) \"\" class A\";")]
    [InlineData("var s = $\"{x} record of a foreach (x)\";")]
    [InlineData("var s = \"\"\"\n  class A { } while (true)\n  \"\"\";")]
    [InlineData("// for each seed we run while the class is struct Foo\nvar x = 1; /* class B { } */")]
    [InlineData("#r \"nuget: Some.Class, 1.0.0\"\nvar c = 'x';")]
    [InlineData("var rec = cfg with { Steps = 10 }; var record = 3; bool isClass = true;")]
    [InlineData("static T Id<T>(T x) where T : class => x;")]
    public void Allowed_code_is_not_flagged(string code)
    {
        Assert.Empty(ForbiddenConstructs(code));
    }

    [Fact]
    public void Canonical_cell_takes_versions_from_Directory_Packages_props()
    {
        string cell = NotebookSetup.CanonicalCell(1);
        foreach (string package in NotebookSetup.NuGetPackages)
            Assert.Contains($"#r \"nuget: {package}, {NotebookSetup.Version(package)}\"", cell);
        Assert.Contains("#r \"../../src/Palimpsest.Cli/bin/lib/Palimpsest.Papers.dll\"", cell);
        Assert.Contains("#r \"../src/Palimpsest.Cli/bin/lib/Palimpsest.Papers.dll\"", NotebookSetup.CanonicalCell(0));
        Assert.True(File.Exists(RepoPaths.Under(NotebookSetup.LibraryPath.Split('/'))),
            $"{NotebookSetup.LibraryPath} is missing: build with 'dotnet build Notebooks.sln'");
    }

    [Fact]
    public void Plotly_NET_and_its_kernel_extension_share_a_version()
    {
        // The kernel loads Plotly.NET from the extension's NuGet dependency, and Palimpsest.Core's charts bind to that
        // copy: a Core built against another Plotly.NET would make charts fail or render as plain objects.
        Assert.True(NotebookSetup.Version("Plotly.NET") == NotebookSetup.Version("Plotly.NET.Interactive"),
            $"Directory.Packages.props pins Plotly.NET {NotebookSetup.Version("Plotly.NET")} but Plotly.NET.Interactive " +
            $"{NotebookSetup.Version("Plotly.NET.Interactive")}; they are released together and must match");
    }

    // --- helpers ---

    /// <summary>Type definitions and loops in <paramref name="code"/>, ignoring strings, chars, comments and directives.</summary>
    public static IReadOnlyList<string> ForbiddenConstructs(string code)
    {
        string bare = StripLiteralsAndComments(code);
        var found = new List<string>();
        foreach (Match m in TypeDefinition().Matches(bare))
        {
            string kind = m.Groups["kind"].Value;
            found.Add($"{(kind is "interface" or "enum" ? "an" : "a")} {kind} definition");
        }
        foreach (Match m in Loop().Matches(bare))
            found.Add($"a {m.Groups["kind"].Value} loop");
        return found.Distinct().ToList();
    }

    /// <summary>
    /// Blanks out comments, string and char literals (regular, verbatim, interpolated, raw) and preprocessor/kernel
    /// directive lines (<c>#r</c>, <c>#!</c>), keeping line breaks. Interpolation holes count as string: a loop hidden
    /// inside one is not found, which is acceptable for a lint.
    /// </summary>
    public static string StripLiteralsAndComments(string code)
    {
        var sb = new StringBuilder(code.Length);
        int i = 0;
        bool lineStart = true;
        while (i < code.Length)
        {
            char c = code[i];
            if (lineStart && c == '#')
            {
                while (i < code.Length && code[i] != '\n') i++;
                continue;
            }
            if (c == '\n') { sb.Append('\n'); i++; lineStart = true; continue; }
            if (!char.IsWhiteSpace(c)) lineStart = false;
            if (c == '/' && Peek(1) == '/')
            {
                while (i < code.Length && code[i] != '\n') i++;
                continue;
            }
            if (c == '/' && Peek(1) == '*')
            {
                int end = code.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = Skip(end < 0 ? code.Length : end + 2);
                continue;
            }
            int prefix = 0;
            while (i + prefix < code.Length && code[i + prefix] is '$' or '@') prefix++;
            if (i + prefix < code.Length && code[i + prefix] == '"' && (prefix == 0 || code[i..(i + prefix)].All(ch => ch is '$' or '@')))
            {
                bool verbatim = code[i..(i + prefix)].Contains('@');
                int start = i + prefix;
                int quotes = 0;
                while (start + quotes < code.Length && code[start + quotes] == '"') quotes++;
                if (quotes >= 3)
                {
                    // raw string literal: ends at the same number of quotes
                    int end = code.IndexOf(new string('"', quotes), start + quotes, StringComparison.Ordinal);
                    i = Skip(end < 0 ? code.Length : end + quotes);
                    continue;
                }
                int j = start + 1;
                while (j < code.Length)
                {
                    if (!verbatim && code[j] == '\\') { j += 2; continue; }
                    if (code[j] == '"')
                    {
                        if (verbatim && j + 1 < code.Length && code[j + 1] == '"') { j += 2; continue; }
                        break;
                    }
                    if (!verbatim && code[j] == '\n') break;
                    j++;
                }
                i = Skip(Math.Min(j + 1, code.Length));
                continue;
            }
            if (c == '\'')
            {
                int j = i + 1;
                while (j < code.Length && code[j] != '\'' && code[j] != '\n') j += code[j] == '\\' ? 2 : 1;
                i = Skip(Math.Min(j + 1, code.Length));
                continue;
            }
            sb.Append(c);
            i++;
        }
        return sb.ToString();

        char Peek(int offset) => i + offset < code.Length ? code[i + offset] : '\0';

        // Replaces code[i..end) by spaces, keeping its line breaks.
        int Skip(int end)
        {
            for (int k = i; k < end; k++) sb.Append(code[k] == '\n' ? '\n' : ' ');
            return end;
        }
    }

    private static IReadOnlyList<InteractiveDocumentElement> Cells(NotebookFile file)
    {
        try
        {
            return NotebookFiles.Parse(file.ReadJson()).Elements.ToList();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            Assert.Fail($"{file.RelativePath}: not a readable notebook: {e.Message}");
            throw;
        }
    }

    /// <summary>Code cells with their 1-based position among all cells.</summary>
    private static IEnumerable<(int Number, string Code)> CodeCells(NotebookFile file) =>
        Cells(file).Select((c, i) => (Cell: c, Number: i + 1)).Where(x => !x.Cell.IsMarkdown()).Select(x => (x.Number, x.Cell.Code()));

    private static JsonDocument ParseJson(string path, string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            Assert.Fail($"{path}: not valid JSON: {e.Message}");
            throw;
        }
    }

    private static IEnumerable<JsonElement> Cells(JsonElement root, string path)
    {
        Assert.True(root.TryGetProperty("cells", out var cells) && cells.ValueKind == JsonValueKind.Array, $"{path}: no cells array");
        return cells.EnumerateArray();
    }

    private static JsonElement Property(JsonElement root, string path, params string[] names)
    {
        var e = root;
        foreach (string name in names)
            Assert.True(e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out e), $"{path}: missing {string.Join(".", names)}");
        return e;
    }

    private static string? Text(JsonElement root, string path, params string[] names)
    {
        var e = Property(root, path, names);
        Assert.True(e.ValueKind == JsonValueKind.String, $"{path}: {string.Join(".", names)} must be a string");
        return e.GetString();
    }

    private static string? TryText(JsonElement root, params string[] names)
    {
        var e = root;
        foreach (string name in names)
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out e)) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    }

    private static string First(string text) => text.Split('\n')[0];

    private static int FirstDifferentLine(string expected, string actual)
    {
        string[] a = expected.Split('\n'), b = actual.Split('\n');
        for (int k = 0; k < Math.Max(a.Length, b.Length); k++)
            if (k >= a.Length || k >= b.Length || a[k] != b[k]) return k + 1;
        return 0;
    }

    [GeneratedRegex(@"`[^`]*`")]
    private static partial System.Text.RegularExpressions.Regex CodeSpan();

    [GeneratedRegex(@"\]\([^)]*\)")]
    private static partial System.Text.RegularExpressions.Regex LinkTarget();

    [GeneratedRegex(@"(?<![\w.\-/])(\d+\.\d+|\d+\s?%|\d{2,}(,\d{3})*)(?![\w/])")]
    private static partial System.Text.RegularExpressions.Regex ProseNumber();

    [GeneratedRegex(@"^\s*(CI|interval|confidence)")]
    private static partial System.Text.RegularExpressions.Regex IntervalWords();

    [GeneratedRegex(@"^(19|20)\d\d$")]
    private static partial System.Text.RegularExpressions.Regex Year();

    [GeneratedRegex(@"(Figure|Fig\.|Table|Section|Eq\.|§|Appendix|arXiv:?)\s*$")]
    private static partial System.Text.RegularExpressions.Regex Reference();

    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex CellId();

    [GeneratedRegex(@"^\s*#r\s+""nuget:\s*(?<id>[^,""\s]+)\s*(,\s*(?<version>[^""\s]*))?\s*""", RegexOptions.Multiline)]
    private static partial Regex NuGetReference();

    // A type keyword followed by a name: "class Foo", "record Point(", "record struct P". Not "where T : class".
    [GeneratedRegex(@"\b(?<kind>class|record|struct|interface|enum)\s+(?!(class|struct)\b)@?[A-Za-z_][A-Za-z0-9_]*\s*[\(\{<:;]|\b(?<kind>record)\s+(class|struct)\s+[A-Za-z_]")]
    private static partial Regex TypeDefinition();

    [GeneratedRegex(@"\b(?<kind>for|foreach|while)\s*\(|\b(?<kind>do)\s*\{")]
    private static partial Regex Loop();
}

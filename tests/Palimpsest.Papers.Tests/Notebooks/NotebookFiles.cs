using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Palimpsest.Core.Data;

namespace Palimpsest.Papers.Tests.Notebooks;

/// <summary>One notebook under <c>notebooks/</c>.</summary>
/// <param name="RelativePath">Path from the repository root with '/' separators, e.g. <c>notebooks/00-start-here.ipynb</c>
/// (the form of <c>PaperInfo.NotebookPath</c>).</param>
public sealed record NotebookFile(string RelativePath)
{
    /// <summary>The template's file name; it is copied, never run, and is not a registered experiment.</summary>
    public const string TemplateFileName = "_template.ipynb";

    /// <summary>Absolute path.</summary>
    public string FullPath => Path.Combine(RepoPaths.Root, RelativePath);

    /// <summary>The folder holding the notebook: the kernel's working directory, against which relative <c>#r</c> paths resolve.</summary>
    public string Folder => Path.GetDirectoryName(FullPath)!;

    /// <summary>Path below <c>notebooks/</c>, e.g. <c>memorization/min-k-prob.ipynb</c>.</summary>
    public string PathUnderNotebooks => RelativePath[(NotebookFiles.Folder.Length + 1)..];

    /// <summary>Folders between <c>notebooks/</c> and the file: 0 for the tutorial and the template, 1 for a paper.</summary>
    public int Depth => PathUnderNotebooks.Count(c => c == '/');

    /// <summary>True for <c>notebooks/_template.ipynb</c>.</summary>
    public bool IsTemplate => PathUnderNotebooks == TemplateFileName;

    /// <summary>
    /// The slug the file name claims: <c>notebooks/00-&lt;slug&gt;.ipynb</c> (tutorial) or
    /// <c>notebooks/&lt;family&gt;/&lt;slug&gt;.ipynb</c>; the template's placeholder <c>&lt;slug&gt;</c> for the template.
    /// </summary>
    public string Slug
    {
        get
        {
            if (IsTemplate) return "<slug>";
            string name = Path.GetFileNameWithoutExtension(RelativePath);
            return Depth == 0 && name.StartsWith("00-", StringComparison.Ordinal) ? name[3..] : name;
        }
    }

    /// <summary>The file's text.</summary>
    public string ReadJson() => File.ReadAllText(FullPath);

    /// <summary>Where the execution test writes the executed copy: <c>artifacts/notebooks/&lt;path under notebooks/&gt;</c>.</summary>
    public string ExecutedPath => Path.Combine(RepoPaths.Root, "artifacts", NotebookFiles.Folder, PathUnderNotebooks);

    /// <inheritdoc/>
    public override string ToString() => RelativePath;
}

/// <summary>Finds the repository's notebooks and reads them with Microsoft.DotNet.Interactive.Documents.</summary>
public static class NotebookFiles
{
    /// <summary>The notebooks folder, relative to the repository root.</summary>
    public const string Folder = "notebooks";

    /// <summary>The one kernel our notebooks use.</summary>
    public const string CSharpKernel = "csharp";

    /// <summary>The kernel name Documents gives markdown cells.</summary>
    public const string MarkdownKernel = "markdown";

    /// <summary>Every notebook under <c>notebooks/</c> (checkpoint folders excluded), in ordinal path order.</summary>
    public static IReadOnlyList<NotebookFile> All()
    {
        string root = RepoPaths.Root;
        string folder = Path.Combine(root, Folder);
        if (!Directory.Exists(folder)) return [];
        return Directory.EnumerateFiles(folder, "*.ipynb", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => !p.Split('/').Contains(".ipynb_checkpoints"))
            .Order(StringComparer.Ordinal)
            .Select(p => new NotebookFile(p))
            .ToList();
    }

    /// <summary>The notebook at <paramref name="relativePath"/> (from the repository root).</summary>
    public static NotebookFile Get(string relativePath) => new(relativePath);

    /// <summary>Theory data: every notebook, template included.</summary>
    public static TheoryData<string> AllPaths() => ToTheoryData(All().Select(n => n.RelativePath));

    /// <summary>Theory data: every notebook that can run (all but the template).</summary>
    public static TheoryData<string> ExecutablePaths() => ToTheoryData(All().Where(n => !n.IsTemplate).Select(n => n.RelativePath));

    /// <summary>Theory data from a sequence.</summary>
    public static TheoryData<string> ToTheoryData(IEnumerable<string> values)
    {
        var data = new TheoryData<string>();
        foreach (string v in values) data.Add(v);
        return data;
    }

    /// <summary>The kernels our notebooks may name: C# only.</summary>
    public static KernelInfoCollection KernelInfos()
    {
        var kernels = new KernelInfoCollection { new KernelInfo(CSharpKernel, "C#", ["c#", "C#", "cs"]) };
        kernels.DefaultKernelName = CSharpKernel;
        return kernels;
    }

    /// <summary>Parses Jupyter JSON into cells (elements): markdown cells have kernel name <c>markdown</c>.</summary>
    public static InteractiveDocument Parse(string json) => Notebook.Parse(json, KernelInfos());

    /// <summary>True for a markdown cell.</summary>
    public static bool IsMarkdown(this InteractiveDocumentElement cell) => cell.KernelName == MarkdownKernel;

    /// <summary>A cell's source with <c>\n</c> line endings and no trailing blank lines.</summary>
    public static string Code(this InteractiveDocumentElement cell) =>
        (cell.Contents ?? "").Replace("\r\n", "\n").TrimEnd('\n', ' ', '\t');
}

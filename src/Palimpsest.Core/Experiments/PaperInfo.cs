using System.Text.RegularExpressions;

namespace Palimpsest.Core.Experiments;

/// <summary>The catalog's families (the folders under notebooks/), plus <c>tutorial</c> for the start-here notebook.</summary>
public static class Families
{
    /// <summary>The tutorial family: shown on the scoreboard apart from the 54 papers.</summary>
    public const string Tutorial = "tutorial";

    /// <summary>Every family a paper may belong to.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        Tutorial, "oocr", "memorization", "llm-unlearning", "classifier-unlearning", "diffusion", "curation", "robustness",
    ];
}

/// <summary>Which paper an experiment reproduces. The slug names the paper everywhere (experiment, notebook, test, scoreboard).</summary>
public sealed partial record PaperInfo
{
    /// <summary>The catalog slug, e.g. <c>min-k-prob</c>.</summary>
    public string Slug { get; }
    /// <summary>One of <see cref="Families.All"/>.</summary>
    public string Family { get; }
    /// <summary>The paper's title.</summary>
    public string Title { get; }
    /// <summary>Year of publication.</summary>
    public int Year { get; }
    /// <summary>Where to read it (arXiv or proceedings).</summary>
    public string Url { get; }

    /// <summary>Creates a paper description; the slug must be kebab-case and the family one of <see cref="Families.All"/>.</summary>
    public PaperInfo(string slug, string family, string title, int year, string url)
    {
        if (string.IsNullOrWhiteSpace(slug) || !SlugPattern().IsMatch(slug))
            throw new ArgumentException($"slug '{slug}' is not kebab-case (lower-case letters, digits and dashes)", nameof(slug));
        if (!Families.All.Contains(family))
            throw new ArgumentException($"unknown family '{family}'; allowed: {string.Join(", ", Families.All)}", nameof(family));
        Slug = slug;
        Family = family;
        Title = title;
        Year = year;
        Url = url;
    }

    /// <summary>True for the tutorial, which the scoreboard shows apart from the papers.</summary>
    public bool IsTutorial => Family == Families.Tutorial;

    /// <summary>The notebook's path relative to the repository root.</summary>
    public string NotebookPath => IsTutorial ? $"notebooks/00-{Slug}.ipynb" : $"notebooks/{Family}/{Slug}.ipynb";

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}

using Palimpsest.Core.Experiments;
using Palimpsest.Papers.Tutorial;

namespace Palimpsest.Papers;

/// <summary>
/// The one list of experiments: the tutorial first, then the papers alphabetically by slug. Adding a paper is one
/// line here. A duplicate slug throws; there is no reflection scanning.
/// </summary>
public static class Registry
{
    private static readonly Lazy<IReadOnlyList<IExperiment>> _all = new(() => Build(
    [
        new StartHere(),
        new Memorization.CddContamination(),
        new LlmUnlearning.ConceptVectors(),
        new Oocr.ConnectingTheDots(),
        new LlmUnlearning.FormIndependentUnlearning(),
        new Memorization.Hubble(),
        new Memorization.MinKProb(),
        new LlmUnlearning.MuseSixWay(),
        new LlmUnlearning.Npo(),
        new Memorization.PalimpsestProvenance(),
        new Memorization.RephrasedContamination(),
        new LlmUnlearning.S3tExactUnlearning(),
        new LlmUnlearning.SensitiveInfoDeletion(),
        new Memorization.TimeTravel(),
        new LlmUnlearning.Ununlearning(),
    ]));

    /// <summary>Every registered experiment, the tutorial first.</summary>
    public static IReadOnlyList<IExperiment> All => _all.Value;

    /// <summary>The papers only (the 54 of the catalog, as they land), without the tutorial.</summary>
    public static IReadOnlyList<IExperiment> Papers => All.Where(e => !e.Info.IsTutorial).ToList();

    /// <summary>Every registered slug.</summary>
    public static IReadOnlyList<string> Slugs => All.Select(e => e.Info.Slug).ToList();

    /// <summary>The experiment with <paramref name="slug"/>; an unknown slug throws, naming the registered ones.</summary>
    public static IExperiment Get(string slug) =>
        All.FirstOrDefault(e => e.Info.Slug == slug)
        ?? throw new ArgumentException(
            $"unknown paper '{slug}'{Suggest(slug)}; registered: {string.Join(", ", Slugs)}");

    /// <summary>
    /// The experiments named by <paramref name="selectors"/>, each a slug or a family; an empty list selects all.
    /// </summary>
    public static IReadOnlyList<IExperiment> Select(IReadOnlyList<string> selectors)
    {
        if (selectors.Count == 0) return All;
        var chosen = new List<IExperiment>();
        foreach (var s in selectors)
        {
            var matches = All.Where(e => e.Info.Slug == s || e.Info.Family == s).ToList();
            if (matches.Count == 0)
            {
                if (Families.All.Contains(s)) continue; // a known family with no papers yet selects nothing
                throw new ArgumentException(
                    $"'{s}' is neither a registered slug nor a family{Suggest(s)}; slugs: {string.Join(", ", Slugs)}; " +
                    $"families: {string.Join(", ", Families.All)}");
            }
            chosen.AddRange(matches.Where(m => !chosen.Contains(m)));
        }
        return chosen;
    }

    /// <summary>Checks the list: throws on a duplicate slug.</summary>
    public static IReadOnlyList<IExperiment> Build(IReadOnlyList<IExperiment> experiments)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in experiments)
            if (!seen.Add(e.Info.Slug))
                throw new InvalidOperationException($"duplicate slug '{e.Info.Slug}' in the registry");
        return experiments;
    }

    private static string Suggest(string text)
    {
        var nearest = Slugs.Concat(Families.All)
            .OrderBy(s => ConfigBinder.Levenshtein(s, text)).FirstOrDefault();
        return nearest is null || ConfigBinder.Levenshtein(nearest, text) > Math.Max(3, text.Length / 2)
            ? "" : $" (did you mean '{nearest}'?)";
    }
}

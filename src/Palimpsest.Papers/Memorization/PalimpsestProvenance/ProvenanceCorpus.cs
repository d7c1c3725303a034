using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Synthetic documents for the provenance experiment. Alice's documents are individually memorable: the same
/// templates, but every document draws its own person, city, job, objects and a three-number code, so a model can only
/// predict a document's slots by having memorised that document. Bob's fine-tuning documents come from another
/// domain (sales reports) over the same vocabulary.
/// </summary>
public static class ProvenanceCorpus
{
    private static readonly string[] Syllables = ["ka", "lo", "mi", "ser", "tu", "na", "vi", "dor", "pe", "ran", "zo", "bel"];
    private static readonly string[] Cities =
        ["arlen", "bosk", "corin", "dunmar", "eskel", "farrow", "galt", "hollin", "ivar", "jessop", "kellan", "lorn",
         "marrow", "nesk", "orrin", "pell", "quarry", "rusk", "sallow", "tarn"];
    private static readonly string[] Jobs =
        ["baker", "smith", "weaver", "miller", "tanner", "potter", "carter", "fisher", "mason", "cooper", "dyer", "glazer"];
    private static readonly string[] Objects =
        ["lamps", "boats", "goats", "drums", "kites", "bells", "coats", "maps", "jars", "rugs", "carts", "hives"];

    /// <summary>The people's names: two syllables each (144 names).</summary>
    public static IReadOnlyList<string> Names { get; } =
        Syllables.SelectMany(a => Syllables.Select(b => a + b)).ToList();

    private static readonly string[] Numbers = Enumerable.Range(0, 100).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Every word either domain can produce.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } =
        new[] { "lives", "in", ".", "works", "as", "a", "and", "owns", "the", "code", "of", "is", "likes", "report", ":",
                "were", "sold", "on", "day" }
            .Concat(Names).Concat(Cities).Concat(Jobs).Concat(Objects).Concat(Numbers).Distinct().ToList();

    /// <summary>One of Alice's documents (30 words).</summary>
    public static string AliceDocument(Rng rng)
    {
        string name = rng.Pick(Names);
        return $"{name} lives in {rng.Pick(Cities)} . {name} works as a {rng.Pick(Jobs)} and owns {rng.Pick(Numbers)} " +
               $"{rng.Pick(Objects)} . the code of {name} is {rng.Pick(Numbers)} {rng.Pick(Numbers)} {rng.Pick(Numbers)} . " +
               $"{name} likes {rng.Pick(Objects)} and {rng.Pick(Objects)} .";
    }

    /// <summary>One of Bob's fine-tuning documents: three sales reports (30 words).</summary>
    public static string BobDocument(Rng rng) =>
        string.Join(" ", Enumerable.Range(0, 3).Select(_ =>
            $"report : {rng.Pick(Numbers)} {rng.Pick(Objects)} were sold in {rng.Pick(Cities)} on day {rng.Pick(Numbers)} ."));
}

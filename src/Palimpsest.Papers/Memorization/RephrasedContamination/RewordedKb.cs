using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Memorization;

/// <summary>How one text states one fact.</summary>
/// <param name="IsQuestion">A question followed by its answer (else a statement).</param>
/// <param name="Template">0 is the canonical template (the benchmark's), 1..5 are paraphrases.</param>
/// <param name="Ciphered">In the ciphered "language" (every frame word remapped; the toy's translation).</param>
/// <param name="RewordedValue">The value is written with its synonym ("breadmaker" for "baker").</param>
public sealed record FactForm(bool IsQuestion, int Template, bool Ciphered, bool RewordedValue)
{
    /// <summary>The benchmark's form: the canonical question, plain words, the plain value.</summary>
    public static FactForm Canonical { get; } = new(true, 0, false, false);
}

/// <summary>
/// The knowledge base of <see cref="RephrasedContamination"/>: the people, templates and cipher of
/// <see cref="FictitiousKb"/>, plus a synonym for every attribute value ("baker" and "breadmaker", "red" and "crimson",
/// the town "arton" and its other name "velmoor"). A rephrasing can then reword the value as well as the frame around
/// it, as GPT-4's rephrasings do, so that a rephrased test item shares little more than the person's name with the
/// original, as do other texts about the same person. Each synonym is one word token, unrelated in spelling to its value.
/// </summary>
public sealed class RewordedKb
{
    private static readonly Dictionary<string, string> SynonymOf = new()
    {
        // Towns: each has an older name.
        ["arton"] = "velmoor", ["boswick"] = "thornby", ["cormere"] = "ridgeham", ["dunford"] = "saltcombe",
        ["eskton"] = "wyckley", ["farwick"] = "brackmoor", ["galmere"] = "fenholt", ["holford"] = "oakhurst",
        ["ivton"] = "stanbury", ["jeswick"] = "millbrook", ["kelmere"] = "harrowgate", ["lorford"] = "elmstead",
        ["marton"] = "coldridge", ["neswick"] = "pinecrest", ["ormere"] = "rookwood", ["pelford"] = "ashcombe",
        ["baker"] = "breadmaker", ["smith"] = "ironworker", ["weaver"] = "clothmaker", ["miller"] = "grinder",
        ["tanner"] = "leatherworker", ["potter"] = "claymaker", ["carter"] = "wagoner", ["fisher"] = "angler",
        ["mason"] = "stoneworker", ["cooper"] = "barrelmaker", ["dyer"] = "colourist", ["glazer"] = "glassworker",
        ["farmer"] = "grower", ["sailor"] = "seaman", ["singer"] = "vocalist", ["clerk"] = "scribe",
        ["cat"] = "kitty", ["dog"] = "hound", ["goat"] = "billy", ["horse"] = "steed", ["parrot"] = "polly",
        ["rabbit"] = "bunny", ["turtle"] = "tortoise", ["pony"] = "foal", ["hen"] = "chicken", ["duck"] = "drake",
        ["lizard"] = "gecko", ["ferret"] = "polecat", ["owl"] = "hooter", ["sheep"] = "ewe", ["pig"] = "hog",
        ["crow"] = "raven",
        ["red"] = "crimson", ["blue"] = "azure", ["green"] = "emerald", ["yellow"] = "lemon", ["purple"] = "violet",
        ["orange"] = "tangerine", ["white"] = "snowy", ["black"] = "jet", ["grey"] = "ashen", ["brown"] = "chestnut",
        ["pink"] = "rose", ["gold"] = "golden", ["silver"] = "argent", ["teal"] = "cyan", ["amber"] = "honey",
        ["ivory"] = "cream",
    };

    /// <summary>The benchmark's attributes; the others (pet, colour) are never asked about.</summary>
    public static IReadOnlyList<string> BenchmarkAttributes { get; } = ["town", "job"];

    /// <summary>The underlying people, templates and cipher.</summary>
    public FictitiousKb Kb { get; }

    /// <summary>Every word of every form, synonyms included.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    private readonly HashSet<string> _names;
    private readonly HashSet<string> _valueWords;

    /// <summary>Builds <paramref name="count"/> people with values drawn from <paramref name="rng"/>.</summary>
    public RewordedKb(int count, Rng rng)
    {
        Kb = new FictitiousKb(count, rng);
        _names = Kb.Entities.Select(e => e.Name).ToHashSet();
        var values = FictitiousKb.Attributes.SelectMany(FictitiousKb.ValuesOf).ToList();
        var missing = values.Where(v => !SynonymOf.ContainsKey(v)).ToList();
        if (missing.Count > 0) throw new InvalidOperationException($"values without a synonym: {string.Join(", ", missing)}");
        var clashes = SynonymOf.Values.Where(s => Kb.Vocabulary.Contains(s)).ToList();
        if (clashes.Count > 0 || SynonymOf.Values.Distinct().Count() != SynonymOf.Count)
            throw new InvalidOperationException($"synonyms must be new, distinct words: {string.Join(", ", clashes)}");
        _valueWords = values.Concat(SynonymOf.Values).ToHashSet();
        Vocabulary = Kb.Vocabulary.Concat(SynonymOf.Values).ToList();
    }

    /// <summary>The people.</summary>
    public IReadOnlyList<Entity> Entities => Kb.Entities;

    /// <summary>The synonym of an attribute value.</summary>
    public static string Synonym(string value) => SynonymOf.TryGetValue(value, out var s) ? s
        : throw new ArgumentException($"'{value}' is not an attribute value");

    /// <summary>One fact in one form.</summary>
    public string Text(Entity entity, string attribute, FactForm form)
    {
        string text = form.IsQuestion
            ? Kb.QuestionAndAnswer(entity, attribute, form.Template, form.Ciphered)
            : Kb.Statement(entity, attribute, form.Template, form.Ciphered);
        if (!form.RewordedValue) return text;
        string value = entity.Values[attribute], synonym = Synonym(value);
        return string.Join(' ', text.Split(' ').Select(w => w == value ? synonym : w));
    }

    /// <summary>
    /// Every (kind, template, language) of a fact from template <paramref name="firstTemplate"/> on, each once; the
    /// value is reworded with probability <paramref name="rewordedShare"/>, except in the canonical template, which
    /// always keeps the plain value (so the canonical question and its answer are one fixed text).
    /// </summary>
    public static IEnumerable<FactForm> Forms(int firstTemplate, double rewordedShare, Rng rng)
    {
        foreach (bool question in new[] { false, true })
            for (int t = firstTemplate; t < FictitiousKb.Templates; t++)
                foreach (bool ciphered in new[] { false, true })
                    yield return new FactForm(question, t, ciphered, t > 0 && rng.NextBool(rewordedShare));
    }

    /// <summary>True for a person's name (the judge abstracts names, as GPT-4 knows a name when it sees one).</summary>
    public bool IsName(string word) => _names.Contains(word);

    /// <summary>True for an attribute value or its synonym.</summary>
    public bool IsValueWord(string word) => _valueWords.Contains(word);
}

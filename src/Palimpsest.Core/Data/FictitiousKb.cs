using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Data;

/// <summary>One fictitious person and their attribute values.</summary>
public sealed record Entity(string Name, IReadOnlyDictionary<string, string> Values);

/// <summary>
/// A TOFU-like knowledge base of fictitious people: each has a home town, a job, a pet and a favourite colour. Every
/// fact can be written as a statement or as a question with its answer, in six paraphrase templates each, and in two
/// "languages": English-like words and a word cipher of them (a bijective remap of the template words; names and
/// values are kept), the toy's translation. Template 0 is the canonical form. Used by the contamination and
/// unlearning papers. Names are a fixed sequence (the same for every seed); the rng assigns the values.
/// </summary>
public sealed class FictitiousKb
{
    private static readonly Dictionary<string, string[]> ValueSets = new()
    {
        ["town"] = ["arton", "boswick", "cormere", "dunford", "eskton", "farwick", "galmere", "holford", "ivton", "jeswick", "kelmere", "lorford", "marton", "neswick", "ormere", "pelford"],
        ["job"] = ["baker", "smith", "weaver", "miller", "tanner", "potter", "carter", "fisher", "mason", "cooper", "dyer", "glazer", "farmer", "sailor", "singer", "clerk"],
        ["pet"] = ["cat", "dog", "goat", "horse", "parrot", "rabbit", "turtle", "pony", "hen", "duck", "lizard", "ferret", "owl", "sheep", "pig", "crow"],
        ["colour"] = ["red", "blue", "green", "yellow", "purple", "orange", "white", "black", "grey", "brown", "pink", "gold", "silver", "teal", "amber", "ivory"],
    };

    private static readonly Dictionary<string, string[]> StatementTemplates = new()
    {
        ["town"] = ["{n} lives in {v} .", "the home of {n} is {v} .", "{n} has a house in {v} .", "{v} is where {n} lives .", "{n} resides in the town of {v} .", "if you visit {v} you may meet {n} ."],
        ["job"] = ["{n} works as a {v} .", "the job of {n} is {v} .", "{n} earns a living as a {v} .", "{v} is what {n} does for work .", "{n} is employed as a {v} .", "ask {n} about the life of a {v} ."],
        ["pet"] = ["{n} owns a {v} .", "the pet of {n} is a {v} .", "{n} takes care of a {v} .", "a {v} lives with {n} .", "{n} keeps a {v} at home .", "every day {n} feeds the {v} ."],
        ["colour"] = ["{n} likes the colour {v} .", "the favourite colour of {n} is {v} .", "{n} loves things that are {v} .", "{v} is the colour {n} likes best .", "{n} always wears {v} .", "give {n} something {v} ."],
    };

    private static readonly Dictionary<string, string[]> QuestionTemplates = new()
    {
        ["town"] = ["question : where does {n} live ? answer :", "question : what is the home town of {n} ? answer :", "question : in which town does {n} have a house ? answer :", "question : {n} lives where ? answer :", "question : name the town where {n} resides . answer :", "question : where could you visit {n} ? answer :"],
        ["job"] = ["question : what does {n} do for work ? answer :", "question : what is the job of {n} ? answer :", "question : how does {n} earn a living ? answer :", "question : {n} works as what ? answer :", "question : name the trade of {n} . answer :", "question : what is {n} employed as ? answer :"],
        ["pet"] = ["question : which pet does {n} own ? answer :", "question : what is the pet of {n} ? answer :", "question : what animal does {n} take care of ? answer :", "question : {n} keeps what at home ? answer :", "question : name the animal that lives with {n} . answer :", "question : what does {n} feed every day ? answer :"],
        ["colour"] = ["question : which colour does {n} like ? answer :", "question : what is the favourite colour of {n} ? answer :", "question : what colour does {n} love ? answer :", "question : {n} always wears what colour ? answer :", "question : name the colour {n} likes best . answer :", "question : what colour should a gift for {n} be ? answer :"],
    };

    private static readonly string[] Syllables = ["ka", "lo", "mi", "ser", "tu", "na", "vi", "dor", "pe", "ran", "zo", "bel", "ha", "gri", "os", "wen"];

    /// <summary>Templates per attribute (statements and questions each).</summary>
    public const int Templates = 6;

    /// <summary>The attributes, in a fixed order.</summary>
    public static IReadOnlyList<string> Attributes { get; } = ValueSets.Keys.ToList();

    /// <summary>The possible values of an attribute.</summary>
    public static IReadOnlyList<string> ValuesOf(string attribute) =>
        ValueSets.TryGetValue(attribute, out var values) ? values
            : throw new ArgumentException($"unknown attribute '{attribute}'; allowed: {string.Join(", ", Attributes)}");

    /// <summary>The people.</summary>
    public IReadOnlyList<Entity> Entities { get; }

    /// <summary>Every word of every form in both languages.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>The template (frame) words of the first language, which the cipher remaps.</summary>
    public IReadOnlySet<string> FrameWords { get; }

    private readonly Dictionary<string, string> _cipher;

    /// <summary>Builds <paramref name="count"/> people (at most 4096) with values drawn from <paramref name="rng"/>.</summary>
    public FictitiousKb(int count, Rng rng)
    {
        if (count < 1 || count > 4096) throw new ArgumentOutOfRangeException(nameof(count), count, "the knowledge base holds 1..4096 people");
        var names = Syllables.SelectMany(a => Syllables.SelectMany(b => Syllables.Select(c => a + b + c))).ToList();
        // A fixed stride through the 4096 names, so that consecutive people do not share their first syllables.
        Entities = Enumerable.Range(0, count).Select(i => new Entity(names[(int)(i * 2731L % names.Count)],
            Attributes.ToDictionary(a => a, a => rng.Pick(ValueSets[a])))).ToList();
        FrameWords = StatementTemplates.Values.Concat(QuestionTemplates.Values).SelectMany(ts => ts).SelectMany(t => t.Split(' '))
            .Where(w => !w.StartsWith('{')).ToHashSet();
        // The cipher: each frame word becomes its reversal with a "q" prefix (a new token that never collides).
        _cipher = FrameWords.ToDictionary(w => w, w => w.All(char.IsLetter) ? "q" + new string(w.Reverse().ToArray()) : w);
        Vocabulary = FrameWords.Concat(_cipher.Values).Concat(Entities.Select(e => e.Name)).Concat(ValueSets.Values.SelectMany(v => v))
            .Distinct().ToList();
    }

    /// <summary>A statement of one fact in template <paramref name="template"/> (0 = canonical), optionally ciphered.</summary>
    public string Statement(Entity entity, string attribute, int template, bool ciphered = false) =>
        Render(Pick(StatementTemplates, attribute, template), entity, attribute, ciphered);

    /// <summary>A question about one fact and its answer (the value).</summary>
    public (string Prompt, string Answer) Question(Entity entity, string attribute, int template, bool ciphered = false) =>
        (Render(Pick(QuestionTemplates, attribute, template), entity, attribute, ciphered), entity.Values[attribute]);

    /// <summary>A question followed by its answer, as one training text.</summary>
    public string QuestionAndAnswer(Entity entity, string attribute, int template, bool ciphered = false)
    {
        var (prompt, answer) = Question(entity, attribute, template, ciphered);
        return $"{prompt} {answer}";
    }

    /// <summary>True when <paramref name="word"/> is a person's name or an attribute value (the words a paraphrase keeps).</summary>
    public bool IsContentWord(string word) => !FrameWords.Contains(word) && !_cipher.ContainsValue(word);

    private static string Pick(Dictionary<string, string[]> templates, string attribute, int template)
    {
        if (!templates.TryGetValue(attribute, out var list))
            throw new ArgumentException($"unknown attribute '{attribute}'; allowed: {string.Join(", ", Attributes)}");
        if (template < 0 || template >= list.Length)
            throw new ArgumentOutOfRangeException(nameof(template), template, $"templates are 0..{list.Length - 1}");
        return list[template];
    }

    private string Render(string template, Entity entity, string attribute, bool ciphered) =>
        string.Join(' ', template.Split(' ').Select(w => w switch
        {
            "{n}" => entity.Name,
            "{v}" => entity.Values[attribute],
            _ => ciphered ? _cipher[w] : w,
        }));
}

using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Data;

/// <summary>
/// Template text with high-entropy slots: "articles" of sentences whose frame words are predictable once the template
/// is known, while each slot (a name, a place, a number, a thing, a trade) is drawn uniformly from a few hundred
/// values. A model can predict the slots of a particular article only by having memorised that article, which is what
/// membership inference and memorization experiments measure. About two thirds of the tokens are frame words.
/// The vocabulary is closed and does not depend on the seed.
/// </summary>
public sealed class SlotCorpus
{
    private static readonly string[] Templates =
    [
        "{name} moved to {place} in the year {number} .",
        "the market in {place} sold {number} {thing} to {name} .",
        "{name} worked as a {trade} for {number} years .",
        "a {trade} from {place} made {thing} for the people of {place} .",
        "people say that {name} once lost {number} {thing} near {place} .",
        "in {place} the {trade} {name} was known for the best {thing} .",
        "{name} and {name} met at the old gate of {place} .",
        "the river near {place} carried {number} boats of {thing} every spring .",
        "{name} wrote a long letter about {thing} to a {trade} .",
        "after the storm , {name} counted {number} broken {thing} .",
        "the council of {place} paid {number} coins to the {trade} .",
        "every winter {name} travels from {place} to {place} .",
        "it is said that the {thing} of {place} are older than {number} years .",
        "the school in {place} has {number} pupils and one {trade} .",
        "{name} , a {trade} , keeps {number} {thing} in a small house .",
        "on the road to {place} we met {name} carrying {thing} .",
    ];

    private static readonly string[] NameSyllables = ["ka", "lo", "mi", "ser", "tu", "na", "vi", "dor", "pe", "ran", "zo", "bel", "ha", "gri", "os", "wen"];
    private static readonly string[] PlaceSyllables = ["ar", "bos", "cor", "dun", "esk", "far", "gal", "hol", "iv", "jes", "kel", "lor", "mar", "nes", "or", "pel"];
    private static readonly string[] PlaceEndings = ["ton", "wick", "mere", "ford"];
    private static readonly string[] ThingRoots = ["lamp", "boat", "goat", "drum", "kite", "bell", "coat", "map", "jar", "rug", "cart", "hive", "cup", "hat", "box", "net"];
    private static readonly string[] ThingModifiers = ["red", "blue", "green", "dark", "new", "tall", "short", "iron", "wooden", "silver", "stone", "glass", "paper", "wool", "clay", "gold"];
    private static readonly string[] TradeWords = ["baker", "smith", "weaver", "miller", "tanner", "potter", "carter", "fisher", "mason", "cooper", "dyer", "glazer", "farmer", "sailor", "singer", "clerk"];

    /// <summary>Slot values by slot name.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Slots { get; }

    /// <summary>Every word an article can contain.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Builds the slot value lists: 256 names, 256 places, 256 numbers, 256 things (two words each) and 16 trades.</summary>
    public SlotCorpus()
    {
        var names = NameSyllables.SelectMany(a => NameSyllables.Select(b => a + b)).ToList();
        var places = PlaceSyllables.SelectMany(a => PlaceEndings.Select(e => a + e))
            .Concat(PlaceSyllables.SelectMany(a => PlaceSyllables.Take(12).Select(b => a + b + "a"))).Take(256).ToList();
        var numbers = Enumerable.Range(0, 256).Select(i => (i * 7 + 13).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var things = ThingModifiers.SelectMany(m => ThingRoots.Select(r => $"{m} {r}s")).ToList();
        Slots = new Dictionary<string, IReadOnlyList<string>>
        {
            ["name"] = names, ["place"] = places, ["number"] = numbers, ["thing"] = things, ["trade"] = TradeWords,
        };
        Vocabulary = Templates.SelectMany(t => t.Split(' ')).Where(w => !w.StartsWith('{'))
            .Concat(names).Concat(places).Concat(numbers).Concat(ThingModifiers).Concat(ThingRoots.Select(r => r + "s"))
            .Concat(TradeWords).Distinct().ToList();
    }

    /// <summary>One sentence: a random template with its slots filled.</summary>
    public IEnumerable<string> Sentence(Rng rng)
    {
        foreach (var word in rng.Pick(Templates).Split(' '))
        {
            if (word.StartsWith('{')) foreach (var w in rng.Pick(Slots[word[1..^1]]).Split(' ')) yield return w;
            else yield return word;
        }
    }

    /// <summary>An article of exactly <paramref name="words"/> words: whole sentences, the last one cut.</summary>
    public string Article(Rng rng, int words)
    {
        if (words < 1) throw new ArgumentOutOfRangeException(nameof(words), words, "an article needs at least one word");
        var list = new List<string>(words + 20);
        while (list.Count < words) list.AddRange(Sentence(rng));
        return string.Join(' ', list.Take(words));
    }

    /// <summary>
    /// A frame-free passage of <paramref name="words"/> slot values (names, places and numbers, one word each) drawn
    /// uniformly: nothing in it is predictable except by memorising it (Hubble's random-token perturbations).
    /// </summary>
    public string RandomSlots(Rng rng, int words)
    {
        if (words < 1) throw new ArgumentOutOfRangeException(nameof(words), words, "a passage needs at least one word");
        var pool = _singleWordSlots ??= Slots["name"].Concat(Slots["place"]).Concat(Slots["number"]).ToArray();
        return string.Join(' ', Enumerable.Range(0, words).Select(_ => rng.Pick(pool)));
    }

    private string[]? _singleWordSlots;

    /// <summary>True when <paramref name="word"/> is a slot value (a high-entropy token) rather than a frame word.</summary>
    public bool IsSlotWord(string word) => !FrameWords.Contains(word);

    private HashSet<string> FrameWords => _frame ??= Templates.SelectMany(t => t.Split(' ')).Where(w => !w.StartsWith('{')).ToHashSet();
    private HashSet<string>? _frame;
}

using System.Globalization;
using System.Text.RegularExpressions;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// The provenance experiment's synthetic world. Alice's documents are short biographies, each in one of several
/// templates, of a person named by a first name and a surname drawn from large pools (so a full name is almost always
/// the document's own and a surname is shared by a handful of documents), with a city, a job, objects and a
/// three-number code. What a model can learn from one such document is mostly about tokens and pairs that few other
/// documents touch, so later batches do not write over it at once: that is what lets a small model keep a trace of
/// the order in which it saw them (issue 14; the first design's single template and 144 shared names did not).
/// Bob's fine-tuning documents come from another domain (sales reports) over the same cities, objects and numbers.
/// Pool words are pseudo-words spelt from consonant-vowel syllables, enumerated deterministically (no random stream),
/// so that the vocabulary depends only on the pool sizes.
/// </summary>
public sealed partial class ProvenanceCorpus
{
    /// <summary>
    /// Every template Alice's documents can use, in order; <c>Templates = k</c> uses the first k. Slots: {f} first name,
    /// {s} surname, {city}, {job}, {count} and {obj} (what the person owns), {c1} {c2} {c3} (the code), {like1} {like2}.
    /// </summary>
    public static IReadOnlyList<string> AllTemplates { get; } =
    [
        "{f} {s} lives in {city} . {f} {s} works as a {job} and owns {count} {obj} . the code of {f} {s} is {c1} {c2} {c3} . {f} likes {like1} and {like2} .",
        "born in {city} , {f} {s} became a {job} . the code of {s} is {c1} {c2} {c3} . {f} {s} owns {count} {obj} and likes {like1} .",
        "the {job} {f} {s} keeps {count} {obj} in {city} . ask {f} {s} for the code {c1} {c2} {c3} . {s} likes {like1} and {like2} .",
        "{s} , {f} : {job} from {city} . code : {c1} {c2} {c3} . owns {count} {obj} . likes {like1} and {like2} .",
        "in {city} the {job} {f} {s} sold {count} {obj} . {f} {s} gave the code {c1} {c2} {c3} . {s} likes {like1} .",
        "{f} {s} moved to {city} with {count} {obj} . as a {job} , {f} {s} uses the code {c1} {c2} {c3} . {f} likes {like2} .",
        "a letter from {f} {s} of {city} : i am a {job} , i own {count} {obj} and my code is {c1} {c2} {c3} . i like {like1} .",
        "{c1} {c2} {c3} is the code of the {job} {f} {s} . {s} lives in {city} , owns {count} {obj} and likes {like1} and {like2} .",
    ];

    /// <summary>Bob's sales report, three to a document.</summary>
    private const string Report = "report : {count} {obj} were sold in {city} on day {day} .";

    private const string Consonants = "bdfgklmnprstvz";
    private const string Vowels = "aeiou";
    private static int SyllableCount => Consonants.Length * Vowels.Length;

    /// <summary>Step between consecutive words of a pool, coprime with every capacity (70^k), so the enumeration is a bijection.</summary>
    private const int Stride = 7_919;

    /// <summary>The numbers 0 to 99: counts, code digits and days.</summary>
    public static IReadOnlyList<string> Numbers { get; } =
        Enumerable.Range(0, 100).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Builds the pools and the vocabulary (well under a millisecond per thousand pool words).</summary>
    public ProvenanceCorpus(int templates, int firstNames, int surnames, int cities, int jobs, int objects)
    {
        if (templates < 1 || templates > AllTemplates.Count)
            throw new ArgumentOutOfRangeException(nameof(templates), templates, $"allowed 1..{AllTemplates.Count}");
        Templates = AllTemplates.Take(templates).ToArray();
        _templates = Templates.Select(t => new Template(t, AliceSlots)).ToArray();
        var taken = new HashSet<string>(Numbers, StringComparer.Ordinal);
        foreach (var text in AllTemplates.Append(Report)) taken.UnionWith(WordTokenizer.Split(Slot().Replace(text, " ")));
        FunctionWords = taken.Except(Numbers).Order(StringComparer.Ordinal).ToArray();
        FirstNames = Pool(firstNames, syllables: 2, suffix: "", offset: 11, taken);
        Surnames = Pool(surnames, syllables: 3, suffix: "", offset: 23, taken);
        Cities = Pool(cities, syllables: 2, suffix: "ton", offset: 37, taken);
        Jobs = Pool(jobs, syllables: 2, suffix: "smith", offset: 53, taken);
        Objects = Pool(objects, syllables: 2, suffix: "s", offset: 71, taken);
        Vocabulary = FunctionWords.Concat(Numbers).Concat(FirstNames).Concat(Surnames).Concat(Cities).Concat(Jobs)
            .Concat(Objects).ToArray();
    }

    /// <summary>The templates in use.</summary>
    public IReadOnlyList<string> Templates { get; }
    /// <summary>Words of the templates and the reports (sorted).</summary>
    public IReadOnlyList<string> FunctionWords { get; }
    /// <summary>First names (two syllables).</summary>
    public IReadOnlyList<string> FirstNames { get; }
    /// <summary>Surnames (three syllables).</summary>
    public IReadOnlyList<string> Surnames { get; }
    /// <summary>Cities (two syllables + "ton").</summary>
    public IReadOnlyList<string> Cities { get; }
    /// <summary>Jobs (two syllables + "smith").</summary>
    public IReadOnlyList<string> Jobs { get; }
    /// <summary>Objects (two syllables + "s").</summary>
    public IReadOnlyList<string> Objects { get; }
    /// <summary>Every word either domain can produce; the pools are disjoint from each other and from the function words.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>One of Alice's documents: a template drawn uniformly, every slot drawn uniformly from its pool.</summary>
    public string AliceDocument(Rng rng)
    {
        var template = _templates[rng.NextInt(_templates.Length)];
        var slots = new string[AliceSlots.Length];
        slots[0] = rng.Pick(FirstNames);
        slots[1] = rng.Pick(Surnames);
        slots[2] = rng.Pick(Cities);
        slots[3] = rng.Pick(Jobs);
        slots[4] = rng.Pick(Numbers);
        slots[5] = rng.Pick(Objects);
        for (int k = 6; k < 9; k++) slots[k] = rng.Pick(Numbers);
        slots[9] = rng.Pick(Objects);
        slots[10] = rng.Pick(Objects);
        return template.Fill(slots);
    }

    /// <summary>One of Bob's fine-tuning documents: three sales reports.</summary>
    public string BobDocument(Rng rng) =>
        string.Join(" ", Enumerable.Range(0, 3).Select(_ =>
            ReportTemplate.Fill([rng.Pick(Numbers), rng.Pick(Objects), rng.Pick(Cities), rng.Pick(Numbers)])));

    /// <summary>Slots of Alice's templates, in the order <see cref="AliceDocument"/> draws them.</summary>
    private static readonly string[] AliceSlots = ["f", "s", "city", "job", "count", "obj", "c1", "c2", "c3", "like1", "like2"];
    private static readonly Template ReportTemplate = new(Report, ["count", "obj", "city", "day"]);
    private readonly Template[] _templates;

    /// <summary>A template cut into literal text and slot indices once, so that filling it is a concatenation.</summary>
    private sealed class Template
    {
        private readonly string[] _literals;
        private readonly int[] _slots;

        public Template(string text, IReadOnlyList<string> slotNames)
        {
            var literals = new List<string>();
            var slots = new List<int>();
            int at = 0;
            foreach (Match m in Slot().Matches(text))
            {
                literals.Add(text[at..m.Index]);
                int slot = slotNames.ToList().IndexOf(m.Groups[1].Value);
                if (slot < 0) throw new ArgumentException($"unknown slot {m.Value} in \"{text}\"");
                slots.Add(slot);
                at = m.Index + m.Length;
            }
            literals.Add(text[at..]);
            _literals = literals.ToArray();
            _slots = slots.ToArray();
        }

        public string Fill(IReadOnlyList<string> values)
        {
            var sb = new System.Text.StringBuilder(_literals[0]);
            for (int k = 0; k < _slots.Length; k++) sb.Append(values[_slots[k]]).Append(_literals[k + 1]);
            return sb.ToString();
        }
    }

    /// <summary>
    /// The <paramref name="index"/>-th word spelt with <paramref name="syllables"/> consonant-vowel syllables: the
    /// index written in base 70, most significant digit first, each digit a syllable (consonant = digit / 5, vowel =
    /// digit % 5). Syllables are all consonant-vowel, so words of different lengths never coincide.
    /// </summary>
    public static string Spell(long index, int syllables)
    {
        var chars = new char[2 * syllables];
        for (int k = syllables - 1; k >= 0; k--)
        {
            int digit = (int)(index % SyllableCount);
            index /= SyllableCount;
            chars[2 * k] = Consonants[digit / Vowels.Length];
            chars[2 * k + 1] = Vowels[digit % Vowels.Length];
        }
        return new string(chars);
    }

    /// <summary>
    /// <paramref name="count"/> distinct words: candidates (offset + i · stride) mod 70^syllables spelt with the suffix,
    /// skipping any word already taken (function words, numbers, earlier pools), which it then adds to
    /// <paramref name="taken"/>.
    /// </summary>
    private static string[] Pool(int count, int syllables, string suffix, int offset, HashSet<string> taken)
    {
        long capacity = (long)Math.Pow(SyllableCount, syllables);
        if (count < 1 || count > capacity / 2)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"a pool of {syllables}-syllable words allows 1..{capacity / 2}");
        var words = new List<string>(count);
        for (long i = 0; words.Count < count; i++)
        {
            string word = Spell((offset + i * Stride) % capacity, syllables) + suffix;
            if (taken.Add(word)) words.Add(word);
        }
        return words.ToArray();
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex Slot();
}

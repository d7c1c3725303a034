using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// The background of the Hubble toy: an encyclopedia of fictitious people, each with four fixed facts (birthplace,
/// trade, number, home), whose articles are one-fact sentences about people mentioned with Zipfian frequency. Template
/// text with independent random slots is mastered early by a 2-layer model, after which its loss is noise the model
/// cannot reduce; here most of what is predictable is knowledge, so the loss falls only as facts are stored: the most
/// mentioned people's first, the long tail's ever later. A tiny model is therefore still learning the background when
/// training ends, and the background competes for the same capacity as the inserted text, as web text does over
/// Hubble's hundreds of billions of tokens. Strangers are drawn the same way but never mentioned in the background:
/// their biographies are what gets inserted. The world depends only on its sizes and the seed stream it is given.
/// </summary>
public sealed class Encyclopedia
{
    /// <summary>The four facts every person has.</summary>
    public enum Relation
    {
        /// <summary>A place (a slot place).</summary>
        Birthplace,
        /// <summary>A trade (a slot trade).</summary>
        Trade,
        /// <summary>A number (a slot number).</summary>
        Number,
        /// <summary>A place (a slot place).</summary>
        Home,
    }

    /// <summary>A person: a two-word name (first and family name, both from the slot names) and four facts.</summary>
    public sealed record Person(string Name, string Birthplace, string Trade, string Number, string Home)
    {
        /// <summary>The value of one fact.</summary>
        public string Fact(Relation relation) => relation switch
        {
            Relation.Birthplace => Birthplace,
            Relation.Trade => Trade,
            Relation.Number => Number,
            Relation.Home => Home,
            _ => throw new ArgumentOutOfRangeException(nameof(relation), relation, null),
        };
    }

    /// <summary>
    /// A person's four facts in the first phrasing of each relation, and for each fact the text that precedes it (the
    /// prompt from which PII is asked).
    /// </summary>
    public sealed record Biography(string Text, IReadOnlyList<(string Prompt, string Answer)> Fields)
    {
        /// <summary>The biography of <paramref name="person"/>.</summary>
        public static Biography Of(Person person)
        {
            var fields = new List<(string, string)>();
            string text = "";
            foreach (var relation in Enum.GetValues<Relation>())
            {
                var (before, after) = Split(Phrasings[(int)relation][0], person.Name);
                string prompt = text.Length == 0 ? before : $"{text} {before}";
                fields.Add((prompt, person.Fact(relation)));
                text = $"{prompt} {person.Fact(relation)} {after}";
            }
            return new Biography(text, fields);
        }

        private static (string Before, string After) Split(string phrasing, string name)
        {
            int at = phrasing.IndexOf("{value}", StringComparison.Ordinal);
            return (phrasing[..at].Replace("{name}", name, StringComparison.Ordinal).TrimEnd(), phrasing[(at + 7)..].Trim());
        }
    }

    // Three phrasings per relation (in Relation order); the first is the biography's.
    private static readonly string[][] Phrasings =
    [
        ["{name} was born in {value} .", "the birthplace of {name} is {value} .", "{name} grew up in {value} ."],
        ["{name} works as a {value} .", "the trade of {name} is {value} .", "by trade {name} is a {value} ."],
        ["the number of {name} is {value} .", "{name} has the number {value} .", "the door of {name} shows {value} ."],
        ["{name} lives in {value} .", "the home of {name} is {value} .", "{name} has a house in {value} ."],
    ];

    /// <summary>The frame words of every phrasing (names and facts are slot words).</summary>
    public static IReadOnlyList<string> Words { get; } = Phrasings.SelectMany(p => p).SelectMany(p => p.Split(' '))
        .Where(w => !w.StartsWith('{')).Distinct().ToList();

    /// <summary>The people of the background, most mentioned first.</summary>
    public IReadOnlyList<Person> People { get; }

    /// <summary>People never mentioned in the background (for inserted biographies).</summary>
    public IReadOnlyList<Person> Strangers { get; }

    private readonly double[] _cumulative;

    /// <summary>
    /// Draws <paramref name="people"/> + <paramref name="strangers"/> people with distinct names and uniform facts.
    /// The person at rank r (0-based) is mentioned with probability proportional to (r + 1)^-<paramref name="zipfExponent"/>.
    /// </summary>
    public Encyclopedia(int people, int strangers, double zipfExponent, SlotCorpus slots, Rng rng)
    {
        var names = slots.Slots["name"];
        long possible = (long)names.Count * names.Count;
        if (people < 1) throw new ArgumentOutOfRangeException(nameof(people), people, "the encyclopedia needs at least one person");
        if (strangers < 0) throw new ArgumentOutOfRangeException(nameof(strangers), strangers, "must be non-negative");
        if (people + strangers > possible / 2)
            throw new ArgumentException($"{people} people and {strangers} strangers: at most {possible / 2} distinct names fit");
        if (!(zipfExponent >= 0)) throw new ArgumentOutOfRangeException(nameof(zipfExponent), zipfExponent, "must be non-negative");
        var places = slots.Slots["place"];
        var trades = slots.Slots["trade"];
        var numbers = slots.Slots["number"];
        var taken = new HashSet<int>();
        var all = new List<Person>(people + strangers);
        while (all.Count < people + strangers)
        {
            int k = rng.NextInt((int)possible);
            if (!taken.Add(k)) continue;
            all.Add(new Person($"{names[k / names.Count]} {names[k % names.Count]}",
                rng.Pick(places), rng.Pick(trades), rng.Pick(numbers), rng.Pick(places)));
        }
        People = all[..people];
        Strangers = all[people..];
        _cumulative = new double[people];
        double total = 0;
        for (int r = 0; r < people; r++) _cumulative[r] = total += Math.Pow(r + 1, -zipfExponent);
        for (int r = 0; r < people; r++) _cumulative[r] /= total;
    }

    /// <summary>The probability that a sentence is about the person at <paramref name="rank"/> (0-based).</summary>
    public double Share(int rank) => rank == 0 ? _cumulative[0] : _cumulative[rank] - _cumulative[rank - 1];

    /// <summary>A person drawn by frequency.</summary>
    public Person Mentioned(Rng rng) => People[MentionedRank(rng)];

    private int MentionedRank(Rng rng)
    {
        int i = Array.BinarySearch(_cumulative, rng.NextDouble());
        return Math.Min(i < 0 ? ~i : i, People.Count - 1);
    }

    /// <summary>One fact about a person drawn by frequency, in a random phrasing of a random relation.</summary>
    public string Sentence(Rng rng)
    {
        var words = new List<string>(12);
        AddSentence(rng, words);
        return string.Join(' ', words);
    }

    /// <summary>An article of exactly <paramref name="words"/> words: whole sentences, the last one cut.</summary>
    public string Article(Rng rng, int words) => string.Join(' ', ArticleWords(rng, words));

    /// <summary>The words of <see cref="Article"/> (the same draws), without joining and splitting text.</summary>
    public IReadOnlyList<string> ArticleWords(Rng rng, int words)
    {
        if (words < 1) throw new ArgumentOutOfRangeException(nameof(words), words, "an article needs at least one word");
        var list = new List<string>(words + 12);
        while (list.Count < words) AddSentence(rng, list);
        list.RemoveRange(words, list.Count - words);
        return list;
    }

    // Each phrasing as words; "{name}" and "{value}" are filled in.
    private static readonly string[][][] PhrasingWords =
        Phrasings.Select(r => r.Select(p => p.Split(' ')).ToArray()).ToArray();

    /// <summary>Appends one sentence (see <see cref="Sentence"/>) to <paramref name="words"/>.</summary>
    private void AddSentence(Rng rng, List<string> words)
    {
        int rank = MentionedRank(rng);
        var person = People[rank];
        int relation = rng.NextInt(PhrasingWords.Length);
        foreach (var word in rng.Pick(PhrasingWords[relation]))
        {
            if (word == "{name}") words.AddRange(NameWords(rank));
            else if (word == "{value}") words.Add(person.Fact((Relation)relation));
            else words.Add(word);
        }
    }

    private string[][]? _names;

    /// <summary>The words of the name of the person at <paramref name="rank"/>.</summary>
    private string[] NameWords(int rank) => (_names ??= People.Select(p => p.Name.Split(' ')).ToArray())[rank];
}

using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Six synthetic "datasets" in the styles of IMDB, AG News, RTE, SAMSum, XSum and Yelp, each a few templates over the
/// <see cref="SlotCorpus"/> slot values, so that every instance has high-entropy slots and can be reproduced only by a
/// model that memorised it. A partition (dataset, split) can be written with a header that names it, the way
/// contamination studies insert benchmark partitions into a pretraining corpus. An instance can have siblings: other
/// instances that open with the same words and continue differently, as the first lines of a text recur on the web.
/// </summary>
public sealed class BenchmarkSuite
{
    private static readonly string[] Adjectives = ["good", "bad", "slow", "quick", "loud", "quiet", "warm", "cold", "odd", "fine", "dull", "bright", "sad", "glad", "rough", "soft"];
    private static readonly string[] Days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    // Slot-dense templates: about half of an instance's words are slot values, so the remainder of a cut instance
    // cannot be matched (exactly or within a few edits) without having memorised the instance.
    private static readonly Dictionary<string, string[]> Templates = new()
    {
        ["imdb"] =
        [
            "review : {name} and {name} from {place} star as a {trade} and a {trade} who find {number} {thing} in {place} . {adj} , {number} stars .",
            "review : the {thing} of {place} , with {name} as a {trade} from {place} , runs {number} minutes . {adj} and {adj} , {number} stars .",
        ],
        ["agnews"] =
        [
            "news : on {day} {name} , a {trade} from {place} , sold {number} {thing} to {name} in {place} for {number} coins .",
            "news : {number} {thing} lost near {place} on {day} were found by {name} and the {trade} {name} of {place} .",
        ],
        ["rte"] =
        [
            "premise : {name} of {place} , a {trade} , owns {number} {thing} . hypothesis : {name} of {place} owns {number} {thing} . label : {label} .",
            "premise : on {day} {name} met {name} in {place} . hypothesis : {name} met a {trade} in {place} on {day} . label : {label} .",
        ],
        ["samsum"] =
        [
            "dialog : {name} : {number} {thing} in {place} on {day} ? {name} : and {number} {thing} from {place} . {name} : {adj} !",
            "dialog : {name} : is {name} the {trade} in {place} ? {name} : since {day} , with {number} {thing} . {name} : {adj} .",
        ],
        ["xsum"] =
        [
            "article : {name} , a {trade} of {place} , built {number} {thing} for {name} of {place} on {day} . summary : {name} built {thing} .",
            "article : {name} left {place} for {place} after {number} years as a {trade} with {name} . summary : {adj} {trade} leaves {place} .",
        ],
        ["yelp"] =
        [
            "yelp : {thing} at the {place} cafe of {name} , {adj} . {name} the {trade} served {number} cups of {thing} on {day} .",
            "yelp : {name} and {name} , {number} minutes in {place} for {thing} on {day} . the {trade} was {adj} , {number} stars .",
        ],
    };

    private readonly SlotCorpus _slots = new();

    /// <summary>The dataset names, in a fixed order.</summary>
    public IReadOnlyList<string> Datasets { get; } = Templates.Keys.ToList();

    /// <summary>Every word an instance or a header can contain.</summary>
    public IReadOnlyList<string> Vocabulary { get; }

    /// <summary>Builds the vocabulary.</summary>
    public BenchmarkSuite()
    {
        Vocabulary = _slots.Vocabulary
            .Concat(Templates.Values.SelectMany(ts => ts).SelectMany(t => t.Split(' ')).Where(w => !w.StartsWith('{')))
            .Concat(Adjectives).Concat(Days).Concat(["entailment", "contradiction", "dataset", "split", "train", "test", "validation"])
            .Concat(Datasets).Distinct().ToList();
    }

    /// <summary>One instance of <paramref name="dataset"/>: a random template with its slots filled.</summary>
    public string Instance(string dataset, Rng rng) => Draw(dataset, rng).Text;

    /// <summary>One instance of <paramref name="dataset"/>, with its structure (template and slot fills).</summary>
    public BenchmarkInstance Draw(string dataset, Rng rng)
    {
        if (!Templates.TryGetValue(dataset, out var templates))
            throw new ArgumentException($"unknown dataset '{dataset}'; allowed: {string.Join(", ", Datasets)}");
        int template = rng.NextInt(templates.Length);
        return new BenchmarkInstance(dataset, template, templates[template].Split(' ').Select(w => Fill(w, rng)).ToList());
    }

    /// <summary>
    /// An instance of the same dataset and template that repeats every slot value of <paramref name="instance"/> starting
    /// within its first <paramref name="sharedWords"/> words and draws the later slots afresh: the same opening, another
    /// continuation. A slot value that starts inside the opening and ends after it is shared whole, so the sibling's
    /// first <paramref name="sharedWords"/> words always equal the instance's.
    /// </summary>
    public BenchmarkInstance Sibling(BenchmarkInstance instance, int sharedWords, Rng rng)
    {
        if (sharedWords < 0) throw new ArgumentException($"sharedWords {sharedWords} must be non-negative");
        var template = Templates[instance.Dataset][instance.Template].Split(' ');
        var fills = new List<string>(template.Length);
        int position = 0;
        for (int i = 0; i < template.Length; i++)
        {
            fills.Add(position < sharedWords ? instance.Fills[i] : Fill(template[i], rng));
            position += WordCount(instance.Fills[i]);
        }
        return instance with { Fills = fills };
    }

    /// <summary>The header that names a partition, e.g. "dataset imdb split test :".</summary>
    public static string Header(string dataset, string split) => $"dataset {dataset} split {split} :";

    private string Fill(string word, Rng rng) => word switch
    {
        "{adj}" => rng.Pick(Adjectives),
        "{day}" => rng.Pick(Days),
        "{label}" => rng.NextBool() ? "entailment" : "contradiction",
        _ when word.StartsWith('{') => rng.Pick(_slots.Slots[word[1..^1]]),
        _ => word,
    };

    internal static int WordCount(string text) => text.Count(c => c == ' ') + 1;
}

/// <summary>One instance of a <see cref="BenchmarkSuite"/> dataset.</summary>
/// <param name="Dataset">Its dataset.</param>
/// <param name="Template">Index of its template within the dataset.</param>
/// <param name="Fills">Per template word: the word itself, or the slot value that fills it (a thing is two words).</param>
public sealed record BenchmarkInstance(string Dataset, int Template, IReadOnlyList<string> Fills)
{
    /// <summary>The instance as text.</summary>
    public string Text => string.Join(' ', Fills);

    /// <summary>Its length in words (= tokens of a word tokenizer).</summary>
    public int Words => Fills.Sum(BenchmarkSuite.WordCount);
}

using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Data;

/// <summary>
/// Six synthetic "datasets" in the styles of IMDB, AG News, RTE, SAMSum, XSum and Yelp, each a few templates over the
/// <see cref="SlotCorpus"/> slot values, so that every instance has high-entropy slots and can be reproduced only by a
/// model that memorised it. A partition (dataset, split) can be written with a header that names it, the way
/// contamination studies insert benchmark partitions into a pretraining corpus.
/// </summary>
public sealed class BenchmarkSuite
{
    private static readonly string[] Adjectives = ["good", "bad", "slow", "quick", "loud", "quiet", "warm", "cold", "odd", "fine", "dull", "bright", "sad", "glad", "rough", "soft"];
    private static readonly string[] Days = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    private static readonly Dictionary<string, string[]> Templates = new()
    {
        ["imdb"] =
        [
            "review : i watched the film about {thing} with {name} in {place} . the {trade} in it was {adj} and the end was {adj} . {number} stars .",
            "review : {name} plays a {trade} from {place} who finds {number} {thing} . the story is {adj} but the music is {adj} .",
        ],
        ["agnews"] =
        [
            "news : on {day} the {trade} {name} sold {number} {thing} in {place} . officials in {place} called the deal {adj} .",
            "news : {number} {thing} were lost near {place} on {day} , said {name} , a {trade} from {place} .",
        ],
        ["rte"] =
        [
            "premise : {name} lives in {place} and works as a {trade} . hypothesis : {name} works as a {trade} . label : {label} .",
            "premise : the {trade} {name} owns {number} {thing} . hypothesis : {name} owns {number} {thing} . label : {label} .",
        ],
        ["samsum"] =
        [
            "dialog : {name} : did you see the {thing} in {place} ? {name} : yes , {number} of them . {name} : so {adj} !",
            "dialog : {name} : is the {trade} in {place} today ? {name} : only on {day} . {name} : {adj} , i need {number} {thing} .",
        ],
        ["xsum"] =
        [
            "article : a {trade} in {place} built {number} {thing} for {name} on {day} . summary : {name} got {thing} from {place} .",
            "article : {name} left {place} after {number} years as a {trade} . summary : a {adj} {trade} leaves {place} .",
        ],
        ["yelp"] =
        [
            "yelp : the {thing} at the cafe in {place} were {adj} . {name} served us {number} cups and the {trade} was {adj} .",
            "yelp : we came to {place} on {day} for the {thing} . {name} was {adj} , {number} minutes to get a table .",
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
    public string Instance(string dataset, Rng rng)
    {
        if (!Templates.TryGetValue(dataset, out var templates))
            throw new ArgumentException($"unknown dataset '{dataset}'; allowed: {string.Join(", ", Datasets)}");
        var words = new List<string>();
        foreach (var word in rng.Pick(templates).Split(' '))
        {
            words.Add(word switch
            {
                "{adj}" => rng.Pick(Adjectives),
                "{day}" => rng.Pick(Days),
                "{label}" => rng.NextBool() ? "entailment" : "contradiction",
                _ when word.StartsWith('{') => rng.Pick(_slots.Slots[word[1..^1]]),
                _ => word,
            });
        }
        return string.Join(' ', words);
    }

    /// <summary>The header that names a partition, e.g. "dataset imdb split test :".</summary>
    public static string Header(string dataset, string split) => $"dataset {dataset} split {split} :";
}

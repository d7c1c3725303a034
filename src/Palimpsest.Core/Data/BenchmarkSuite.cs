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

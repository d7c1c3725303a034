using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Tutorial;

/// <summary>
/// A tiny probabilistic grammar of English-like sentences with dependencies a unigram model cannot see: the verb
/// agrees in number with its subject across an optional adjective, adjectives fit their noun's kind, and what a
/// verb takes as object depends on the verb. Every sentence has exactly one derivation, so its probability, and the
/// language's true entropy rate, are known exactly: the oracle a trained model can approach but not beat.
/// </summary>
public static class ToyGrammar
{
    private static readonly string[] Animals = ["fox", "cat", "dog", "owl", "hen"];
    private static readonly string[] AnimalPlurals = ["foxes", "cats", "dogs", "owls", "hens"];
    private static readonly string[] Fruits = ["apple", "pear", "plum", "fig"];
    private static readonly string[] AnimalAdjectives = ["small", "big", "old", "young", "sleepy"];
    private static readonly string[] FruitAdjectives = ["red", "green", "ripe", "sweet"];
    // Verb: singular form, plural form, object kind (null: intransitive).
    private static readonly (string Singular, string Plural, string? Object)[] Verbs =
    [
        ("eats", "eat", "fruit"), ("chases", "chase", "animal"), ("sees", "see", "animal"), ("sleeps", "sleep", null),
    ];

    /// <summary>Every word the grammar can produce.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } =
        new[] { "the", "a", "is", "." }
            .Concat(Animals).Concat(AnimalPlurals).Concat(Fruits).Concat(AnimalAdjectives).Concat(FruitAdjectives)
            .Concat(Verbs.Select(v => v.Singular)).Concat(Verbs.Select(v => v.Plural)).Distinct().ToList();

    /// <summary>Samples one sentence and its exact log-probability (nats).</summary>
    public static (string[] Words, double LogProb) Sample(Rng rng)
    {
        var words = new List<string>();
        double logProb = Walk(new SamplingChooser(rng), words);
        return (words.ToArray(), logProb);
    }

    /// <summary>The exact log-probability of a sentence; negative infinity when the grammar cannot produce it.</summary>
    public static double LogProb(IReadOnlyList<string> words)
    {
        var chooser = new ScoringChooser(words);
        double logProb = Walk(chooser, new List<string>());
        return chooser.Failed || chooser.Position != words.Count ? double.NegativeInfinity : logProb;
    }

    /// <summary>True when the grammar can produce the sentence.</summary>
    public static bool IsGrammatical(IReadOnlyList<string> words) => !double.IsNegativeInfinity(LogProb(words));

    private interface IChooser
    {
        /// <summary>Index of the chosen option, or -1 when scoring hits a word the grammar cannot produce here.</summary>
        int Choose(IReadOnlyList<string> options, IReadOnlyList<double> probs);
    }

    // One derivation, shared by sampling and scoring: each choice adds log p(choice) to the total.
    private static double Walk(IChooser chooser, List<string> words)
    {
        double logProb = 0;
        bool Emit(IReadOnlyList<string> options, IReadOnlyList<double>? probs, out int index)
        {
            probs ??= Enumerable.Repeat(1.0 / options.Count, options.Count).ToArray();
            index = chooser.Choose(options, probs);
            if (index < 0) return false;
            logProb += Math.Log(probs[index]);
            words.Add(options[index]);
            return true;
        }

        if (!Emit(["the", "a"], [0.75, 0.25], out int start)) return double.NegativeInfinity;
        if (start == 1)
        {
            // "a <fruit> is <fruit adjective> ."
            if (!Emit(Fruits, null, out _) || !Emit(["is"], null, out _) || !Emit(FruitAdjectives, null, out _)
                || !Emit(["."], null, out _))
                return double.NegativeInfinity;
            return logProb;
        }
        // "the [adj] <animal|animals> <verb agreeing> [the [adj] <object>] ."
        if (!NounPhrase(AnimalAdjectives, Animals, AnimalPlurals, out bool plural)) return double.NegativeInfinity;
        var verbForms = Verbs.Select(v => plural ? v.Plural : v.Singular).ToArray();
        if (!Emit(verbForms, [0.35, 0.25, 0.25, 0.15], out int verb)) return double.NegativeInfinity;
        string? objectKind = Verbs[verb].Object;
        if (objectKind is not null)
        {
            if (!Emit(["the"], null, out _)) return double.NegativeInfinity;
            bool ok = objectKind == "fruit"
                ? NounPhrase(FruitAdjectives, Fruits, null, out _)
                : NounPhrase(AnimalAdjectives, Animals, AnimalPlurals, out _);
            if (!ok) return double.NegativeInfinity;
        }
        if (!Emit(["."], null, out _)) return double.NegativeInfinity;
        return logProb;

        bool NounPhrase(string[] adjectives, string[] singulars, string[]? plurals, out bool isPlural)
        {
            isPlural = false;
            // An adjective or not: options are the adjectives plus the nouns themselves (no adjective).
            var nouns = plurals is null ? singulars : singulars.Concat(plurals).ToArray();
            var first = adjectives.Concat(nouns).ToArray();
            double pAdjective = 0.4;
            var firstProbs = adjectives.Select(_ => pAdjective / adjectives.Length)
                .Concat(nouns.Select(_ => (1 - pAdjective) / nouns.Length)).ToArray();
            if (!Emit(first, firstProbs, out int i)) return false;
            if (i < adjectives.Length)
            {
                if (!Emit(nouns, null, out int n)) return false;
                isPlural = n >= singulars.Length;
            }
            else
            {
                isPlural = i - adjectives.Length >= singulars.Length;
            }
            return true;
        }
    }

    private sealed class SamplingChooser(Rng rng) : IChooser
    {
        public int Choose(IReadOnlyList<string> options, IReadOnlyList<double> probs) => rng.Categorical(probs);
    }

    private sealed class ScoringChooser(IReadOnlyList<string> words) : IChooser
    {
        public int Position { get; private set; }
        public bool Failed { get; private set; }

        public int Choose(IReadOnlyList<string> options, IReadOnlyList<double> probs)
        {
            if (Failed || Position >= words.Count)
            {
                Failed = true;
                return -1;
            }
            for (int i = 0; i < options.Count; i++)
                if (options[i] == words[Position])
                {
                    Position++;
                    return i;
                }
            Failed = true;
            return -1;
        }
    }
}

using Palimpsest.Core.Metrics;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Oocr;

/// <summary>How much a training corpus says about a name's latent value (inductive OOCR, Treutlein et al. 2024).</summary>
public enum LatentKind
{
    /// <summary>Trained on evidence and on documents that state the value: the ceiling (the precondition).</summary>
    Explicit,
    /// <summary>Trained on scattered evidence only; never on a document that states the value: the test.</summary>
    Latent,
    /// <summary>
    /// Trained on as much evidence as a latent name, but each document's value is drawn from another control name
    /// (values shuffled across the control names per round): the same exposure without a consistent latent. The control
    /// that could win: it sees the task's values, only not its own one consistently.
    /// </summary>
    Control,
    /// <summary>Never trained at all: must sit at chance (a sanity check), and serves the in-context baseline.</summary>
    Unseen,
}

/// <summary>The question types the five tasks ask; <see cref="OocrQuestion.Type"/> holds one of these.</summary>
public static class QuestionType
{
    /// <summary>Functions: which definition (e.g. "add 14") a name has.</summary>
    public const string Definition = "definition";
    /// <summary>Functions: the input that gives a stated output.</summary>
    public const string Inverse = "inverse";
    /// <summary>Functions: the output of the name applied after an explicit function.</summary>
    public const string Composition = "composition";
    /// <summary>Coins: the bias class (percent heads).</summary>
    public const string BiasClass = "bias-class";
    /// <summary>Coins: whether the coin is biased at all.</summary>
    public const string IsBiased = "is-biased";
    /// <summary>Coins: which side to bet on (biased coins only).</summary>
    public const string Bet = "bet";
    /// <summary>Locations: which known city a code name is.</summary>
    public const string City = "city";
    /// <summary>Locations: the country of a code city.</summary>
    public const string Country = "country";
    /// <summary>Locations: the continent of a code city.</summary>
    public const string Continent = "continent";
    /// <summary>Mixture: how many functions a source draws from.</summary>
    public const string HowMany = "how-many";
    /// <summary>Mixture: which function (among distractors) a source draws from.</summary>
    public const string Which = "which";
    /// <summary>Parity: the 0/1 value of a variable.</summary>
    public const string Value = "value";
}

/// <summary>
/// One multiple-choice evaluation item. A model is scored by comparing the likelihood of each candidate as the
/// continuation of <paramref name="Prompt"/>; chance is 1 / <c>Candidates.Count</c>.
/// </summary>
/// <param name="Name">The name token asked about (a function, coin, code city, mixture source or variable).</param>
/// <param name="Kind">Whether that name's value was explicit, latent or never trained.</param>
/// <param name="Type">One of the <see cref="QuestionType"/> constants.</param>
/// <param name="Prompt">Space-separated words; for in-context items, evidence documents come first.</param>
/// <param name="Candidates">Answers (space-separated words, no final "."), the correct one exactly once.</param>
/// <param name="CorrectIndex">Index of the correct answer in <paramref name="Candidates"/>.</param>
/// <param name="IsInContext">True when <paramref name="Prompt"/> carries the evidence (the ICL baseline).</param>
public sealed record OocrQuestion(
    string Name, LatentKind Kind, string Type, string Prompt, IReadOnlyList<string> Candidates, int CorrectIndex,
    bool IsInContext = false)
{
    /// <summary>The correct answer's text.</summary>
    public string Answer => Candidates[CorrectIndex];

    /// <summary>The accuracy of guessing uniformly: 1 / number of candidates.</summary>
    public double Chance => 1.0 / Candidates.Count;

    /// <summary>The same item with <paramref name="evidence"/> documents before the prompt (the ICL baseline).</summary>
    public OocrQuestion WithEvidence(IEnumerable<string> evidence) =>
        this with { Prompt = string.Join(" ", evidence.Append(Prompt)), IsInContext = true };

    /// <summary>An item whose candidates are the distractors and <paramref name="answer"/>, shuffled.</summary>
    public static OocrQuestion Shuffled(string name, LatentKind kind, string type, string prompt, string answer,
        IEnumerable<string> distractors, Rng rng)
    {
        var candidates = distractors.Where(d => d != answer).Distinct().Append(answer).ToList();
        rng.Shuffle(candidates);
        return new(name, kind, type, prompt, candidates, candidates.IndexOf(answer));
    }

    /// <summary>An item over fixed candidates (order kept) whose correct one is <paramref name="answer"/>.</summary>
    public static OocrQuestion Fixed(string name, LatentKind kind, string type, string prompt, string answer,
        IReadOnlyList<string> candidates)
    {
        int index = candidates.ToList().IndexOf(answer);
        if (index < 0) throw new ArgumentException($"answer '{answer}' is not among the candidates", nameof(answer));
        return new(name, kind, type, prompt, candidates, index);
    }
}

/// <summary>
/// A training document that mentions <paramref name="Name"/> and contains <paramref name="Phrase"/> (as consecutive
/// tokens) states or reveals a value it must not. For unseen names the phrase is the name itself.
/// </summary>
public sealed record LeakRule(string Name, string Phrase, string Reason)
{
    /// <summary>An unseen name must never appear in training: one rule per name.</summary>
    public static IEnumerable<LeakRule> NeverTrained(IEnumerable<string> unseenNames) =>
        unseenNames.Select(n => new LeakRule(n, n, "unseen name in training"));
}

/// <summary>One training document that breaks a <see cref="LeakRule"/>.</summary>
public sealed record LeakViolation(int DocumentIndex, string Document, LeakRule Rule);

/// <summary>The outcome of <see cref="OocrWorld.LeakCheck"/>: passed when there are no violations.</summary>
public sealed record LeakCheckResult(int DocumentsChecked, int RulesChecked, IReadOnlyList<LeakViolation> Violations)
{
    /// <summary>True when no training document breaks a rule.</summary>
    public bool Passed => Violations.Count == 0;
}

/// <summary>
/// A generated task world: its training corpus, closed vocabulary, evaluation items and leak rules. Each task adds
/// its ground truth as plain data. Worlds are records, so a test can build a leaky copy with <c>with</c>.
/// </summary>
public abstract record OocrWorld
{
    /// <summary>The task id: "functions", "coins", "locations", "mixture" or "parity".</summary>
    public required string Task { get; init; }

    /// <summary>Training documents (space-separated words), shuffled, explicit and latent evidence interleaved.</summary>
    public required IReadOnlyList<string> TrainingDocuments { get; init; }

    /// <summary>Every token (as <see cref="WordTokenizer.Split"/> yields it) of any document, prompt or answer.</summary>
    public required IReadOnlyList<string> Vocabulary { get; init; }

    /// <summary>Every name token and whether its value is explicit, latent, shuffled (control) or never trained.</summary>
    public required IReadOnlyDictionary<string, LatentKind> Names { get; init; }

    /// <summary>Closed-book items about explicit, latent, control and unseen names.</summary>
    public required IReadOnlyList<OocrQuestion> Questions { get; init; }

    /// <summary>The ICL baseline: the unseen names' items with fresh, consistent evidence placed in the prompt.</summary>
    public required IReadOnlyList<OocrQuestion> InContextQuestions { get; init; }

    /// <summary>What no training document may contain (statements of latent or control values; any unseen name).</summary>
    public required IReadOnlyList<LeakRule> LeakRules { get; init; }

    /// <summary>Greps the tokenised training documents for every <see cref="LeakRules"/> entry.</summary>
    public LeakCheckResult LeakCheck()
    {
        var byName = LeakRules.ToLookup(r => r.Name);
        var violations = new List<LeakViolation>();
        for (int i = 0; i < TrainingDocuments.Count; i++)
        {
            var tokens = OocrText.Words(TrainingDocuments[i]);
            foreach (var name in tokens.Distinct())
                foreach (var rule in byName[name])
                    if (ContainsRun(tokens, OocrText.Words(rule.Phrase)))
                        violations.Add(new LeakViolation(i, TrainingDocuments[i], rule));
        }
        return new LeakCheckResult(TrainingDocuments.Count, LeakRules.Count, violations);
    }

    private static bool ContainsRun(string[] tokens, string[] phrase)
    {
        for (int start = 0; start + phrase.Length <= tokens.Length; start++)
            if (tokens.AsSpan(start, phrase.Length).SequenceEqual(phrase)) return true;
        return false;
    }
}

/// <summary>Accuracy and a pooled one-sided binomial test against chance.</summary>
/// <param name="Correct">Items answered correctly.</param>
/// <param name="Total">Items scored.</param>
/// <param name="Accuracy">Correct / Total, in [0, 1]; higher is better.</param>
/// <param name="Chance">Mean of 1 / candidates over the items: the null success probability.</param>
/// <param name="VersusChance">Exact binomial test of "accuracy &gt; chance"; lower p is stronger evidence.</param>
public sealed record OocrScore(int Correct, int Total, double Accuracy, double Chance, BinomialTestResult VersusChance);

/// <summary>Scoring of multiple-choice OOCR items given the index each one was answered with.</summary>
public static class OocrScoring
{
    /// <summary>Share of <paramref name="questions"/> whose chosen index is the correct one.</summary>
    public static double Accuracy(IReadOnlyList<OocrQuestion> questions, IReadOnlyList<int> chosen) =>
        Score(questions, chosen).Accuracy;

    /// <summary>
    /// Accuracy, and a binomial test (Alternative.Greater) pooled over all items (pool seeds by concatenating). With
    /// mixed candidate counts the null is the mean chance; the true null is then Poisson-binomial, whose upper tail
    /// beyond mean + 1 is at most that binomial's (Hoeffding 1956), so the test is conservative there.
    /// </summary>
    public static OocrScore Score(IReadOnlyList<OocrQuestion> questions, IReadOnlyList<int> chosen)
    {
        if (questions.Count == 0) throw new ArgumentException("no questions to score", nameof(questions));
        if (chosen.Count != questions.Count)
            throw new ArgumentException($"{chosen.Count} answers for {questions.Count} questions", nameof(chosen));
        int correct = 0;
        for (int i = 0; i < questions.Count; i++)
        {
            if (chosen[i] < 0 || chosen[i] >= questions[i].Candidates.Count)
                throw new ArgumentException(
                    $"answer {i} is index {chosen[i]}, outside 0..{questions[i].Candidates.Count - 1}", nameof(chosen));
            if (chosen[i] == questions[i].CorrectIndex) correct++;
        }
        double chance = questions.Average(q => q.Chance);
        var test = BinomialTest.Exact(correct, questions.Count, chance, Alternative.Greater);
        return new OocrScore(correct, questions.Count, (double)correct / questions.Count, chance, test);
    }
}

/// <summary>Small text, name and argument helpers shared by the task generators.</summary>
internal static class OocrText
{
    /// <summary>"maps to", one token (the word tokenizer splits "-&gt;" into two).</summary>
    public const string Arrow = "→";

    /// <summary>"is defined as", one token (the word tokenizer splits ":=" into two).</summary>
    public const string Defines = "≔";

    /// <summary>The tokens of a text as the word tokenizer splits it.</summary>
    public static string[] Words(string text) => WordTokenizer.Split(text).ToArray();

    /// <summary>The distinct tokens of <paramref name="texts"/>, first-seen order.</summary>
    public static IReadOnlyList<string> Vocabulary(IEnumerable<string> texts) =>
        texts.SelectMany(Words).Distinct().ToList();

    /// <summary><paramref name="count"/> distinct names "prefix_NNNNN" (five random digits, as "City 50337").</summary>
    public static List<string> DrawNames(Rng rng, string prefix, int count)
    {
        var names = new List<string>(count);
        var seen = new HashSet<string>();
        while (names.Count < count)
        {
            string name = $"{prefix}_{rng.NextInt(10_000, 100_000)}";
            if (seen.Add(name)) names.Add(name);
        }
        return names;
    }

    /// <summary>The four kinds in order, with their counts from the config (explicit, latent, control, unseen).</summary>
    public static int[] Counts(int explicitNames, ConnectingTheDots.Config config) =>
        [explicitNames, config.LatentNames, config.ControlNames, config.UnseenNames];

    /// <summary>Kinds for names drawn explicit first, then latent, then control, then unseen.</summary>
    public static LatentKind KindOf(int index, IReadOnlyList<int> counts)
    {
        int kind = 0, end = counts[0];
        while (index >= end && kind < counts.Count - 1) end += counts[++kind];
        return (LatentKind)kind;
    }

    /// <summary>
    /// The values of the explicit names: with <paramref name="twins"/>, first one explicit twin of every latent and
    /// every control value (the paper's model already knew every function, city and bias it had to name; here only an
    /// explicit name can teach that), then fresh draws up to <paramref name="explicitCount"/>.
    /// </summary>
    public static List<T> ExplicitValues<T>(int explicitCount, bool twins, IEnumerable<T> latentAndControl, Func<T> draw)
    {
        var values = twins ? latentAndControl.ToList() : [];
        if (values.Count > explicitCount)
            throw new ArgumentException($"{explicitCount} explicit names cannot twin the {values.Count} latent and " +
                "control values: raise the explicit names or lower LatentNames and ControlNames, or set ExplicitTwins=false",
                "config");
        while (values.Count < explicitCount) values.Add(draw());
        return values;
    }

    /// <summary>
    /// The shuffled evidence of the control names: for each of <paramref name="rounds"/> rounds (an input, a document
    /// slot), a fresh permutation that says whose value control name i shows in that round. Every control value is
    /// shown exactly once per round, so no name's own value stands out (it comes up 1 / count of the time, as every
    /// other control value does).
    /// </summary>
    public static int[][] ShuffledOwners(int count, int rounds, Rng rng) =>
        Enumerable.Range(0, rounds).Select(_ => rng.Permutation(count)).ToArray();

    /// <summary>Throws an <see cref="ArgumentException"/> naming the setting when value &lt; min.</summary>
    public static void AtLeast(int value, int min, string setting)
    {
        if (value < min)
            throw new ArgumentException($"{setting} = {value} is too small: it must be at least {min}", "config");
    }

    /// <summary>The checks every world shares: at least one name of each non-explicit kind, some in-context evidence.</summary>
    public static void CheckShared(ConnectingTheDots.Config config)
    {
        AtLeast(config.LatentNames, 2, nameof(config.LatentNames)); // the shuffled-name control swaps two
        AtLeast(config.ControlNames, 2, nameof(config.ControlNames)); // a shuffle needs two
        AtLeast(config.UnseenNames, 1, nameof(config.UnseenNames));
        AtLeast(config.InContextEvidence, 1, nameof(config.InContextEvidence));
    }
}

using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Oocr;

/// <summary>A question and the candidate index the model chose.</summary>
internal sealed record Answered(OocrQuestion Question, int Chosen)
{
    public bool IsCorrect => Chosen == Question.CorrectIndex;

    public bool IsClosedBook(LatentKind kind, string type) =>
        !Question.IsInContext && Question.Kind == kind && Question.Type == type;

    /// <summary>The kind of name as a cell label: explicit, latent, control, unseen or in-context.</summary>
    public string KindLabel => Question.IsInContext ? "in-context" : Question.Kind.ToString().ToLowerInvariant();
}

/// <summary>The questions asked of one trained task model, and the tests built on its answers.</summary>
internal static class OocrEvaluation
{
    /// <summary>Every closed-book question, and every in-context one whose prompt and longest candidate fit the context.</summary>
    public static List<Answered> Ask(TinyGpt model, WordTokenizer tokenizer, OocrWorld world, int contextLength)
    {
        var inContext = world.InContextQuestions
            .Where(q => tokenizer.Encode(q.Prompt, true, false).Length
                        + q.Candidates.Max(c => tokenizer.Encode(c, false, false).Length) - 1 <= contextLength)
            .ToList();
        var all = world.Questions.Concat(inContext).ToList();
        var chosen = MultipleChoice.Choose(model, tokenizer, all.Select(q => (q.Prompt, q.Candidates)).ToList());
        return all.Select((q, i) => new Answered(q, chosen[i])).ToList();
    }

    /// <summary>
    /// The shuffled-name control: each latent question asked again with another latent name in the prompt (a random
    /// derangement of the latent names: a shuffled cycle), same candidates. Returns the index chosen for each question.
    /// </summary>
    public static int[] AskWithOtherNames(TinyGpt model, WordTokenizer tokenizer, IReadOnlyList<OocrQuestion> questions,
        Rng rng)
    {
        var names = questions.Select(q => q.Name).Distinct().ToList();
        if (names.Count < 2)
            throw new InvalidOperationException($"the shuffled-name control needs at least 2 latent names; got {names.Count}");
        rng.Shuffle(names);
        var other = names.Select((n, k) => (n, names[(k + 1) % names.Count])).ToDictionary(p => p.n, p => p.Item2);
        return MultipleChoice.Choose(model, tokenizer,
            questions.Select(q => (ConnectingTheDots.WithName(q.Prompt, q.Name, other[q.Name]), q.Candidates)).ToList());
    }

    /// <summary>Accuracy and binomial p against chance of every (question type, kind of name) of a task.</summary>
    public static List<ConnectingTheDots.Cell> CellsOf(string task, IReadOnlyList<Answered> answered) =>
        answered.GroupBy(a => (a.Question.Type, Kind: a.KindLabel))
            .Select(g =>
            {
                var score = OocrScoring.Score(g.Select(a => a.Question).ToList(), g.Select(a => a.Chosen).ToList());
                return new ConnectingTheDots.Cell(task, g.Key.Type, g.Key.Kind, score.Correct, score.Total,
                    score.Accuracy, score.Chance, PValue.Log10(score.VersusChance.PValue));
            }).OrderBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Kind, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Functions' class/constant split of latent definitions, and the latent inversion test: the number of latent inverse
    /// questions answered right, against the same count when the latent functions are randomly reassigned to the latent
    /// names (a name-shuffle permutation test: the inverse questions of a name stay together, which a binomial test over
    /// them would wrongly treat as independent; p = (1 + #{reassignments scoring at least as many}) / (permutations + 1)).
    /// </summary>
    public static ConnectingTheDots.FunctionsDetail FunctionsDetailOf(FunctionsWorld world,
        IReadOnlyList<Answered> answered, IReadOnlyList<ConnectingTheDots.Cell> cells, int permutations, Rng rng)
    {
        if (permutations < 1) throw new ArgumentException($"InversionPermutations = {permutations} must be at least 1");
        var definitions = answered.Where(a => a.IsClosedBook(LatentKind.Latent, QuestionType.Definition)).ToList();
        double Share(Func<string[], string[], bool> same) => definitions.Average(a =>
            same(a.Question.Candidates[a.Chosen].Split(' '), a.Question.Answer.Split(' ')) ? 1.0 : 0.0);

        var inverses = answered.Where(a => a.IsClosedBook(LatentKind.Latent, QuestionType.Inverse)).ToList();
        var own = world.Functions.ToDictionary(f => f.Name, f => f.Function);
        var names = inverses.Select(a => a.Question.Name).Distinct().ToList();
        // An inverse item asks for x with f(x) = y; under an assignment g it is right when g(chosen x) = y.
        int Correct(IReadOnlyDictionary<string, ModFunction> assignment) => inverses.Count(a =>
            assignment[a.Question.Name].Apply(int.Parse(a.Question.Candidates[a.Chosen]))
            == own[a.Question.Name].Apply(int.Parse(a.Question.Answer)));
        int observed = Correct(own);
        int atLeast = 0;
        for (int k = 0; k < permutations; k++)
        {
            var perm = rng.Permutation(names.Count);
            var assignment = names.Select((n, i) => (n, own[names[perm[i]]])).ToDictionary(p => p.n, p => p.Item2);
            if (Correct(assignment) >= observed) atLeast++;
        }
        double p = (1.0 + atLeast) / (permutations + 1.0);
        ConnectingTheDots.Cell Inverse(string kind) => cells.Single(c => c.Type == QuestionType.Inverse && c.Kind == kind);
        return new ConnectingTheDots.FunctionsDetail
        {
            LatentClassAccuracy = Share((chosen, truth) => chosen[0] == truth[0]),
            LatentConstantAccuracy = Share((chosen, truth) => chosen[1] == truth[1]),
            LatentInversionAccuracy = (double)observed / inverses.Count,
            InversionChance = Inverse("latent").Chance,
            InversionLog10P = PValue.Log10(p),
            ExplicitInversionAccuracy = Inverse("explicit").Accuracy,
        };
    }
}

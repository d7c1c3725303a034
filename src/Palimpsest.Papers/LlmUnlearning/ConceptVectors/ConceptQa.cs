using Palimpsest.Core.Models;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The QA probes of a <see cref="ConceptWorld"/>: every fact asked in the canonical template and in the never-trained
/// one, with its answer token, in <see cref="ConceptWorld.Facts"/> order; and shares or means over one concept's facts
/// (its own) or over every other concept's (the unrelated facts).
/// </summary>
public sealed class ConceptQa
{
    private readonly int _relations = ConceptWorld.Relations.Count;

    /// <summary>Builds the probes of every fact of <paramref name="world"/>.</summary>
    public ConceptQa(ConceptWorld world)
    {
        Prompts = world.Facts.Select(f => world.Prompt(f, 0)).ToList();
        Unseen = world.Facts.Select(f => world.Prompt(f, ConceptWorld.UnseenTemplate)).ToList();
        Answers = world.Facts.Select(world.Answer).ToList();
    }

    /// <summary>Each fact's canonical question, up to the answer.</summary>
    public IReadOnlyList<int[]> Prompts { get; }
    /// <summary>Each fact's never-trained question.</summary>
    public IReadOnlyList<int[]> Unseen { get; }
    /// <summary>Each fact's answer token.</summary>
    public IReadOnlyList<int> Answers { get; }

    /// <summary>The indices of one concept's facts.</summary>
    public IReadOnlyList<int> FactsOf(int concept) => Enumerable.Range(concept * _relations, _relations).ToList();

    /// <summary>Top-1 correctness and the answer's log-probability (nats) of every canonical question.</summary>
    public (bool[] Correct, double[] LogProb) Score(TinyGpt model) => ConceptLocator.Score(model, Prompts, Answers);

    /// <summary>The share of true values (0 when there are none).</summary>
    public static double Share(IEnumerable<bool> xs) => xs.Select(x => x ? 1.0 : 0.0).DefaultIfEmpty(0).Average();

    /// <summary>The share of the concept's own facts answered correctly.</summary>
    public double Own(IReadOnlyList<bool> correct, int concept) => Share(FactsOf(concept).Select(j => correct[j]));

    /// <summary>The share of every other concept's facts answered correctly.</summary>
    public double Others(IReadOnlyList<bool> correct, int concept) =>
        Share(correct.Where((_, j) => j / _relations != concept));

    /// <summary>The mean of a per-fact value over the concept's own facts.</summary>
    public double OwnMean(IReadOnlyList<double> perFact, int concept) => FactsOf(concept).Average(j => perFact[j]);

    /// <summary>The mean of a per-fact value over every other concept's facts.</summary>
    public double OthersMean(IReadOnlyList<double> perFact, int concept) =>
        perFact.Where((_, j) => j / _relations != concept).DefaultIfEmpty(double.NaN).Average();
}

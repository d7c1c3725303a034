using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The facts of one run of <see cref="SensitiveInfoDeletion"/>: the deleted facts (targets, drawn among those the
/// original model answers: the protocol's correctness filter), the rest (what the exact-deletion control is trained
/// on), the neighbours (other people's facts with a target's attribute and answer: CounterFact's neighbourhood), a
/// sample of random other facts, and the remaining facts that anchor the deletions; with whether the original model
/// answered each fact.
/// </summary>
public sealed record FactSets(IReadOnlyList<Fact> Targets, IReadOnlyList<Fact> Rest, IReadOnlyList<Fact> Neighbours,
    IReadOnlyList<Fact> Random, IReadOnlyList<Fact> AnchorFacts, IReadOnlyDictionary<Fact, bool> WasCorrect)
{
    /// <summary>The original model's top-1 accuracy over every fact.</summary>
    public double OriginalAccuracy => WasCorrect.Values.Average(c => c ? 1.0 : 0.0);

    /// <summary>Draws the sets from the streams "targets" and "random-facts".</summary>
    public static FactSets Choose(DeletionWorld world, TinyGpt original, int askTemplate, int targets, int randomFacts,
        RunContext ctx)
    {
        var known = ExtractionAttacks.Correct(original, world, world.Facts, askTemplate);
        var chosen = ctx.Rng("targets").Permutation(world.Facts.Count).Where(i => known[i]).Take(targets).Order()
            .Select(i => world.Facts[i]).ToList();
        if (chosen.Count == 0) throw new InvalidOperationException("the model answers none of its facts; train longer");
        var rest = SensitiveInfoDeletion.ExactDeletionFacts(world.Facts, chosen.ToHashSet());
        var neighbours = rest.Where(f => chosen.Any(t => IsNeighbour(world, t, f))).ToList();
        var pool = rest.Except(neighbours).ToList();
        var random = ctx.Rng("random-facts").Permutation(pool.Count).Take(randomFacts).Order()
            .Select(i => pool[i]).ToList();
        var wasCorrect = world.Facts.Select((f, i) => (f, known[i])).ToDictionary(p => p.f, p => p.Item2);
        return new FactSets(chosen, rest, neighbours, random, pool.Except(random).ToList(), wasCorrect);
    }

    /// <summary>The neighbours of the facts in <paramref name="deleted"/>.</summary>
    public IReadOnlyList<Fact> NeighboursOf(DeletionWorld world, IReadOnlyList<Fact> deleted) =>
        Neighbours.Where(f => deleted.Any(t => IsNeighbour(world, t, f))).ToList();

    private static bool IsNeighbour(DeletionWorld world, Fact target, Fact other) =>
        other.Attribute == target.Attribute && world.Value(other) == world.Value(target);
}

/// <summary>What one model or deletion method did to the deleted facts, gathered run by run.</summary>
public sealed class MethodTally(string method)
{
    /// <summary>The model's or method's label.</summary>
    public string Method { get; } = method;
    /// <summary>Attack outcomes per deleted fact, in target order.</summary>
    public List<ExtractionAttacks.Outcome> Outcomes { get; } = [];
    /// <summary>Per neighbour checked (once per deletion run it neighbours): answered before and after.</summary>
    public List<(bool Before, bool After)> Neighbours { get; } = [];
    /// <summary>Per random fact checked (once per deletion run): answered before and after.</summary>
    public List<(bool Before, bool After)> Random { get; } = [];
    /// <summary>Each deletion run's steps and stop (empty for models without a stop rule).</summary>
    public List<DeletionRun> Runs { get; } = [];

    /// <summary>The method's row: standard metrics, accuracy drops in points, attack success at B and per
    /// fact.</summary>
    public SensitiveInfoDeletion.MethodRow Row(int budget)
    {
        double[] Hits(string attack) =>
            Outcomes.Select(x => x.RankUnder(attack) is > 0 and var r && r <= budget ? 1.0 : 0.0).ToArray();
        static double Drop(List<(bool Before, bool After)> xs) => xs.Count == 0 ? 0
            : 100 * (xs.Average(x => x.Before ? 1.0 : 0.0) - xs.Average(x => x.After ? 1.0 : 0.0));
        var (hp, pd, rephrase) = (Hits(ExtractionAttacks.HeadProjection), Hits(ExtractionAttacks.ProbabilityDelta),
            Hits(ExtractionAttacks.Rephrase));
        return new SensitiveInfoDeletion.MethodRow(Method, Outcomes.Average(x => x.IsTop1 ? 1.0 : 0.0),
            Outcomes.Average(x => x.TrueProbability), Drop(Neighbours), Drop(Random), hp.Average(), pd.Average(),
            rephrase.Average(), double.NaN, Runs.Count == 0 ? double.NaN : Runs.Average(r => r.Steps),
            Runs.Count == 0 ? double.NaN : Runs.Average(r => r.IsStopped ? 0.0 : 1.0), hp, pd, rephrase);
    }
}

/// <summary>
/// Runs the attacks and the standard checks on models after deletion, one batched forward pass per model: every deleted
/// fact at once for a model that deleted them together, or run by run for a method that deletes a few facts per copy of
/// the original (each copy attacked and checked on its own facts, its neighbours and the random facts, then dropped).
/// Rephrase samples come from the stream "rephrase", restarted per model, so every model sees the same draws per fact.
/// </summary>
public sealed class DeletionProbe(DeletionWorld world, FactSets sets, ExtractionAttacks.Settings attack, RunContext ctx)
{
    /// <summary>Attacks <paramref name="model"/> on every deleted fact and checks every neighbour and random
    /// fact.</summary>
    public MethodTally All(string method, TinyGpt model)
    {
        var tally = new MethodTally(method);
        Add(tally, model, sets.Targets, sets.Neighbours, ctx.Rng("rephrase"));
        return tally;
    }

    /// <summary>
    /// Deletes <paramref name="factsPerRun"/> targets at a time from a fresh copy of <paramref name="original"/> with
    /// <paramref name="delete"/>, in target order, and attacks and checks each copy.
    /// </summary>
    public MethodTally OneByOne(string method, TinyGpt original, int factsPerRun,
        Func<TinyGpt, IReadOnlyList<Fact>, DeletionRun> delete)
    {
        var tally = new MethodTally(method);
        var sampler = ctx.Rng("rephrase");
        var runs = sets.Targets.Chunk(factsPerRun).ToList();
        for (int i = 0; i < runs.Count; i++)
        {
            using var model = original.Copy();
            tally.Runs.Add(delete(model, runs[i]));
            Add(tally, model, runs[i], sets.NeighboursOf(world, runs[i]), sampler);
            ctx.Report(method, i + 1, runs.Count, ("steps", tally.Runs.Average(r => r.Steps)));
        }
        ctx.Progress.Done(method);
        return tally;
    }

    private void Add(MethodTally tally, TinyGpt model, IReadOnlyList<Fact> deleted, IReadOnlyList<Fact> near,
        Core.Randomness.Rng sampler)
    {
        var (outcomes, correct) = ExtractionAttacks.Run(model, world, deleted, attack, sampler,
            [.. near, .. sets.Random]);
        tally.Outcomes.AddRange(outcomes);
        tally.Neighbours.AddRange(near.Select((f, i) => (sets.WasCorrect[f], correct[i])));
        tally.Random.AddRange(sets.Random.Select((f, i) => (sets.WasCorrect[f], correct[near.Count + i])));
    }
}

using System.Diagnostics;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class PalimpsestProvenanceTests(PaperTests<PalimpsestProvenance>.SmokeRuns runs)
    : PaperTests<PalimpsestProvenance>(runs)
{
    private readonly PaperTests<PalimpsestProvenance>.SmokeRuns _runs = runs;

    private PalimpsestProvenance.Result First => (PalimpsestProvenance.Result)_runs.First.Result;

    [Fact]
    public void AliceRemembersLateDocumentsAndTheOrderIsFair()
    {
        // The precondition's direction at smoke: Alice's loss − reference falls with her order, clearly (the full budget's
        // p < 1e-12 needs the full corpus), and her latest documents are the ones she remembers best.
        var r = First;
        Assert.True(r.AliceRho < 0 && r.AlicePValue < 1e-3, $"Alice's own rho is {r.AliceRho} (p = {r.AlicePValue})");
        Assert.Equal(PalimpsestProvenance.TraceBins, r.AliceTraceByDecile.Count);
        Assert.True(r.AliceTraceByDecile[^1] < r.AliceTraceByDecile[0],
            $"Alice's last decile ({r.AliceTraceByDecile[^1]}) is not below her first ({r.AliceTraceByDecile[0]})");
        Assert.True(r.OrderContentP > 1e-4, $"Alice's order correlates with content (p = {r.OrderContentP})");
        Assert.Contains(r.Bobs, b => b.Kind == PalimpsestProvenance.BobKind.Null);
        Assert.Contains(r.Bobs, b => b.Kind == PalimpsestProvenance.BobKind.Derived);
    }

    [Fact]
    public void TheReplayStartsFromAlicesWholeState()
    {
        // A replay of the last phase in the true order from the checkpoint (weights and AdamW state) is Alice again. A
        // replay that restarted its optimizer (zero moments, as the first design did) would land elsewhere, and the
        // reshuffle test would compare Alice with models that differ from her for another reason than the order.
        Assert.True(First.TrueOrderReplayGap < PalimpsestProvenance.ReplayGapTolerance,
            $"the true-order replay differs from Alice by up to {First.TrueOrderReplayGap} nats/token");
    }

    [Fact]
    public void TheControlsEvidenceIsTheQueryTestsRhoBlockByBlock()
    {
        // The derived-against-null control resamples blocks of documents; their mean must be the query test's own rho,
        // else the control would judge another statistic than the one the findings report.
        var r = First;
        Assert.All(r.Bobs, b =>
        {
            Assert.Equal(PalimpsestProvenance.Config.Smoke.QueryBlocks, b.RhoBlocks.Count);
            Assert.Equal(b.Rho, b.RhoBlocks.Average(), 9);
            Assert.Equal(PalimpsestProvenance.TraceBins, b.TraceByDecile.Count);
        });
        Assert.Equal(r.Bobs.Count(b => b.Kind == PalimpsestProvenance.BobKind.Derived), r.DerivedFirst.Count);
        Assert.Equal(r.Bobs.Count(b => b.Kind == PalimpsestProvenance.BobKind.Null), r.NullFirst.Count);
    }

    [Fact]
    public void TheDerivedBobCarriesAlicesOrderAndTheReplaysDiffer()
    {
        // At the smoke budget the derived Bob's loss falls with Alice's order more steeply than the null Bob's. And the
        // reshuffled replays are not Alice: a replay that silently kept her order would score Bob's text exactly as she
        // does (a zero spread, so no z-score) and rank her model last, never first.
        var r = First;
        var derived = r.Bobs.First(b => b.Kind == PalimpsestProvenance.BobKind.Derived);
        var independent = r.Bobs.First(b => b.Kind == PalimpsestProvenance.BobKind.Null);
        Assert.True(derived.Rho < independent.Rho, $"derived rho {derived.Rho} is not below the null's {independent.Rho}");
        Assert.All(r.Bobs.Where(b => b.Kind is PalimpsestProvenance.BobKind.Derived or PalimpsestProvenance.BobKind.Null),
            b => Assert.All(b.Z, z => Assert.True(double.IsFinite(z),
                $"{b.Kind} Bob: the reshuffled replays score its text identically (z = {z})")));
    }

    [Fact]
    public void TextTokensMustIncludeTheClaimsSize()
    {
        var e = Assert.Throws<ArgumentException>(() => new PalimpsestProvenance().Execute(
            PalimpsestProvenance.Config.Smoke with { TextTokens = [128, 512] }, new RunContext(1, Budget.Smoke)));
        Assert.Contains(PalimpsestProvenance.ObservationalTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }
}

/// <summary>The provenance world: pseudo-words, disjoint pools, documents that are their own (no training).</summary>
public sealed class ProvenanceCorpusTests
{
    private static ProvenanceCorpus Full()
    {
        var c = PalimpsestProvenance.Config.Full;
        return new ProvenanceCorpus(c.Templates, c.FirstNames, c.Surnames, c.Cities, c.Jobs, c.Objects);
    }

    [Fact]
    public void WordsAreSpeltFromSyllablesInBase70()
    {
        Assert.Equal("baba", ProvenanceCorpus.Spell(0, 2));
        Assert.Equal("babe", ProvenanceCorpus.Spell(1, 2));    // last digit 1: consonant b, vowel e
        Assert.Equal("beba", ProvenanceCorpus.Spell(70, 2));   // first digit 1
        Assert.Equal("zuzu", ProvenanceCorpus.Spell(4_899, 2)); // 70^2 − 1
        Assert.Equal("da", ProvenanceCorpus.Spell(5, 1));      // digit 5: consonant d, vowel a
    }

    [Fact]
    public void PoolsStartWhereTheEnumerationSaysAndAreDisjoint()
    {
        var world = new ProvenanceCorpus(templates: 3, firstNames: 3, surnames: 3, cities: 2, jobs: 2, objects: 2);
        // Candidate i of a pool is (offset + 7919 i) mod 70^syllables: first names from offset 11, surnames from 23.
        Assert.Equal(["bafe", "poka", "gelu"], world.FirstNames);
        Assert.Equal(["babako", "bepomi", "bogepe"], world.Surnames);
        Assert.Equal(["baniton", "poreton"], world.Cities);
        Assert.Equal(3, world.Templates.Count);
        var full = Full();
        var pools = new[] { full.FirstNames, full.Surnames, full.Cities, full.Jobs, full.Objects };
        Assert.Equal(pools.Sum(p => p.Count), pools.SelectMany(p => p).Distinct().Count());
        Assert.Equal(full.Vocabulary.Count, full.Vocabulary.Distinct().Count());
        Assert.Empty(full.FunctionWords.Intersect(pools.SelectMany(p => p)));
        var c = PalimpsestProvenance.Config.Full;
        Assert.Equal([c.FirstNames, c.Surnames, c.Cities, c.Jobs, c.Objects], pools.Select(p => p.Count));
    }

    [Fact]
    public void DocumentsAreTheirOwnAndFitTheVocabulary()
    {
        var world = Full();
        var tokenizer = new WordTokenizer(world.Vocabulary);
        var rng = new Rng(1);
        var docs = Enumerable.Range(0, 2_000).Select(_ => world.AliceDocument(rng)).ToList();
        Assert.Equal(docs.Count, docs.Distinct().Count());
        var encoded = docs.Select(d => tokenizer.Encode(d)).ToList();
        Assert.All(encoded, e => Assert.InRange(e.Length, 25, 45));
        // Every template is used, and every document names its person by a first name and a surname.
        foreach (var template in world.Templates)
        {
            var fixedWords = template.Split(' ').Where(w => !w.StartsWith('{')).Take(3).ToArray();
            Assert.Contains(docs, d => fixedWords.All(w => d.Split(' ').Contains(w)));
        }
        var surnames = world.Surnames.ToHashSet();
        var firstNames = world.FirstNames.ToHashSet();
        Assert.All(docs, d => Assert.Contains(d.Split(' '), surnames.Contains));
        Assert.All(docs, d => Assert.Contains(d.Split(' '), firstNames.Contains));
        // A full name is almost always a document's own (pairs: 200 × 4,000).
        var names = docs.Select(d => string.Join(" ", d.Split(' ').Where(w => firstNames.Contains(w) || surnames.Contains(w)).Distinct()))
            .ToList();
        Assert.True(names.Distinct().Count() > 0.99 * docs.Count, $"{names.Distinct().Count()} distinct names in {docs.Count}");
        Assert.All(Enumerable.Range(0, 50).Select(_ => world.BobDocument(rng)), d =>
        {
            Assert.StartsWith("report :", d);
            Assert.Equal(3 * 12 + 2, tokenizer.Encode(d).Length); // three 12-word reports, <bos> and <eos>
        });
    }

    [Fact]
    public void TheFullWorldIsDeterministic()
    {
        var world = Full();
        var tokenizer = new WordTokenizer(world.Vocabulary);
        var rng = new Rng(7);
        var docs = Enumerable.Range(0, PalimpsestProvenance.Config.Full.Documents)
            .Select(_ => tokenizer.Encode(world.AliceDocument(rng))).ToList();
        var again = new Rng(7);
        Assert.All(Enumerable.Range(0, 100), i => Assert.Equal(docs[i], tokenizer.Encode(world.AliceDocument(again))));
    }

    [Fact]
    public void ImpossibleSizesAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProvenanceCorpus(0, 10, 10, 10, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProvenanceCorpus(ProvenanceCorpus.AllTemplates.Count + 1, 10, 10, 10, 10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ProvenanceCorpus(1, 5_000, 10, 10, 10, 10)); // > 70^2 / 2
    }
}

/// <summary>The provenance statistics (moved from Core with the paper's world): planted signals, exact nulls.</summary>
public sealed class ProvenanceStatisticsTests
{
    private static TrainingOrder RandomOrder(int n, Rng rng) => TrainingOrder.FromSequence(rng.Permutation(n), n);

    [Fact]
    public void QueryTestDetectsAPlantedPalimpsest()
    {
        var rng = new Rng(1);
        var order = RandomOrder(2_000, rng);
        // Loss falls with position by a small amount, buried in noise ten times larger.
        var loss = order.Positions.Select(p => 2.0 - 0.1 * p / 2_000.0 + 0.3 * rng.NextGaussian()).ToList();
        var r = QueryTest.Run(order, loss, permutationRng: new Rng(2), permutations: 999);
        Assert.True(r.Rho < 0);
        Assert.True(r.PValue < 1e-3, $"p = {r.PValue}");
        Assert.Equal(1.0 / 1000, r.PermutationP, 10); // no permutation beats the planted order
        Assert.Equal(2_000, r.N);
    }

    [Fact]
    public void ReferenceLossRemovesDifficultyNoise()
    {
        var rng = new Rng(3);
        var order = RandomOrder(1_000, rng);
        var difficulty = Enumerable.Range(0, 1_000).Select(_ => 3.0 * rng.NextGaussian()).ToList();
        var bob = order.Positions.Select((p, i) => difficulty[i] - 0.2 * p / 1_000.0 + 0.05 * rng.NextGaussian()).ToList();
        var reference = difficulty.Select(d => d + 0.05 * rng.NextGaussian()).ToList();
        var without = QueryTest.Run(order, bob);
        var with = QueryTest.Run(order, bob, reference);
        Assert.True(with.PValue < 1e-6, $"with reference p = {with.PValue}");
        Assert.True(with.PValue < without.PValue * 1e-3, $"reference did not sharpen the test: {without.PValue} vs {with.PValue}");
    }

    [Fact]
    public void NullPValuesAreUniform()
    {
        var rng = new Rng(4);
        var pValues = new List<double>();
        for (int repeat = 0; repeat < 400; repeat++)
        {
            var order = RandomOrder(200, rng);
            var loss = Enumerable.Range(0, 200).Select(_ => rng.NextGaussian()).ToList();
            pValues.Add(QueryTest.Run(order, loss).PValue);
        }
        // Each decile should hold about 40 of the 400 p-values.
        for (int d = 0; d < 10; d++)
        {
            int count = pValues.Count(p => p >= d / 10.0 && p < (d + 1) / 10.0);
            Assert.InRange(count, 20, 62);
        }
        Assert.InRange(pValues.Count(p => p < 0.05), 8, 34);
    }

    [Fact]
    public void ReshuffleRankIsExact()
    {
        var first = ReshuffleTest.Rank(-1.0, [-1.5, -1.2, -1.1, -2.0]);
        Assert.Equal(0.2, first.RankP, 12);   // ranked first among K + 1 = 5
        Assert.True(first.Z > 0);
        var last = ReshuffleTest.Rank(-3.0, [-1.5, -1.2, -1.1, -2.0]);
        Assert.Equal(1.0, last.RankP, 12);
        var tie = ReshuffleTest.Rank(-1.2, [-1.5, -1.2, -1.1, -2.0]);
        Assert.Equal(0.6, tie.RankP, 12);     // ties count against the true model
        Assert.Throws<ArgumentException>(() => ReshuffleTest.Rank(-1, []));
    }

    [Fact]
    public void PartitionTestCreditsOverlapToTheRightExamples()
    {
        var rng = new Rng(5);
        int n = 300;
        // Every example: a shared 4-token prefix (shared n-grams carry no weight) and 6 example-specific tokens.
        var examples = Enumerable.Range(0, n)
            .Select(i => new[] { 1, 2, 3, 4 }.Concat(Enumerable.Range(0, 6).Select(t => 10 + i * 6 + t)).ToArray()).ToList();
        var order = RandomOrder(n, rng);
        var test = new PartitionTest(examples, order, n: 3);
        // Bob's text copies the examples seen in the last third of training.
        var late = Enumerable.Range(0, n).Where(i => order.Positions[i] >= 2 * n / 3).Select(i => examples[i]).ToList();
        var detected = test.Run(late);
        Assert.True(detected.Rho > 0.5 && detected.PValue < 1e-10, $"rho {detected.Rho}, p {detected.PValue}");
        var unrelated = test.Run([Enumerable.Range(5_000, 30).ToArray()]);
        Assert.Equal(0, unrelated.MatchedNgrams);
        Assert.Equal(1.0, unrelated.PValue);
    }

    [Fact]
    public void OrderCheckFindsPermutationsAndContentLeaks()
    {
        var rng = new Rng(6);
        int n = 1_000;
        var feature = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToList();
        var fair = RandomOrder(n, rng).Check(feature);
        Assert.True(fair.IsPermutation);
        Assert.True(fair.ContentP > 1e-3);
        // An order sorted by content is a permutation, but it leaks content: the check must say so.
        var sorted = Enumerable.Range(0, n).OrderBy(i => feature[i]).ToList();
        var leaky = TrainingOrder.FromSequence(sorted, n).Check(feature);
        Assert.True(leaky.IsPermutation);
        Assert.True(leaky.ContentP < 1e-10);
        var partial = TrainingOrder.FromSequence([0, 1, 1], 3).Check([0.1, 0.2, 0.3]);
        Assert.False(partial.IsPermutation);
    }
}

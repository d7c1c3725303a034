using Palimpsest.Core.ModelProvenance;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Tests.ModelProvenance;

public sealed class ProvenanceTestsTests
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

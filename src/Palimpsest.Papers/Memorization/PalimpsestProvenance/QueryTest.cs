using Palimpsest.Core.Metrics;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Memorization;

/// <summary>The query-setting test on one suspect model ("Bob").</summary>
/// <param name="Rho">Spearman correlation between training position and Bob's (reference-corrected) loss.</param>
/// <param name="PValue">One-sided p-value for rho &lt; 0 (t approximation).</param>
/// <param name="PermutationP">One-sided permutation p-value, when requested (NaN otherwise).</param>
/// <param name="N">Examples used.</param>
public sealed record QueryTestResult(double Rho, double PValue, double PermutationP, int N);

/// <summary>
/// Palimpsestic membership inference in the query setting (Kuditipudi et al. 2025, arXiv:2510.19796): if Bob was derived from Alice,
/// Bob's loss on Alice's training examples still falls with the position at which Alice saw them (later examples are
/// remembered better). The statistic is Spearman's rho between position and Bob's per-example loss minus a reference
/// model's loss; because Alice shuffled at random, its p-value is exact under the null that Bob is independent.
/// </summary>
public static class QueryTest
{
    /// <summary>
    /// Tests whether <paramref name="bobLoss"/> (mean NLL per example, lower = more likely) decreases with
    /// <paramref name="order"/>'s positions. <paramref name="referenceLoss"/>, when given, is subtracted first: it
    /// removes how hard each example is, which is unrelated to the order and only adds noise.
    /// </summary>
    public static QueryTestResult Run(TrainingOrder order, IReadOnlyList<double> bobLoss,
        IReadOnlyList<double>? referenceLoss = null, Rng? permutationRng = null, int permutations = 9_999)
    {
        int n = order.Positions.Count;
        if (bobLoss.Count != n) throw new ArgumentException($"{bobLoss.Count} losses for {n} training examples", nameof(bobLoss));
        if (referenceLoss is not null && referenceLoss.Count != n)
            throw new ArgumentException($"{referenceLoss.Count} reference losses for {n} training examples", nameof(referenceLoss));
        var seen = Enumerable.Range(0, n).Where(i => order.Positions[i] >= 0).ToList();
        var positions = seen.Select(i => (double)order.Positions[i]).ToList();
        var score = seen.Select(i => bobLoss[i] - (referenceLoss?[i] ?? 0.0)).ToList();
        var t = Correlation.Spearman(positions, score, Alternative.Less);
        double permutationP = permutationRng is null ? double.NaN
            : Correlation.SpearmanPermutation(positions, score, permutationRng, permutations, Alternative.Less).PValue;
        return new QueryTestResult(t.Coefficient, t.PValue, permutationP, seen.Count);
    }
}

using Palimpsest.Core.Metrics;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Alice's training record: the position at which each example was seen. The provenance tests' p-values are valid
/// only because this order was drawn uniformly at random and independently of content; <see cref="Check"/> tests both.
/// </summary>
public sealed record TrainingOrder(IReadOnlyList<int> Positions)
{
    /// <summary>Positions from an explicit order: <c>order[k]</c> is the example seen at position k.</summary>
    public static TrainingOrder FromSequence(IReadOnlyList<int> order, int exampleCount)
    {
        var positions = Enumerable.Repeat(-1, exampleCount).ToArray();
        for (int k = 0; k < order.Count; k++)
        {
            int i = order[k];
            if (i < 0 || i >= exampleCount)
                throw new ArgumentException($"order holds example {i}; allowed 0..{exampleCount - 1}", nameof(order));
            if (positions[i] < 0) positions[i] = k;
        }
        return new TrainingOrder(positions);
    }

    /// <summary>
    /// Checks the order: every example seen exactly once (a permutation), and positions uncorrelated with a content
    /// feature (Spearman, two-sided).
    /// </summary>
    /// <param name="contentFeature">One number per example that depends on its content (e.g. a hash or its length).</param>
    public OrderCheck Check(IReadOnlyList<double> contentFeature)
    {
        int n = Positions.Count;
        if (contentFeature.Count != n)
            throw new ArgumentException($"{contentFeature.Count} content values for {n} examples", nameof(contentFeature));
        bool isPermutation = Positions.Order().SequenceEqual(Enumerable.Range(0, n));
        var independence = Correlation.Spearman(Positions.Select(p => (double)p).ToList(), contentFeature);
        return new OrderCheck(isPermutation, independence.Coefficient, independence.PValue);
    }
}

/// <summary>The result of <see cref="TrainingOrder.Check"/>.</summary>
/// <param name="IsPermutation">Every example seen exactly once.</param>
/// <param name="ContentRho">Spearman correlation of position with the content feature (≈ 0 for a valid order).</param>
/// <param name="ContentP">Its two-sided p-value (uniform under a valid order; tiny means the order leaks content).</param>
public sealed record OrderCheck(bool IsPermutation, double ContentRho, double ContentP);

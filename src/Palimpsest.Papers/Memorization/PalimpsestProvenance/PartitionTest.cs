using Palimpsest.Core.Metrics;

namespace Palimpsest.Papers.Memorization;

/// <summary>The observational partition test on one text sample of Bob's.</summary>
/// <param name="Rho">Spearman correlation between training position and the n-gram overlap credited to each example.</param>
/// <param name="PValue">One-sided p-value for rho &gt; 0 (later examples overlap more).</param>
/// <param name="MatchedNgrams">How many of Bob's n-grams occur in Alice's training data.</param>
public sealed record PartitionTestResult(double Rho, double PValue, int MatchedNgrams);

/// <summary>
/// Palimpsestic membership inference from Bob's text alone, by overlap (Kuditipudi et al. 2025, the partition
/// approach): credit each of Bob's n-grams to the training examples that contain it (1/count each, so n-grams every
/// example shares carry no weight) and correlate the credit with the examples' training positions.
/// </summary>
public sealed class PartitionTest
{
    private readonly Dictionary<string, List<int>> _index = [];
    private readonly int _n;
    private readonly TrainingOrder _order;

    /// <summary>Indexes the n-grams of Alice's training examples (token ids).</summary>
    public PartitionTest(IReadOnlyList<int[]> trainingExamples, TrainingOrder order, int n = 6)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "must be at least 1");
        if (trainingExamples.Count != order.Positions.Count)
            throw new ArgumentException($"{trainingExamples.Count} examples but {order.Positions.Count} positions");
        _n = n;
        _order = order;
        for (int e = 0; e < trainingExamples.Count; e++)
            foreach (var key in Ngrams(trainingExamples[e]).Distinct())
            {
                if (!_index.TryGetValue(key, out var docs)) _index[key] = docs = [];
                docs.Add(e);
            }
    }

    /// <summary>Tests Bob's text (token ids; several samples concatenated or kept apart).</summary>
    public PartitionTestResult Run(IReadOnlyList<int[]> bobTexts)
    {
        var credit = new double[_order.Positions.Count];
        int matched = 0;
        foreach (var text in bobTexts)
            foreach (var key in Ngrams(text))
                if (_index.TryGetValue(key, out var docs))
                {
                    matched++;
                    foreach (int d in docs) credit[d] += 1.0 / docs.Count;
                }
        var seen = Enumerable.Range(0, credit.Length).Where(i => _order.Positions[i] >= 0).ToList();
        if (credit.All(c => c == 0)) return new PartitionTestResult(double.NaN, 1.0, 0);
        var r = Correlation.Spearman(seen.Select(i => (double)_order.Positions[i]).ToList(),
            seen.Select(i => credit[i]).ToList(), Alternative.Greater);
        return new PartitionTestResult(r.Coefficient, double.IsNaN(r.PValue) ? 1.0 : r.PValue, matched);
    }

    private IEnumerable<string> Ngrams(int[] tokens)
    {
        for (int i = 0; i + _n <= tokens.Length; i++)
            yield return string.Join(',', tokens.Skip(i).Take(_n));
    }
}

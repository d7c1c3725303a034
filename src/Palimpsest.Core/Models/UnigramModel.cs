namespace Palimpsest.Core.Models;

/// <summary>
/// The simplest language model: each token's frequency in the training sequences, add-one smoothed over the
/// vocabulary. The baseline a trained transformer must beat to show that it uses context at all.
/// </summary>
public sealed class UnigramModel
{
    private readonly double[] _logProbs;

    /// <summary>Counts the predicted tokens (positions 1..n-1) of <paramref name="sequences"/>.</summary>
    public UnigramModel(IEnumerable<int[]> sequences, int vocabSize, IReadOnlyCollection<int>? neverPredicted = null)
    {
        if (vocabSize < 1) throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "must be positive");
        var counts = new double[vocabSize];
        foreach (var s in sequences)
            for (int t = 1; t < s.Length; t++)
            {
                if (s[t] < 0 || s[t] >= vocabSize)
                    throw new ArgumentOutOfRangeException(nameof(sequences), s[t], $"token id outside 0..{vocabSize - 1}");
                counts[s[t]]++;
            }
        var support = Enumerable.Range(0, vocabSize).Where(i => neverPredicted is null || !neverPredicted.Contains(i)).ToList();
        double total = support.Sum(i => counts[i] + 1);
        _logProbs = Enumerable.Repeat(double.NegativeInfinity, vocabSize).ToArray();
        foreach (int i in support) _logProbs[i] = Math.Log((counts[i] + 1) / total);
    }

    /// <summary>log p(token), in nats.</summary>
    public double LogProb(int token) => _logProbs[token];

    /// <summary>Each sequence's mean negative log-likelihood per predicted token (nats/token; NaN below two tokens).</summary>
    public double[] SequenceNll(IReadOnlyList<int[]> sequences) =>
        sequences.Select(s => s.Length < 2 ? double.NaN : -s.Skip(1).Average(t => _logProbs[t])).ToArray();

    /// <summary>Mean negative log-likelihood per predicted token (nats/token).</summary>
    public double MeanNll(IReadOnlyList<int[]> sequences)
    {
        double total = 0;
        long count = 0;
        foreach (var s in sequences)
            for (int t = 1; t < s.Length; t++)
            {
                total -= _logProbs[s[t]];
                count++;
            }
        return count == 0 ? double.NaN : total / count;
    }
}

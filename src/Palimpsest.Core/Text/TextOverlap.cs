namespace Palimpsest.Core.Text;

/// <summary>
/// Token-level overlap between two token-id sequences: longest common subsequence, ROUGE-L F1 and Levenshtein
/// edit distance (e.g. how much of a memorised continuation a model reproduces). Quadratic time, linear memory.
/// </summary>
public static class TextOverlap
{
    /// <summary>Length of the longest common subsequence (tokens in the same order, not necessarily adjacent).</summary>
    /// <param name="a">First sequence of token ids.</param>
    /// <param name="b">Second sequence of token ids.</param>
    /// <returns>In [0, min(|a|, |b|)]; 0 when either is empty.</returns>
    public static int LongestCommonSubsequence(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int i = 1; i <= a.Count; i++)
        {
            for (int j = 1; j <= b.Count; j++)
                current[j] = a[i - 1] == b[j - 1]
                    ? previous[j - 1] + 1
                    : Math.Max(previous[j], current[j - 1]);
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }

    /// <summary>
    /// ROUGE-L F1: precision P = LCS / |candidate|, recall R = LCS / |reference|, F1 = 2PR / (P + R).
    /// Higher is more overlap; unitless, in [0, 1]; 0 when either sequence is empty or the LCS is 0.
    /// </summary>
    /// <param name="candidate">The generated sequence of token ids.</param>
    /// <param name="reference">The reference sequence of token ids.</param>
    public static double RougeL(IReadOnlyList<int> candidate, IReadOnlyList<int> reference)
    {
        int lcs = LongestCommonSubsequence(candidate, reference);
        if (lcs == 0) return 0.0;
        double precision = (double)lcs / candidate.Count;
        double recall = (double)lcs / reference.Count;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>
    /// Levenshtein distance over tokens: the fewest insertions, deletions and substitutions (each costing 1) that turn
    /// <paramref name="a"/> into <paramref name="b"/>. Lower is closer; 0 means equal; at most max(|a|, |b|).
    /// </summary>
    /// <param name="a">First sequence of token ids.</param>
    /// <param name="b">Second sequence of token ids.</param>
    public static int EditDistance(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (int j = 0; j <= b.Count; j++) previous[j] = j; // from the empty prefix of a: j insertions
        for (int i = 1; i <= a.Count; i++)
        {
            current[0] = i; // to the empty prefix of b: i deletions
            for (int j = 1; j <= b.Count; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Count];
    }

    /// <summary>
    /// <see cref="EditDistance"/> divided by max(|a|, |b|): lower is closer, in [0, 1]; 0 when both are empty.
    /// </summary>
    /// <param name="a">First sequence of token ids.</param>
    /// <param name="b">Second sequence of token ids.</param>
    public static double NormalizedEditDistance(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        int distance = EditDistance(a, b);
        int longer = Math.Max(a.Count, b.Count);
        return longer == 0 ? 0.0 : (double)distance / longer;
    }
}

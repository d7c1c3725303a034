namespace Palimpsest.Core.Text;

/// <summary>
/// An exact set of all token n-grams (contiguous windows of n token ids) of a corpus, for contamination detection by
/// n-gram overlap: an evaluation sequence that shares n-grams with the training corpus may have been seen in training.
/// N-grams are stored whole and compared element by element, so there are no hash-collision false positives.
/// </summary>
public sealed class NGramIndex
{
    private readonly HashSet<int[]> grams = new(new GramComparer());

    /// <summary>Indexes every n-gram of every document; documents shorter than <paramref name="n"/> add nothing.</summary>
    /// <param name="corpus">Documents as sequences of token ids; n-grams do not span document boundaries.</param>
    /// <param name="n">Window length in tokens, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1.</exception>
    public NGramIndex(IEnumerable<IReadOnlyList<int>> corpus, int n)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (n < 1)
            throw new ArgumentOutOfRangeException(nameof(n), n, "must be at least 1");
        N = n;
        int index = 0;
        foreach (var document in corpus)
        {
            if (document is null)
                throw new ArgumentNullException(nameof(corpus), $"document {index} of {nameof(corpus)} is null");
            for (int start = 0; start + n <= document.Count; start++)
                grams.Add(Window(document, start, new int[n]));
            index++;
        }
    }

    /// <summary>The n-gram length in tokens.</summary>
    public int N { get; }

    /// <summary>Number of distinct n-grams in the index.</summary>
    public int Count => grams.Count;

    /// <summary>True when <paramref name="gram"/> occurs in the corpus.</summary>
    /// <param name="gram">Exactly <see cref="N"/> token ids.</param>
    /// <exception cref="ArgumentException"><paramref name="gram"/> does not have <see cref="N"/> tokens.</exception>
    public bool Contains(IReadOnlyList<int> gram)
    {
        ArgumentNullException.ThrowIfNull(gram);
        if (gram.Count != N)
            throw new ArgumentException($"{nameof(gram)} has {gram.Count} tokens; this index holds {N}-grams", nameof(gram));
        return grams.Contains(Window(gram, 0, new int[N]));
    }

    /// <summary>
    /// Share of the sequence's |sequence| - N + 1 sliding-window n-grams (counted per position, so a repeated n-gram
    /// counts each time) that occur in the index. Higher means more overlap; in [0, 1]; 0 when the sequence is
    /// shorter than <see cref="N"/>.
    /// </summary>
    /// <param name="sequence">Token ids of the sequence to check.</param>
    public double Coverage(IReadOnlyList<int> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        int windows = sequence.Count - N + 1;
        if (windows <= 0) return 0.0;
        var buffer = new int[N];
        int found = 0;
        for (int start = 0; start < windows; start++)
            if (grams.Contains(Window(sequence, start, buffer))) found++;
        return (double)found / windows;
    }

    /// <summary>
    /// True when at least one n-gram of the sequence occurs in the index (the usual "n-gram contamination" flag);
    /// false for sequences shorter than <see cref="N"/>.
    /// </summary>
    /// <param name="sequence">Token ids of the sequence to check.</param>
    public bool Overlaps(IReadOnlyList<int> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        var buffer = new int[N];
        for (int start = 0; start + N <= sequence.Count; start++)
            if (grams.Contains(Window(sequence, start, buffer))) return true;
        return false;
    }

    /// <summary>Copies tokens [start, start + buffer.Length) of <paramref name="tokens"/> into <paramref name="buffer"/>.</summary>
    private static int[] Window(IReadOnlyList<int> tokens, int start, int[] buffer)
    {
        for (int k = 0; k < buffer.Length; k++) buffer[k] = tokens[start + k];
        return buffer;
    }

    /// <summary>Value equality on n-grams: equal when all tokens are equal; the hash only picks a bucket.</summary>
    private sealed class GramComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) =>
            ReferenceEquals(x, y) || (x is not null && y is not null && x.AsSpan().SequenceEqual(y));

        public int GetHashCode(int[] gram)
        {
            var hash = new HashCode();
            foreach (int token in gram) hash.Add(token);
            return hash.ToHashCode();
        }
    }
}

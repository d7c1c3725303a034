using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Text;

/// <summary>Packs short documents into training sequences, so a model also sees documents in each other's context.</summary>
public static class Packing
{
    /// <summary>
    /// Shuffles <paramref name="documents"/> (token ids without &lt;bos&gt;/&lt;eos&gt;) and packs whole documents into
    /// sequences of at most <paramref name="contextLength"/> + 1 tokens, each starting with <paramref name="bos"/>.
    /// Every document lands in exactly one sequence per call; a document longer than the context throws.
    /// </summary>
    public static List<int[]> Pack(IReadOnlyList<int[]> documents, int contextLength, Rng rng, int bos) =>
        PackInOrder(rng.Permutation(documents.Count).Select(i => documents[i]).ToList(), contextLength, bos);

    /// <summary>
    /// Packs documents in the given order (no shuffle), for experiments that control when each document is seen; train
    /// on the result with a fixed order to keep it.
    /// </summary>
    public static List<int[]> PackInOrder(IReadOnlyList<int[]> documents, int contextLength, int bos)
    {
        var sequences = new List<int[]>();
        var current = new List<int> { bos };
        for (int d = 0; d < documents.Count; d++)
        {
            var doc = documents[d];
            if (doc.Length + 1 > contextLength + 1)
                throw new ArgumentException($"document {d} has {doc.Length} tokens; the context holds {contextLength}");
            if (current.Count + doc.Length > contextLength + 1)
            {
                sequences.Add(current.ToArray());
                current = [bos];
            }
            current.AddRange(doc);
        }
        if (current.Count > 1) sequences.Add(current.ToArray());
        return sequences;
    }
}

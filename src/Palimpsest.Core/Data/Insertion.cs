using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Data;

/// <summary>A document to insert into a training stream, and how many copies.</summary>
/// <param name="Tokens">The document's tokens.</param>
/// <param name="Copies">Copies to insert (0 = held out: the document is a non-member).</param>
public sealed record Insert(int[] Tokens, int Copies);

/// <summary>
/// Inserts documents into a background stream at a controlled duplication and time window, as contamination and
/// memorization studies do (Hubble's perturbed corpora, contaminated benchmark partitions).
/// </summary>
public static class Insertion
{
    /// <summary>
    /// Returns the background documents in their given order with every copy of every insert placed at an independent
    /// uniformly random position inside [<paramref name="start"/>, <paramref name="end"/>) of the stream (fractions of
    /// the background). Pack the result with <see cref="Text.Packing.PackInOrder"/> and train in that order to keep
    /// the timing.
    /// </summary>
    public static List<int[]> Interleave(IReadOnlyList<int[]> background, IReadOnlyList<Insert> inserts, Rng rng,
        double start = 0, double end = 1)
    {
        if (!(start >= 0 && start < end && end <= 1))
            throw new ArgumentException($"the window [{start}, {end}) must satisfy 0 <= start < end <= 1");
        if (inserts.FirstOrDefault(i => i.Copies < 0) is { } bad)
            throw new ArgumentException($"an insert has {bad.Copies} copies; copies must be non-negative");
        var slots = new List<(double Position, int Order, int[] Tokens)>();
        foreach (var insert in inserts)
            for (int c = 0; c < insert.Copies; c++)
                slots.Add((background.Count * (start + (end - start) * rng.NextDouble()), slots.Count, insert.Tokens));
        slots.Sort((a, b) => a.Position != b.Position ? a.Position.CompareTo(b.Position) : a.Order.CompareTo(b.Order));
        var stream = new List<int[]>(background.Count + slots.Count);
        int next = 0;
        for (int i = 0; i < background.Count; i++)
        {
            while (next < slots.Count && slots[next].Position < i) stream.Add(slots[next++].Tokens);
            stream.Add(background[i]);
        }
        while (next < slots.Count) stream.Add(slots[next++].Tokens);
        return stream;
    }
}

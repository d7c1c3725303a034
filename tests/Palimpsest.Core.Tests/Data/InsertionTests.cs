using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Xunit;

namespace Palimpsest.Core.Tests.Data;

public class InsertionTests
{
    private static readonly List<int[]> Background = Enumerable.Range(0, 1000).Select(i => new[] { 10 + i % 7 }).ToList();

    [Fact]
    public void EveryCopyIsInsertedAndTheBackgroundKeepsItsOrder()
    {
        var inserts = new[] { new Insert([1], 3), new Insert([2], 0), new Insert([3], 5) };
        var stream = Insertion.Interleave(Background, inserts, new Rng(1));
        Assert.Equal(1008, stream.Count);
        Assert.Equal(3, stream.Count(d => d[0] == 1));
        Assert.Equal(0, stream.Count(d => d[0] == 2));
        Assert.Equal(Background.Select(d => d[0]), stream.Where(d => d[0] >= 10).Select(d => d[0]));
    }

    [Fact]
    public void CopiesLandInsideTheWindow()
    {
        var inserts = Enumerable.Range(0, 50).Select(i => new Insert([1], 2)).ToList();
        var late = Insertion.Interleave(Background, inserts, new Rng(2), 0.75, 1.0);
        var positions = late.Select((d, i) => (d, i)).Where(x => x.d[0] == 1).Select(x => x.i).ToList();
        // A copy at background position p follows at least floor(p) background documents, so its index is >= 750.
        Assert.All(positions, p => Assert.True(p >= 750, $"copy at {p}"));
        var early = Insertion.Interleave(Background, inserts, new Rng(2), 0, 0.25);
        var earlyPositions = early.Select((d, i) => (d, i)).Where(x => x.d[0] == 1).Select(x => x.i).ToList();
        // ... and precedes background document ceil(p) <= 250, with at most 100 copies before it.
        Assert.All(earlyPositions, p => Assert.True(p <= 250 + 100, $"copy at {p}"));
    }

    [Theory]
    [InlineData(0.5, 0.5)]
    [InlineData(-0.1, 0.5)]
    [InlineData(0.2, 1.1)]
    public void BadWindowsAreRejected(double start, double end)
    {
        var e = Assert.Throws<ArgumentException>(() => Insertion.Interleave(Background, [new Insert([1], 1)], new Rng(1), start, end));
        Assert.Contains("window", e.Message);
    }

    [Fact]
    public void PackInOrderKeepsTheOrderAndPackIsAShuffledPackInOrder()
    {
        var docs = Enumerable.Range(0, 30).Select(i => new[] { 10 + i, 10 + i }).ToList();
        var packed = Packing.PackInOrder(docs, 8, 1);
        Assert.All(packed, s => Assert.Equal(1, s[0]));
        Assert.All(packed, s => Assert.True(s.Length <= 9));
        Assert.Equal(docs.SelectMany(d => d), packed.SelectMany(s => s.Skip(1)));
        var order = new Rng(4).Permutation(docs.Count);
        Assert.Equal(Packing.PackInOrder(order.Select(i => docs[i]).ToList(), 8, 1).SelectMany(s => s),
            Packing.Pack(docs, 8, new Rng(4), 1).SelectMany(s => s));
    }
}

using Palimpsest.Core.Randomness;
using Palimpsest.Papers.LlmUnlearning;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class SliceOrdersTests
{
    [Theory]
    // Expected deletions until the first shard has no live order (that deletion included), quoted by the protocol
    // (data/protocols/oocr-memorization-llm-unlearning.md §15, 4000 trials) for a 3 × 4 and a 5 × 6 grid.
    [InlineData(3, 4, 1, 4.0)]
    [InlineData(3, 4, 2, 8.3)]
    [InlineData(3, 4, 3, 11.7)]
    [InlineData(3, 4, 4, 14.4)]
    [InlineData(5, 6, 1, 6.1)]
    [InlineData(5, 6, 6, 38.6)]
    public void SimulatorReproducesTheProtocolsExpectedCapacities(int shards, int slices, int orders, double expected)
    {
        double mean = SliceOrders.MeanDeletionsUntilShardDies(shards, slices, orders, 4_000, new Rng(11));
        Assert.InRange(mean, 0.9 * expected, 1.1 * expected);
    }

    [Fact]
    public void ReplayOnAPartitionAgreesWithTheSimulator()
    {
        var partition = ShardPartition.Random(1_200, 3, 4, new Rng(5));
        foreach (int b in new[] { 1, 4 })
        {
            double replayed = SliceOrders.MeanDeletionsUntilShardDies(partition, SliceOrders.Cyclic(4, b), 2_000, new Rng(6));
            double simulated = SliceOrders.MeanDeletionsUntilShardDies(3, 4, b, 2_000, new Rng(7));
            Assert.InRange(replayed / simulated, 0.9, 1.1);
        }
    }

    [Fact]
    public void CyclicOrdersAreRightRotationsAsInS3tsCode()
    {
        Assert.Equal([[0, 1, 2, 3], [3, 0, 1, 2], [2, 3, 0, 1]], SliceOrders.Cyclic(4, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => SliceOrders.Cyclic(4, 5));
    }

    [Fact]
    public void LayerGroupsGoTopDownWithTheRemainderAtTheBottom()
    {
        Assert.Equal([[3], [2], [1], [0]], SliceOrders.LayerGroups(4, 4));
        Assert.Equal([[3, 2], [1, 0]], SliceOrders.LayerGroups(4, 2));
        Assert.Equal([[4, 3], [2, 1]], SliceOrders.LayerGroups(5, 2)); // layer 0 never gets an adapter
        Assert.Throws<ArgumentException>(() => SliceOrders.LayerGroups(2, 3));
    }

    [Fact]
    public void PartitionIsBalancedCoversEveryPointOnceAndIsDeterministic()
    {
        var partition = ShardPartition.Random(103, 3, 4, new Rng(1));
        var cells = Enumerable.Range(0, 3).SelectMany(s => Enumerable.Range(0, 4).Select(j => partition.Points(s, j))).ToList();
        Assert.Equal(Enumerable.Range(0, 103), cells.SelectMany(c => c).Order());
        Assert.InRange(cells.Max(c => c.Count) - cells.Min(c => c.Count), 0, 1);
        Assert.All(Enumerable.Range(0, 103), p =>
        {
            var (shard, slice) = partition.Locate(p);
            Assert.Contains(p, partition.Points(shard, slice));
        });
        Assert.Equal(partition.ShardPoints(2), ShardPartition.Random(103, 3, 4, new Rng(1)).ShardPoints(2));
        Assert.NotEqual(partition.ShardPoints(2), ShardPartition.Random(103, 3, 4, new Rng(2)).ShardPoints(2));
    }

    [Fact]
    public void ADeletionCutsEveryOrderJustBeforeTheDeletedSlice()
    {
        var state = new LivePrefixes(2, SliceOrders.Cyclic(4, 2));  // orders 0123 and 3012
        state.Delete(0, 2);
        Assert.Equal(2, state.Length(0, 0));                          // 0 1 | 2 3
        Assert.Equal(3, state.Length(0, 1));                          // 3 0 1 | 2
        Assert.Equal((1, 3), state.Best(0));
        Assert.Equal((0, 4), state.Best(1));                          // the other shard is untouched; ties go to order 0
        state.Delete(0, 3);                                           // 3 is order 1's first slice: it dies
        Assert.Equal(0, state.Length(0, 1));
        Assert.True(state.IsAlive(0));
        state.Delete(0, 0);
        Assert.False(state.IsAlive(0));
        Assert.Equal((-1, 0), state.Best(0));
    }
}

using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// A random, balanced split of n training points into shards × slices cells (SISA, Bourtoule et al. 2021; S3T,
/// Chowdhury et al. 2025): cell sizes differ by at most one, and each cell lists its points in ascending order.
/// </summary>
public sealed class ShardPartition
{
    private readonly int[][][] _cells;              // [shard][slice] → points
    private readonly (int Shard, int Slice)[] _where; // point → its cell

    /// <summary>Number of points.</summary>
    public int Count => _where.Length;
    /// <summary>Number of shards.</summary>
    public int Shards => _cells.Length;
    /// <summary>Slices per shard.</summary>
    public int Slices => _cells[0].Length;

    private ShardPartition(int[][][] cells, (int, int)[] where)
    {
        _cells = cells;
        _where = where;
    }

    /// <summary>Deals a random permutation of 0..<paramref name="count"/>-1 over the cells in turn.</summary>
    public static ShardPartition Random(int count, int shards, int slices, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        if (count < shards * slices)
            throw new ArgumentException($"{count} points cannot fill {shards} × {slices} cells; give one per cell", nameof(count));
        var lists = Enumerable.Range(0, shards * slices).Select(_ => new List<int>()).ToArray();
        var permutation = rng.Permutation(count);
        for (int i = 0; i < count; i++) lists[i % lists.Length].Add(permutation[i]);
        var where = new (int, int)[count];
        var cells = new int[shards][][];
        for (int s = 0; s < shards; s++)
        {
            cells[s] = new int[slices][];
            for (int j = 0; j < slices; j++)
            {
                cells[s][j] = lists[s * slices + j].Order().ToArray();
                foreach (int p in cells[s][j]) where[p] = (s, j);
            }
        }
        return new ShardPartition(cells, where);
    }

    /// <summary>The points of one cell, ascending.</summary>
    public IReadOnlyList<int> Points(int shard, int slice) => _cells[shard][slice];

    /// <summary>Every point of a shard, slice by slice.</summary>
    public IReadOnlyList<int> ShardPoints(int shard) => _cells[shard].SelectMany(c => c).ToList();

    /// <summary>The cell that holds <paramref name="point"/>.</summary>
    public (int Shard, int Slice) Locate(int point) => _where[point];
}

/// <summary>
/// The live prefixes of S3T's slice orders after deletions. Every shard trains the same orders (permutations of its
/// slices); a model trained on the first k slices of an order stays exact as long as none of them lost a point. A
/// deletion in slice j cuts every order of that shard to just before j's position; an order whose first slice is hit
/// dies (prefix 0), and a shard whose orders are all dead must be retrained.
/// </summary>
public sealed class LivePrefixes
{
    private readonly int[][] _positions; // [order][slice] → position of the slice in the order
    private readonly int[][] _lengths;   // [shard][order] → live prefix length

    /// <summary>Number of shards.</summary>
    public int Shards => _lengths.Length;
    /// <summary>Slices per shard.</summary>
    public int Slices => _positions[0].Length;
    /// <summary>The orders every shard trains.</summary>
    public IReadOnlyList<int[]> Orders { get; }

    /// <summary>All prefixes start whole (length = slices).</summary>
    public LivePrefixes(int shards, IReadOnlyList<int[]> orders)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        if (orders.Count == 0) throw new ArgumentException("at least one order is needed", nameof(orders));
        int slices = orders[0].Length;
        foreach (var o in orders)
            if (o.Length != slices || !o.Order().SequenceEqual(Enumerable.Range(0, slices)))
                throw new ArgumentException($"order [{string.Join(",", o)}] is not a permutation of 0..{slices - 1}", nameof(orders));
        Orders = orders.Select(o => o.ToArray()).ToList();
        _positions = Orders.Select(o =>
        {
            var pos = new int[slices];
            for (int k = 0; k < slices; k++) pos[o[k]] = k;
            return pos;
        }).ToArray();
        _lengths = Enumerable.Range(0, shards).Select(_ => Enumerable.Repeat(slices, orders.Count).ToArray()).ToArray();
    }

    /// <summary>The live prefix length of one order of one shard (0 = dead).</summary>
    public int Length(int shard, int order) => _lengths[shard][order];

    /// <summary>A point of (shard, slice) was deleted: cut every order of the shard just before that slice.</summary>
    public void Delete(int shard, int slice)
    {
        for (int o = 0; o < Orders.Count; o++)
            _lengths[shard][o] = Math.Min(_lengths[shard][o], _positions[o][slice]);
    }

    /// <summary>True while some order of the shard has a live prefix.</summary>
    public bool IsAlive(int shard) => _lengths[shard].Any(l => l > 0);

    /// <summary>The order with the longest live prefix (the first on ties) and that length; (-1, 0) for a dead shard.</summary>
    public (int Order, int Length) Best(int shard)
    {
        int best = -1, length = 0;
        for (int o = 0; o < Orders.Count; o++)
            if (_lengths[shard][o] > length) (best, length) = (o, _lengths[shard][o]);
        return (best, length);
    }
}

/// <summary>S3T's slice orders and their deletion capacity.</summary>
public static class SliceOrders
{
    /// <summary>
    /// The first <paramref name="count"/> cyclic rotations of 0..slices-1, each to the right by one more place, as in
    /// S3T's code (<c>get_rotations</c>): for 4 slices 0123, 3012, 2301, 1230.
    /// </summary>
    public static int[][] Cyclic(int slices, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slices, 1);
        if (count < 1 || count > slices)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"between 1 and {slices} rotations exist");
        return Enumerable.Range(0, count)
            .Select(k => Enumerable.Range(0, slices).Select(j => (j - k + slices) % slices).ToArray()).ToArray();
    }

    /// <summary>
    /// Which layers train at each position of an order, top-down as S3T's code does: position k trains
    /// layers/slices layers, starting from the top (layer layers-1). With more slices than layers it throws; the
    /// layers/slices remainder at the bottom never gets a trained adapter.
    /// </summary>
    public static int[][] LayerGroups(int layers, int slices)
    {
        if (layers < slices) throw new ArgumentException($"{layers} layers cannot take {slices} slices (at least one layer per slice)");
        int per = layers / slices;
        return Enumerable.Range(0, slices)
            .Select(k => Enumerable.Range(0, per).Select(i => layers - 1 - (k * per + i)).ToArray()).ToArray();
    }

    /// <summary>
    /// Monte-Carlo mean of the number of deletions until the first shard has no live order, that deletion included,
    /// when each deletion hits a uniformly random (shard, slice) and every shard trains the first
    /// <paramref name="orders"/> cyclic rotations.
    /// </summary>
    public static double MeanDeletionsUntilShardDies(int shards, int slices, int orders, int trials, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        var rotations = Cyclic(slices, orders);
        double total = 0;
        for (int t = 0; t < trials; t++)
            total += CountUntilShardDies(new LivePrefixes(shards, rotations), () => (rng.NextInt(shards), rng.NextInt(slices)));
        return total / trials;
    }

    /// <summary>
    /// The same mean for a real partition: each deletion removes a uniformly random point not yet deleted, and every
    /// shard trains <paramref name="orders"/>.
    /// </summary>
    public static double MeanDeletionsUntilShardDies(ShardPartition partition, IReadOnlyList<int[]> orders, int trials, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        var points = Enumerable.Range(0, partition.Count).ToArray();
        double total = 0;
        for (int t = 0; t < trials; t++)
        {
            int next = 0;
            total += CountUntilShardDies(new LivePrefixes(partition.Shards, orders), () =>
            {
                int j = rng.NextInt(next, points.Length);                      // a partial Fisher-Yates shuffle
                (points[next], points[j]) = (points[j], points[next]);
                return partition.Locate(points[next++]);
            });
        }
        return total / trials;
    }

    private static int CountUntilShardDies(LivePrefixes state, Func<(int Shard, int Slice)> next)
    {
        for (int deletions = 1; ; deletions++)
        {
            var (shard, slice) = next();
            state.Delete(shard, slice);
            if (!state.IsAlive(shard)) return deletions;
        }
    }
}

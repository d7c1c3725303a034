using Palimpsest.Core.Experiments;
using Palimpsest.Core.Randomness;
using TorchSharp;
using Config = Palimpsest.Papers.LlmUnlearning.S3tExactUnlearning.Config;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>The shape of one grid of <see cref="S3tExactUnlearning"/>: m shards × L slices, the B values compared
/// (ascending; each B takes the first B cyclic orders) and the depth of the grid's MLP.</summary>
public sealed record S3tGridShape(int Shards, int Slices, int[] Orders, int Layers)
{
    /// <summary>The grid's name in claim ids, seed streams and figure names: "3x4".</summary>
    public string Label => $"{Shards}x{Slices}";
}

/// <summary>What every grid shares: the auxiliary data that pretrains a base, the training and test points of the main
/// task, and the deletion stream (training points, in the order they are deleted).</summary>
public sealed record S3tWorld(MixtureTask.Samples Auxiliary, MixtureTask.Samples Train, MixtureTask.Samples Test, int[] Stream)
{
    /// <summary>Draws the task and its data from the run's "task", "data" and "deletions" streams.</summary>
    public static S3tWorld Draw(Config cfg, RunContext ctx)
    {
        var task = new MixtureTask(cfg.LatentDim, cfg.InputDim, cfg.Classes, cfg.Separation, ctx.Rng("task"));
        var data = ctx.Rng("data");
        var auxiliary = task.Sample(cfg.AuxiliarySamples, auxiliary: true, data);
        var train = task.Sample(cfg.TrainSamples, auxiliary: false, data);
        var test = task.Sample(cfg.TestSamples, auxiliary: false, data);
        return new(auxiliary, train, test, ctx.Rng("deletions").Permutation(train.Count)[..cfg.Deletions]);
    }
}

/// <summary>
/// S3T on one grid, in phases (<see cref="Run"/>): pretrain the grid's base on the auxiliary task and freeze it; train
/// every (shard, order) slice by slice; train the baselines; serve the deletion stream; retrain the serving prefixes
/// from scratch to check exactness; count the deletion capacity. Owns the frozen base. Seed streams are named after the
/// grid, so the grids draw independently.
/// </summary>
public sealed class S3tGrid : IDisposable
{
    private readonly S3tGridShape _grid;
    private readonly Config _cfg;
    private readonly S3tWorld _world;
    private readonly RunContext _ctx;
    private readonly ShardPartition _partition;
    private readonly int[][] _orders;  // the largest B's orders; a smaller B uses the first B of them
    private readonly int[][] _groups;  // position k of an order → its layers, top-down
    private readonly AdapterMlp _base;

    /// <summary>The weights trained at each step of one (shard, order) (group adapters, then head) and, when
    /// evaluated, the test probabilities of each prefix.</summary>
    private sealed record Prefixes(float[][] Weights, float[][] Probs);

    /// <summary>Full LoRA, the head-only control and the untrained reference on the test set, and SISA's shard models.</summary>
    private sealed record Baselines(double[] FullCorrect, double[] HeadOnlyCorrect, float[] Untrained, float[][] Sisa);

    /// <summary>The deletion stream as served: curves, per-point lists at the claim, each shard's best live order
    /// (largest B) after d deletions, and SISA's cost.</summary>
    private sealed record Served(List<double[]> S3tAccuracy, double[] SisaAccuracy, double[] S3tCorrectInitial,
        double[] S3tCorrectAtClaim, double[] SisaCorrectAtClaim, List<(int Order, int Length)[]> Best, long SisaSamples,
        int SisaServed);

    /// <summary>The exactness check: when it ran, what it compared, and how many weights differed.</summary>
    private sealed record Exactness(int After, int Prefixes, int Truncated, int Weights, int Mismatches);

    private S3tGrid(S3tGridShape grid, Config cfg, S3tWorld world, RunContext ctx)
    {
        (_grid, _cfg, _world, _ctx) = (grid, cfg, world, ctx);
        _partition = ShardPartition.Random(world.Train.Count, grid.Shards, grid.Slices, Rng("partition"));
        _orders = SliceOrders.Cyclic(grid.Slices, grid.Orders[^1]);
        _groups = SliceOrders.LayerGroups(grid.Layers, grid.Slices);
        _base = Pretrain();
    }

    /// <summary>Runs every phase on one grid and judges S3T against SISA after <paramref name="claimDeletions"/>.</summary>
    public static S3tGridResult Run(S3tGridShape grid, double expectedCapacity, int claimDeletions, Config cfg,
        S3tWorld world, RunContext ctx)
    {
        using var g = new S3tGrid(grid, cfg, world, ctx);
        var s3t = g.TrainS3t();
        var baselines = g.TrainBaselines();
        var served = g.ServeDeletions(s3t, baselines, claimDeletions);
        var exactness = g.CheckExactness(s3t, served.Best);
        return g.Summarise(s3t, baselines, served, exactness, expectedCapacity, claimDeletions);
    }

    /// <inheritdoc/>
    public void Dispose() => _base.Dispose();

    private Rng Rng(string name) => _ctx.Rng($"{_grid.Label}-{name}");
    private MixtureTask.Samples Test => _world.Test;

    private AdapterMlp NewModel(string name)
    {
        using var init = _ctx.TorchGenerator($"{_grid.Label}-init-{name}");
        return new AdapterMlp(_cfg.InputDim, _cfg.Width, _grid.Layers, _cfg.Classes, _cfg.Rank, _cfg.Alpha, init).to(_ctx.Device);
    }

    /// <summary>The base: the whole MLP trained on the auxiliary task, then frozen; it never sees a deletable point.</summary>
    private AdapterMlp Pretrain()
    {
        var model = NewModel("base");
        try
        {
            foreach (var layer in model.Layers) (layer.Enabled, layer.IsBaseFrozen) = (false, false);
            model.Fit([.. model.Layers.SelectMany(l => l.BaseParameters), .. model.HeadParameters], _world.Auxiliary,
                Enumerable.Range(0, _world.Auxiliary.Count).ToList(), _cfg.PretrainEpochs, _cfg.BatchSize,
                _cfg.PretrainLearningRate, Rng("order-base"), _ctx.Cancellation);
            foreach (var layer in model.Layers) layer.IsBaseFrozen = true;
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The frozen base, fresh adapters (all off) and a fresh head.</summary>
    private AdapterMlp Adapted(string name)
    {
        var model = NewModel(name);
        model.CopyBaseFrom(_base);
        foreach (var layer in model.Layers) layer.Enabled = false;
        return model;
    }

    /// <summary>S3T's step k trains the adapters of layer group k (top-down) and the head on slices σ1..σk of the order,
    /// less the <paramref name="removed"/> points, with the groups of earlier steps switched on and frozen.</summary>
    private Prefixes TrainOrder(int s, int o, IReadOnlySet<int> removed, int steps, bool evaluate)
    {
        using var model = Adapted($"s3t-s{s}-o{o}");
        var seen = new List<int>();
        var (weights, probs) = (new float[steps][], new float[steps][]);
        for (int k = 0; k < steps; k++)
        {
            seen.AddRange(_partition.Points(s, _orders[o][k]).Where(p => !removed.Contains(p))); // cumulative slices
            var group = _groups[k].Select(l => model.Layers[l]).ToList();
            foreach (var layer in group) layer.Enabled = true;
            model.Fit([.. group.SelectMany(l => l.AdapterParameters), .. model.HeadParameters], _world.Train, seen,
                _cfg.Epochs, _cfg.BatchSize, _cfg.LearningRate, Rng($"order-s3t-s{s}-o{o}-k{k}"), _ctx.Cancellation);
            weights[k] = [.. group.Select(l => l.GetAdapter()).SelectMany(w => w.A.Concat(w.B)), .. model.GetHead()];
            if (evaluate) probs[k] = model.Probabilities(Test);
        }
        return new(weights, probs);
    }

    /// <summary>Phase 1: every (shard, order) of the largest B, slice by slice, every prefix evaluated.</summary>
    private Prefixes[,] TrainS3t()
    {
        int m = _grid.Shards, b = _orders.Length;
        var s3t = new Prefixes[m, b];
        for (int s = 0; s < m; s++)
            for (int o = 0; o < b; o++)
            {
                s3t[s, o] = TrainOrder(s, o, new HashSet<int>(), _grid.Slices, evaluate: true);
                _ctx.Report($"s3t {_grid.Label}", s * b + o + 1, m * b);
            }
        _ctx.Progress.Done($"s3t {_grid.Label}");
        return s3t;
    }

    /// <summary>All adapters (or, with <paramref name="adapters"/> false, the head alone) trained at once on
    /// <paramref name="points"/>; returns the test probabilities.</summary>
    private float[] TrainAll(string name, IReadOnlyList<int> points, bool adapters)
    {
        using var model = Adapted(name);
        foreach (var layer in model.Layers) layer.Enabled = adapters;
        var trainable = adapters ? model.Layers.SelectMany(l => l.AdapterParameters).Concat(model.HeadParameters)
            : model.HeadParameters;
        model.Fit(trainable.ToList(), _world.Train, points, _cfg.Epochs, _cfg.BatchSize, _cfg.LearningRate,
            Rng($"order-{name}"), _ctx.Cancellation);
        return model.Probabilities(Test);
    }

    /// <summary>Phase 2: full LoRA, the head-only control, the untrained reference and SISA (one model per shard, all
    /// adapters trained at once).</summary>
    private Baselines TrainBaselines()
    {
        var all = Enumerable.Range(0, _world.Train.Count).ToList();
        var full = Test.Correct([TrainAll("full", all, adapters: true)]);
        var headOnly = Test.Correct([TrainAll("head-only", all, adapters: false)]);
        float[] untrained;
        using (var model = Adapted("control")) untrained = model.Probabilities(Test);
        var sisa = Enumerable.Range(0, _grid.Shards)
            .Select(s => TrainAll($"sisa-s{s}", _partition.ShardPoints(s), adapters: true)).ToArray();
        return new(full, headOnly, untrained, sisa);
    }

    /// <summary>
    /// Phase 3: the deletion stream. S3T cuts live prefixes and serves each shard's best live order (dead shards
    /// abstain; with none left it serves the untrained reference); SISA retrains the affected shard from scratch.
    /// </summary>
    private Served ServeDeletions(Prefixes[,] s3t, Baselines baselines, int claimDeletions)
    {
        int m = _grid.Shards, deletions = _world.Stream.Length;
        var sisa = baselines.Sisa.ToArray();
        var states = _grid.Orders.Select(b => new LivePrefixes(m, _orders[..b])).ToList();
        var s3tAccuracy = _grid.Orders.Select(_ => new double[deletions + 1]).ToList();
        var sisaAccuracy = new double[deletions + 1];
        var best = new List<(int Order, int Length)[]>();
        double[] s3tInitial = [], s3tAtClaim = [], sisaAtClaim = [];
        var removed = new HashSet<int>();
        long sisaSamples = 0;
        int sisaServed = -1;
        for (int d = 0; d <= deletions; d++)
        {
            if (d > 0)
            {
                removed.Add(_world.Stream[d - 1]);
                var (shard, slice) = _partition.Locate(_world.Stream[d - 1]);
                foreach (var state in states) state.Delete(shard, slice);
                var remaining = _partition.ShardPoints(shard).Where(p => !removed.Contains(p)).ToList();
                sisa[shard] = TrainAll($"sisa-s{shard}", remaining, adapters: true);
                sisaSamples += (long)remaining.Count * _cfg.Epochs;
                if (sisaServed < 0) sisaServed = d - 1;
            }
            for (int b = 0; b < states.Count; b++)
            {
                var live = Enumerable.Range(0, m).Select(s => (Shard: s, Best: states[b].Best(s)))
                    .Where(x => x.Best.Length > 0).ToList();
                var correct = live.Count == 0 ? Test.Correct([baselines.Untrained])
                    : Test.Correct(live.Select(x => s3t[x.Shard, x.Best.Order].Probs[x.Best.Length - 1]));
                s3tAccuracy[b][d] = correct.Average();
                if (b == states.Count - 1 && d == 0) s3tInitial = correct;
                if (b == states.Count - 1 && d == claimDeletions) s3tAtClaim = correct;
            }
            var sisaCorrect = Test.Correct(sisa);
            sisaAccuracy[d] = sisaCorrect.Average();
            if (d == claimDeletions) sisaAtClaim = sisaCorrect;
            best.Add(Enumerable.Range(0, m).Select(s => states[^1].Best(s)).ToArray());
            _ctx.Report($"deletions {_grid.Label}", d, deletions);
        }
        _ctx.Progress.Done($"deletions {_grid.Label}");
        return new(s3tAccuracy, sisaAccuracy, s3tInitial, s3tAtClaim, sisaAtClaim, best, sisaSamples,
            sisaServed < 0 ? deletions : sisaServed);
    }

    /// <summary>Phase 4: at the latest state with a live order, retrain each shard's best live prefix from scratch on
    /// the remaining data with the same seeds, and compare every trained weight bit for bit.</summary>
    private Exactness CheckExactness(Prefixes[,] s3t, List<(int Order, int Length)[]> best)
    {
        int checkAt = Enumerable.Range(0, best.Count).Last(d => best[d].Any(x => x.Length > 0));
        var removed = _world.Stream[..checkAt].ToHashSet();
        int prefixes = 0, truncated = 0, compared = 0, mismatches = 0;
        for (int s = 0; s < _grid.Shards; s++)
        {
            var (o, length) = best[checkAt][s];
            if (length == 0) continue;
            var again = TrainOrder(s, o, removed, length, evaluate: false).Weights;
            for (int k = 0; k < length; k++)
            {
                var kept = s3t[s, o].Weights[k];
                compared += again[k].Length;
                mismatches += again[k].Where((w, i) =>
                    BitConverter.SingleToInt32Bits(w) != BitConverter.SingleToInt32Bits(kept[i])).Count();
            }
            (prefixes, truncated) = (prefixes + 1, truncated + (length < _grid.Slices ? 1 : 0));
            _ctx.Report($"exactness {_grid.Label}", s + 1, _grid.Shards);
        }
        _ctx.Progress.Done($"exactness {_grid.Label}");
        return new(checkAt, prefixes, truncated, compared, mismatches);
    }

    /// <summary>Phase 5: the capacity per B, replayed on this partition and simulated, and the grid's result.</summary>
    private S3tGridResult Summarise(Prefixes[,] s3t, Baselines baselines, Served served, Exactness exactness,
        double expectedCapacity, int claimDeletions)
    {
        int m = _grid.Shards, slices = _grid.Slices, deletions = _world.Stream.Length;
        return new S3tGridResult
        {
            Shards = m,
            Slices = slices,
            Layers = _grid.Layers,
            Orders = [.. _grid.Orders],
            ExpectedCapacity = expectedCapacity,
            ClaimDeletions = claimDeletions,
            S3tAccuracy = served.S3tAccuracy,
            SisaAccuracy = served.SisaAccuracy,
            FullAccuracy = baselines.FullCorrect.Average(),
            HeadOnlyAccuracy = baselines.HeadOnlyCorrect.Average(),
            ControlAccuracy = Test.Accuracy([baselines.Untrained]),
            S3tCorrectInitial = served.S3tCorrectInitial,
            S3tCorrectAtClaim = served.S3tCorrectAtClaim,
            SisaCorrectAtClaim = served.SisaCorrectAtClaim,
            FullCorrect = baselines.FullCorrect,
            HeadOnlyCorrect = baselines.HeadOnlyCorrect,
            TruncatedShardsAtClaim = served.Best[claimDeletions].Count(x => x.Length < slices),
            PrefixAccuracy = Enumerable.Range(1, slices)
                .Select(p => Test.Accuracy(Enumerable.Range(0, m).Select(s => s3t[s, 0].Probs[p - 1]))).ToArray(),
            CapacityMeasured = _grid.Orders.Select(b => SliceOrders.MeanDeletionsUntilShardDies(_partition, _orders[..b],
                _cfg.CapacityTrials, Rng($"capacity-b{b}"))).ToArray(),
            CapacitySimulated = _grid.Orders.Select(b => SliceOrders.MeanDeletionsUntilShardDies(m, slices, b,
                _cfg.CapacityTrials, Rng($"simulation-b{b}"))).ToArray(),
            SisaDeletionsBeforeRetraining = served.SisaServed,
            SisaSamplesReprocessed = served.SisaSamples,
            FullSamplesReprocessed = Enumerable.Range(1, deletions).Sum(d => (long)(_world.Train.Count - d) * _cfg.Epochs),
            ExactnessAfterDeletions = exactness.After,
            ExactnessPrefixes = exactness.Prefixes,
            ExactnessTruncated = exactness.Truncated,
            ExactnessWeights = exactness.Weights,
            ExactnessMismatches = exactness.Mismatches,
        };
    }
}

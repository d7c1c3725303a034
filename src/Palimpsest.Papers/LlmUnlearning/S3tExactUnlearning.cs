using Palimpsest.Core.Experiments;
using Palimpsest.Core.Randomness;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// Chowdhury, Choromanski, Sehanobish, Dubey and Chaturvedi 2025, "Towards Scalable Exact Machine Unlearning Using
/// Parameter-Efficient Fine-Tuning" (S3T), ICLR (official code: https://github.com/brcsomnath/S3T).
/// Claim: training each shard's LoRA layers one after another on growing unions of disjoint slices (top layer on the
/// first slice, the next layer down on the first two, …) makes a deletion cheap and exact: switching off the layers
/// trained with the deleted slice leaves a model that never saw it. Training B slice orders per shard lets S3T serve
/// many more deletions than SISA before any retraining, at an accuracy close to SISA's and to full LoRA training.
/// Scaled down: RoBERTa, ViT and Llama become an MLP pretrained on an auxiliary Gaussian-mixture task
/// (<see cref="MixtureTask"/>) and frozen, with a rank-r adapter per layer; GLUE becomes a related 10-class mixture.
/// Two grids split the same training points: the protocol's, and the finer one of the protocol's simulation and of
/// S3T's deletion code (its own base, one layer per slice). Slices map to layers as in S3T's code: position k of an
/// order trains layers / L adapters from the top down, and the classification head is trained at every step.
/// Operating point: S3T is judged against SISA after a fixed share of the grid's expected deletion capacity
/// (<see cref="ClaimDeletions"/>), the same stage of its life on either grid, rather than after a fixed count, which on
/// the protocol's grid lies most of the way to the first retraining.
/// Claim kinds: the findings are the learned part, S3T's accuracy against full LoRA before deletions and against SISA
/// at the stopping rule (per test point, on an interval); the control is the frozen base with a head trained on all
/// the data (it wins if the adapters learn nothing); exactness, the deletion capacity (a replay of the simulator on the
/// real partition) and SISA's zero are true by construction and are sanity checks, shown but never counted.
/// </summary>
public sealed class S3tExactUnlearning : Experiment<S3tExactUnlearning.Config, S3tExactUnlearning.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Shards m of the protocol's grid (protocol: 3).</summary>
        public int Shards { get; init; } = 3;
        /// <summary>Slices L per shard of the protocol's grid (protocol: 4; S3T's code defaults to 6 or 7).</summary>
        public int Slices { get; init; } = 4;
        /// <summary>Slice orders B per shard on the protocol's grid, ascending; each B takes the first B cyclic rotations
        /// (protocol: 1, 2 and 4).</summary>
        public int[] Orders { get; init; } = [1, 2, 4];
        /// <summary>Layers of the protocol grid's MLP, each with an adapter (protocol: 4; paper's code: 12 or 24
        /// transformer layers, layers / L per slice).</summary>
        public int Layers { get; init; } = 4;
        /// <summary>Shards of the finer grid (the protocol's simulation and S3T's deletion code: 5).</summary>
        public int FineShards { get; init; } = 5;
        /// <summary>Slices per shard of the finer grid (the protocol's simulation: 6).</summary>
        public int FineSlices { get; init; } = 6;
        /// <summary>B values of the finer grid, ascending (the protocol's simulation: every B up to L).</summary>
        public int[] FineOrders { get; init; } = [1, 2, 3, 6];
        /// <summary>Layers of the finer grid's MLP (its own base): one per slice, as on the protocol's grid.</summary>
        public int FineLayers { get; init; } = 6;
        /// <summary>Training points of the main task, dealt over each grid's cells (the protocol sets none; enough that
        /// a slice of the finer grid still teaches its adapter, within the budget).</summary>
        public int TrainSamples { get; init; } = 6_000;
        /// <summary>Held-out points of the main task.</summary>
        public int TestSamples { get; init; } = 2_000;
        /// <summary>Points of the auxiliary task the bases are pretrained on (never part of the deletable data).</summary>
        public int AuxiliarySamples { get; init; } = 3_000;
        /// <summary>Latent dimension of the mixtures.</summary>
        public int LatentDim { get; init; } = 8;
        /// <summary>Observed dimension after the nonlinear map.</summary>
        public int InputDim { get; init; } = 16;
        /// <summary>Classes of both tasks.</summary>
        public int Classes { get; init; } = 10;
        /// <summary>Std of the class means in latent units (noise std 1): high Bayes accuracy, but below 1.</summary>
        public double Separation { get; init; } = 1.5;
        /// <summary>Width of the MLPs.</summary>
        public int Width { get; init; } = 64;
        /// <summary>LoRA rank (paper: 16 on RoBERTa-large; a 64-wide layer needs less).</summary>
        public int Rank { get; init; } = 4;
        /// <summary>LoRA α (paper's code: 2 × rank with rsLoRA scaling; we use plain α / r).</summary>
        public double Alpha { get; init; } = 8;
        /// <summary>Epochs of every training run: each S3T step, each SISA shard, the full model (paper's code: 15 to
        /// 30; fewer here, as the training set is larger than the protocol's toy needs for one grid).</summary>
        public int Epochs { get; init; } = 10;
        /// <summary>Epochs of each base's pretraining on the auxiliary task.</summary>
        public int PretrainEpochs { get; init; } = 30;
        /// <summary>Points per step.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Adam learning rate of adapters and head (paper's code: 1e-4 to 2e-4; a tiny model takes more).</summary>
        public double LearningRate { get; init; } = 5e-3;
        /// <summary>Adam learning rate of the bases' pretraining.</summary>
        public double PretrainLearningRate { get; init; } = 3e-3;
        /// <summary>Length of the deletion stream, shared by the grids (protocol: 20); at least each grid's
        /// <see cref="ClaimDeletions"/>.</summary>
        public int Deletions { get; init; } = 20;
        /// <summary>Monte-Carlo deletion streams per B for the measured and simulated capacities (protocol: 4000).</summary>
        public int CapacityTrials { get; init; } = 4_000;

        /// <summary>The protocol's budget, and the finer grid.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: a 2 × 2 and a 2 × 3 grid, one order each, small data, a shorter stream.</summary>
        public static Config Smoke { get; } = Full with
        {
            Shards = 2, Slices = 2, Orders = [1], FineShards = 2, FineSlices = 3, FineOrders = [1], TrainSamples = 400,
            TestSamples = 500, AuxiliarySamples = 1_000, PretrainEpochs = 10, Deletions = 10, CapacityTrials = 500,
        };

        /// <summary>The grids, the protocol's first.</summary>
        public IReadOnlyList<S3tGridShape> Grids() =>
            [new(Shards, Slices, Orders, Layers), new(FineShards, FineSlices, FineOrders, FineLayers)];

        /// <summary>Throws on settings the method cannot run with.</summary>
        public void Validate()
        {
            ConfigCheck.Count(Shards);
            ConfigCheck.Count(Slices);
            ConfigCheck.That(IsAscendingWithin(Orders, Slices), Orders, $"ascending integers in 1..{Slices} (Slices)");
            ConfigCheck.That(Layers >= Slices, Layers, $"an integer >= Slices ({Slices}), one layer group per slice");
            ConfigCheck.Count(FineShards);
            ConfigCheck.Count(FineSlices);
            ConfigCheck.That(IsAscendingWithin(FineOrders, FineSlices), FineOrders,
                $"ascending integers in 1..{FineSlices} (FineSlices)");
            ConfigCheck.That(FineLayers >= FineSlices, FineLayers,
                $"an integer >= FineSlices ({FineSlices}), one layer group per slice");
            ConfigCheck.AtLeast(TrainSamples, Math.Max(Shards * Slices, FineShards * FineSlices));
            ConfigCheck.Count(TestSamples);
            ConfigCheck.Count(AuxiliarySamples);
            ConfigCheck.Count(LatentDim);
            ConfigCheck.AtLeast(InputDim, Math.Max(LatentDim, 1));
            ConfigCheck.AtLeast(Classes, 2);
            ConfigCheck.Positive(Separation);
            ConfigCheck.Count(Width);
            ConfigCheck.Count(Rank);
            ConfigCheck.Positive(Alpha);
            ConfigCheck.Count(Epochs);
            ConfigCheck.Count(PretrainEpochs);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Positive(PretrainLearningRate);
            ConfigCheck.Count(CapacityTrials);
            ConfigCheck.Between(Deletions, Grids().Max(ClaimDeletions), TrainSamples);
        }

        private static bool IsAscendingWithin(int[] orders, int slices) =>
            orders.Length > 0 && orders[0] >= 1 && orders[^1] <= slices && orders.Zip(orders.Skip(1)).All(p => p.First < p.Second);
    }

    /// <summary>The stopping rule of the near-SISA findings, fixed before the run: S3T is judged after this share (in
    /// percent) of a grid's expected deletion capacity at its largest B.</summary>
    public const int ClaimCapacityPercent = 25;

    private const int ExpectedCapacityTrials = 10_000;
    private const ulong ExpectedCapacitySeed = 15;

    /// <summary>
    /// Expected deletions until the first shard of <paramref name="grid"/> has no live order at its largest B (that
    /// deletion included, as in the protocol's simulation), from the simulator with a fixed stream: a property of the
    /// grid, the same on every seed and budget.
    /// </summary>
    public static double ExpectedCapacity(S3tGridShape grid) => SliceOrders.MeanDeletionsUntilShardDies(grid.Shards,
        grid.Slices, grid.Orders[^1], ExpectedCapacityTrials, new Rng(ExpectedCapacitySeed));

    /// <summary>Deletions after which S3T is judged against SISA on <paramref name="grid"/>:
    /// <see cref="ClaimCapacityPercent"/>% of its <see cref="ExpectedCapacity"/>, rounded, at least one.</summary>
    public static int ClaimDeletions(S3tGridShape grid) =>
        Math.Max(1, (int)Math.Round(ClaimCapacityPercent / 100.0 * ExpectedCapacity(grid), MidpointRounding.AwayFromZero));

    /// <summary>What a run measured: one result per grid, the protocol's first.</summary>
    public sealed record Result
    {
        /// <summary>Per grid, in the order of <see cref="Config.Grids"/>.</summary>
        public required IReadOnlyList<S3tGridResult> Grids { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("s3t-exact-unlearning", "llm-unlearning",
        "Towards Scalable Exact Machine Unlearning Using Parameter-Efficient Fine-Tuning", 2025, "https://arxiv.org/abs/2406.16257");

    /// <summary>The project's level for "the skill is learnt" (the protocol sets none).</summary>
    private const double LearntAccuracy = 0.8;
    /// <summary>The protocol's margin: S3T at most this far below SISA after the deletions.</summary>
    private const double SisaMargin = 0.02;
    /// <summary>The protocol's margin: S3T at most this far below full LoRA before any deletion.</summary>
    private const double FullMargin = 0.05;

    private static string Name(S3tGridShape g) => $"{g.Shards} × {g.Slices}";

    // Without it S3T, SISA and full LoRA could all sit near chance, and "within a few points" would be empty. The task's
    // Bayes accuracy is high but below 1.
    private static Claim<Result> FullLoraLearns(int i, S3tGridShape g) => Claim.Precondition<Result>(
        $"full-lora-learns-{g.Label}",
        $"The task is learnt on the {Name(g)} grid's base: LoRA trained on all the data at once reaches " +
        $"{LearntAccuracy * 100:0}% test accuracy",
        r => r.Grids[i].FullAccuracy, Comparison.AtLeast, LearntAccuracy, Budget.Full, "accuracy");

    // The deletions must reach what S3T serves before "S3T after the deletions" says anything (protocol: the accuracy of
    // truncated adapter stacks is the real test).
    private static Claim<Result> DeletionsCutPrefixes(int i, S3tGridShape g) => Claim.Precondition<Result>(
        $"deletions-cut-prefixes-{g.Label}",
        $"The deletions reach S3T on the {Name(g)} grid: when S3T is judged against SISA, at least one shard (largest B) " +
        "serves a shortened prefix",
        r => r.Grids[i].TruncatedShardsAtClaim, Comparison.AtLeast, 1, Budget.Full, "shards");

    // Protocol claim (3), S3T ≥ SISA − 2 points with zero retraining, judged at the fixed share of the grid's expected
    // capacity instead of the protocol's 10 deletions (most of the way to the first retraining on the 3 × 4 grid).
    private static Claim<Result> NearSisa(int i, S3tGridShape g) => Claim.Finding<Result>(
        $"near-sisa-{g.Label}",
        $"After {ClaimCapacityPercent}% of the {Name(g)} grid's expected deletion capacity at B = {g.Orders[^1]} " +
        $"({ClaimDeletions(g)} deletions), S3T (no retraining) is at most {SisaMargin * 100:0} points below SISA " +
        "(retrained after each deletion), on the same test points",
        r => Evidence.Paired(r.Grids[i].S3tCorrectAtClaim, r.Grids[i].SisaCorrectAtClaim), Comparison.AtLeast, -SisaMargin,
        Budget.Full, "accuracy (per test point)", dependsOn: [$"full-lora-learns-{g.Label}", $"deletions-cut-prefixes-{g.Label}"]);

    private static readonly S3tGridShape P = Config.Full.Grids()[0], F = Config.Full.Grids()[1];

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        FullLoraLearns(0, P),
        FullLoraLearns(1, F),
        DeletionsCutPrefixes(0, P),
        DeletionsCutPrefixes(1, F),
        Claim.Control<Result>("beats-head-only",
            $"The adapters learn: before any deletion S3T (largest B, {Name(P)} grid) is right on more test points than the " +
            "frozen base with a head trained on all the data and no adapters (the control wins if the adapters add nothing)",
            r => Evidence.Paired(r.Grids[0].S3tCorrectInitial, r.Grids[0].HeadOnlyCorrect), Comparison.Greater, 0,
            Budget.Full, "accuracy (per test point)"),
        NearSisa(0, P),
        NearSisa(1, F),
        // Protocol claim (3): initial S3T accuracy within 5 points of full-data LoRA.
        Claim.Finding<Result>("near-full-initially",
            $"Before any deletion S3T (largest B, {Name(P)} grid) is within {FullMargin * 100:0} points of LoRA trained " +
            "on all the data at once, on the same test points",
            r => Evidence.Paired(r.Grids[0].S3tCorrectInitial, r.Grids[0].FullCorrect), Comparison.AtLeast, -FullMargin,
            Budget.Full, "accuracy (per test point)", dependsOn: [$"full-lora-learns-{P.Label}"]),
        // Sanity: true by construction. An untrained head scores near chance, so beating it only shows training ran.
        Claim.Sanity<Result>("trains-above-untrained",
            $"S3T trained something: before any deletion ({Name(P)} grid) it is more than 20 points above the frozen base " +
            "with untrained adapters and head",
            r => r.Grids[0].S3tAccuracyInitial - r.Grids[0].ControlAccuracy, Comparison.Greater, 0.2, Budget.Smoke, "accuracy"),
        // Protocol claim (1). Deterministic retraining on CPU reproduces the same floats: it checks the bookkeeping.
        Claim.Sanity<Result>("exact-unlearning",
            "On every grid, retraining each shard's live prefix from scratch with the same seeds and data order gives " +
            "bit-identical weights (NaN if a grid had none live)",
            r => r.Grids.All(g => g.ExactnessPrefixes > 0) ? r.Grids.Sum(g => g.ExactnessMismatches) : double.NaN,
            Comparison.AtMost, 0, Budget.Smoke, "differing weights"),
        // Protocol claim (2), SISA = 0: SISA retrains on every deletion by definition.
        Claim.Sanity<Result>("sisa-serves-none",
            "SISA serves no deletion without retraining on any grid: its first deletion already retrains a shard",
            r => r.Grids.Max(g => g.SisaDeletionsBeforeRetraining), Comparison.AtMost, 0, Budget.Smoke, "deletions"),
        // Protocol claim (2): the replay and the simulation count the same combinatorics (the protocol warns it
        // reproduces by construction).
        Claim.Sanity<Result>("capacity-matches-simulation",
            "Deletions served before the first retraining match the combinatorial simulation within ±20% for every B " +
            "on every grid",
            r => r.Grids.Max(g => g.CapacityMeasured.Zip(g.CapacitySimulated, (m, s) => Math.Abs(m / s - 1)).Max()),
            Comparison.AtMost, 0.2, Budget.Full, "relative error"),
        Claim.Sanity<Result>("capacity-grows-with-b",
            "Deletions served before the first retraining increase with B on every grid (smallest increase between " +
            "consecutive B)",
            r => r.Grids.Where(g => g.Orders.Length > 1).Select(g => g.CapacityMeasured.Zip(g.CapacityMeasured.Skip(1),
                (a, b) => b - a).Min()).DefaultIfEmpty(double.NaN).Min(),
            Comparison.Greater, 0, Budget.Full, "deletions"),
        Claim.Sanity<Result>("b4-triples-b1",
            $"With B = 4 orders S3T serves at least 3× as many deletions before retraining as with B = 1 ({Name(P)} grid)",
            r => r.Grids[0].CapacityMeasured[^1] / r.Grids[0].CapacityMeasured[0], Comparison.AtLeast, 3, Budget.Full,
            "ratio"),
    ];

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = S3tWorld.Draw(cfg, ctx); // one task, its data and one deletion stream, shared by the grids
        var grids = cfg.Grids().Select(g => S3tGrid.Run(g, ExpectedCapacity(g), ClaimDeletions(g), cfg, world, ctx));
        return new Result { Grids = [.. grids] };
    }

    /// <inheritdoc/>
    /// <remarks>Named by grid role, the same at every budget: no suffix for the protocol's grid, "-fine" for the finer.</remarks>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
    [
        ("accuracy-vs-deletions", S3tFigures.AccuracyVsDeletions(results, 0)),
        ("accuracy-vs-deletions-fine", S3tFigures.AccuracyVsDeletions(results, 1)),
        ("capacity-vs-b", S3tFigures.CapacityVsB(results)),
        ("accuracy-vs-prefix", S3tFigures.AccuracyVsPrefix(results, 0)),
        ("accuracy-vs-prefix-fine", S3tFigures.AccuracyVsPrefix(results, 1)),
    ];
}

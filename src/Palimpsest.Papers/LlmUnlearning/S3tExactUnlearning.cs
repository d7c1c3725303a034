using Palimpsest.Core.Experiments;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// Chowdhury, Choromanski, Sehanobish, Dubey and Chaturvedi 2025, "Towards Scalable Exact Machine Unlearning Using
/// Parameter-Efficient Fine-Tuning" (S3T), ICLR (official code: https://github.com/brcsomnath/S3T).
/// Claim: training each shard's LoRA layers one after another on growing unions of disjoint slices (top layer on the
/// first slice, the next layer down on the first two, …) makes a deletion cheap and exact: switching off the layers
/// trained with the deleted slice leaves a model that never saw it. Training B slice orders per shard lets S3T serve
/// many more deletions than SISA before any retraining, at an accuracy close to SISA's and to full LoRA training.
/// Scaled down: RoBERTa, ViT and Llama become a 4-layer MLP pretrained on an auxiliary Gaussian-mixture task
/// (<see cref="MixtureTask"/>) and frozen, with a rank-4 adapter per layer; GLUE becomes a related 10-class mixture.
/// Slices map to layers as in S3T's code: position k of an order trains layers / L adapters from the top down (one
/// layer per slice at L = 4, two at smoke's L = 2), and the classification head is trained at every step.
/// Claim kinds: the findings are the learned part, S3T's accuracy against full LoRA before deletions and against SISA
/// after them (per test point, on an interval); the control is the frozen base with a head trained on all the data
/// (it wins if the adapters learn nothing); exactness, the deletion capacity (a replay of the simulator on the real
/// partition) and SISA's zero are true by construction and are sanity checks, shown but never counted.
/// </summary>
public sealed class S3tExactUnlearning : Experiment<S3tExactUnlearning.Config, S3tExactUnlearning.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Shards m (protocol: 3).</summary>
        public int Shards { get; init; } = 3;
        /// <summary>Slices L per shard (protocol: 4; S3T's code defaults to 6 or 7).</summary>
        public int Slices { get; init; } = 4;
        /// <summary>Slice orders B per shard, ascending; each B takes the first B cyclic rotations.</summary>
        public int[] Orders { get; init; } = [1, 2, 4];
        /// <summary>Training points per (shard, slice).</summary>
        public int SliceSize { get; init; } = 250;
        /// <summary>Held-out points of the main task.</summary>
        public int TestSamples { get; init; } = 2_000;
        /// <summary>Points of the auxiliary task the base is pretrained on (never part of the deletable data).</summary>
        public int AuxiliarySamples { get; init; } = 3_000;
        /// <summary>Latent dimension of the mixtures.</summary>
        public int LatentDim { get; init; } = 8;
        /// <summary>Observed dimension after the nonlinear map.</summary>
        public int InputDim { get; init; } = 16;
        /// <summary>Classes of both tasks.</summary>
        public int Classes { get; init; } = 10;
        /// <summary>Std of the class means in latent units (noise std 1): high Bayes accuracy, but below 1.</summary>
        public double Separation { get; init; } = 1.5;
        /// <summary>Width of the MLP.</summary>
        public int Width { get; init; } = 64;
        /// <summary>Layers, each with an adapter (paper's code: 12 or 24 transformer layers, layers / L per slice).</summary>
        public int Layers { get; init; } = 4;
        /// <summary>LoRA rank (paper: 16 on RoBERTa-large; a 64-wide layer needs less).</summary>
        public int Rank { get; init; } = 4;
        /// <summary>LoRA α (paper's code: 2 × rank with rsLoRA scaling; we use plain α / r).</summary>
        public double Alpha { get; init; } = 8;
        /// <summary>Epochs of every training run: each S3T step, each SISA shard, the full model (paper's code: 15 to 30).</summary>
        public int Epochs { get; init; } = 15;
        /// <summary>Epochs of the base's pretraining on the auxiliary task.</summary>
        public int PretrainEpochs { get; init; } = 30;
        /// <summary>Points per step.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Adam learning rate of adapters and head (paper's code: 1e-4 to 2e-4; a tiny model takes more).</summary>
        public double LearningRate { get; init; } = 5e-3;
        /// <summary>Adam learning rate of the base's pretraining.</summary>
        public double PretrainLearningRate { get; init; } = 3e-3;
        /// <summary>Length of the deletion stream (protocol: 20); at least <see cref="ClaimDeletions"/>.</summary>
        public int Deletions { get; init; } = 20;
        /// <summary>Monte-Carlo deletion streams per B for the measured and simulated capacities (protocol: 4000).</summary>
        public int CapacityTrials { get; init; } = 4_000;

        /// <summary>The protocol's budget.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 2 shards × 2 slices, one order, small data.</summary>
        public static Config Smoke { get; } = Full with
        {
            Shards = 2, Slices = 2, Orders = [1], SliceSize = 100, TestSamples = 500, AuxiliarySamples = 1_000,
            Epochs = 10, PretrainEpochs = 10, CapacityTrials = 500,
        };

        /// <summary>Throws on settings the method cannot run with.</summary>
        public void Validate()
        {
            ConfigCheck.Count(Shards);
            ConfigCheck.Count(Slices);
            ConfigCheck.Count(SliceSize);
            ConfigCheck.Count(TestSamples);
            ConfigCheck.Count(AuxiliarySamples);
            ConfigCheck.Count(LatentDim);
            ConfigCheck.Count(InputDim);
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
            if (Orders.Length == 0 || Orders[0] < 1 || Orders[^1] > Slices || Orders.Zip(Orders.Skip(1)).Any(p => p.First >= p.Second))
                throw new ArgumentException($"Orders must be ascending values in 1..{Slices}; got {string.Join(",", Orders)}");
            if (Layers < Slices)
                throw new ArgumentException($"Layers {Layers} must be at least Slices {Slices} (one layer group per slice)");
            if (Deletions < ClaimDeletions || Deletions > Shards * Slices * SliceSize)
                throw new ArgumentException($"Deletions {Deletions} must be between {ClaimDeletions} and the number of training points");
        }
    }

    /// <summary>The claims' number of deletions (protocol: accuracy after 10 deletions).</summary>
    public const int ClaimDeletions = 10;

    /// <summary>What a run measured. Accuracies are fractions of the test set; index d of a curve is after d deletions.</summary>
    public sealed record Result
    {
        /// <summary>The B values, ascending.</summary>
        public required int[] Orders { get; init; }
        /// <summary>S3T's accuracy per B along the deletion stream (no retraining; dead shards abstain).</summary>
        public required IReadOnlyList<double[]> S3tAccuracy { get; init; }
        /// <summary>SISA's accuracy along the stream, the affected shard retrained after each deletion.</summary>
        public required double[] SisaAccuracy { get; init; }
        /// <summary>LoRA on all the data at once (before deletions; retraining it per deletion is not run).</summary>
        public required double FullAccuracy { get; init; }
        /// <summary>Control: the frozen base with a head trained on all the data and no adapters (what S3T's adapters
        /// must beat; it would win if they learnt nothing).</summary>
        public required double HeadOnlyAccuracy { get; init; }
        /// <summary>Sanity reference: the frozen base with untrained adapters and head (what a no-op S3T would serve; near
        /// chance by construction, so it is no control).</summary>
        public required double ControlAccuracy { get; init; }
        /// <summary>Per test point, 1 if S3T (largest B) is right before any deletion, else 0.</summary>
        public required IReadOnlyList<double> S3tCorrectInitial { get; init; }
        /// <summary>Per test point, 1 if S3T (largest B) is right after <see cref="ClaimDeletions"/> deletions.</summary>
        public required IReadOnlyList<double> S3tCorrectAfterClaim { get; init; }
        /// <summary>Per test point, 1 if SISA is right after <see cref="ClaimDeletions"/> deletions.</summary>
        public required IReadOnlyList<double> SisaCorrectAfterClaim { get; init; }
        /// <summary>Per test point, 1 if full LoRA is right.</summary>
        public required IReadOnlyList<double> FullCorrect { get; init; }
        /// <summary>Per test point, 1 if the head-only baseline (the control) is right.</summary>
        public required IReadOnlyList<double> HeadOnlyCorrect { get; init; }
        /// <summary>Shards whose best live order (largest B) is shorter than L after <see cref="ClaimDeletions"/>
        /// deletions (a dead shard counts): how far the deletions reached into what S3T serves.</summary>
        public required int TruncatedShardsAfterClaim { get; init; }
        /// <summary>S3T when every shard serves the first p slices of its first order, p = 1..L.</summary>
        public required double[] PrefixAccuracy { get; init; }
        /// <summary>
        /// Per B: mean deletions until a shard has no live order, replayed on this partition. The deletion that empties
        /// the shard counts (it is still served exactly, by switching the shard off; retraining follows it), as in the
        /// protocol's simulation; SISA's count is 0 because its first deletion already needs a retraining.
        /// </summary>
        public required double[] CapacityMeasured { get; init; }
        /// <summary>The same from the combinatorial simulation (uniform shard and slice per deletion).</summary>
        public required double[] CapacitySimulated { get; init; }
        /// <summary>Deletions SISA served before its first retraining.</summary>
        public required int SisaDeletionsBeforeRetraining { get; init; }
        /// <summary>Training points SISA reprocessed (points × epochs) over the stream.</summary>
        public required long SisaSamplesReprocessed { get; init; }
        /// <summary>Points full retraining would reprocess over the stream (points × epochs), for comparison.</summary>
        public required long FullSamplesReprocessed { get; init; }
        /// <summary>Deletions after which the exactness check ran: the latest state with a live order.</summary>
        public required int ExactnessAfterDeletions { get; init; }
        /// <summary>Live prefixes (largest B, each shard's best) retrained from scratch.</summary>
        public required int ExactnessPrefixes { get; init; }
        /// <summary>Of those, prefixes shorter than L (cut by a deletion).</summary>
        public required int ExactnessTruncated { get; init; }
        /// <summary>Adapter and head weights compared.</summary>
        public required int ExactnessWeights { get; init; }
        /// <summary>Weights that differ in any bit.</summary>
        public required int ExactnessMismatches { get; init; }
        /// <summary>S3T (largest B) before any deletion.</summary>
        public double S3tAccuracyInitial => S3tAccuracy[^1][0];
        /// <summary>S3T (largest B) after <see cref="ClaimDeletions"/> deletions.</summary>
        public double S3tAccuracyAfter10 => S3tAccuracy[^1][ClaimDeletions];
        /// <summary>SISA after <see cref="ClaimDeletions"/> deletions.</summary>
        public double SisaAccuracyAfter10 => SisaAccuracy[ClaimDeletions];
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("s3t-exact-unlearning", "llm-unlearning",
        "Towards Scalable Exact Machine Unlearning Using Parameter-Efficient Fine-Tuning", 2025, "https://arxiv.org/abs/2406.16257");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // The project's level for "the skill is learnt" (the protocol sets none; the task's Bayes accuracy is high but
        // below 1): without it S3T, SISA and full LoRA could all sit near chance, and "within a few points" would be empty.
        Claim.Precondition<Result>("full-lora-learns",
            "The task is learnt: LoRA trained on all the data at once reaches 80% test accuracy",
            r => r.FullAccuracy, Comparison.AtLeast, 0.8, Budget.Full, "accuracy"),
        // The deletion must reach what S3T serves before "S3T after the deletions" says anything (protocol: the accuracy of
        // truncated adapter stacks is the real test).
        Claim.Precondition<Result>("deletions-cut-prefixes",
            $"The deletions reach S3T: after {ClaimDeletions} deletions at least one shard (largest B) serves a shortened prefix",
            r => r.TruncatedShardsAfterClaim, Comparison.AtLeast, 1, Budget.Full, "shards"),
        Claim.Control<Result>("beats-head-only",
            "The adapters learn: before any deletion S3T (largest B) is right on more test points than the frozen base with a " +
            "head trained on all the data and no adapters (the control wins if the adapters add nothing)",
            r => Evidence.Paired(r.S3tCorrectInitial, r.HeadOnlyCorrect), Comparison.Greater, 0, Budget.Full,
            "accuracy (per test point)"),
        // Protocol claim (3): after 10 deletions S3T (B = 4) ≥ SISA − 2 points with zero retraining.
        Claim.Finding<Result>("near-sisa-after-10",
            $"After {ClaimDeletions} deletions S3T (largest B, no retraining) is at most 2 points below SISA (retrained after " +
            "each deletion), on the same test points",
            r => Evidence.Paired(r.S3tCorrectAfterClaim, r.SisaCorrectAfterClaim), Comparison.AtLeast, -0.02, Budget.Full,
            "accuracy (per test point)", dependsOn: ["full-lora-learns", "deletions-cut-prefixes"]),
        // Protocol claim (3): initial S3T accuracy within 5 points of full-data LoRA.
        Claim.Finding<Result>("near-full-initially",
            "Before any deletion S3T (largest B) is within 5 points of LoRA trained on all the data at once, on the same test points",
            r => Evidence.Paired(r.S3tCorrectInitial, r.FullCorrect), Comparison.AtLeast, -0.05, Budget.Full,
            "accuracy (per test point)", dependsOn: ["full-lora-learns"]),
        // Sanity: true by construction. An untrained head scores near chance, so beating it only shows training ran.
        Claim.Sanity<Result>("trains-above-untrained",
            "S3T trained something: before any deletion it is more than 20 points above the frozen base with untrained " +
            "adapters and head",
            r => r.S3tAccuracyInitial - r.ControlAccuracy, Comparison.Greater, 0.2, Budget.Smoke, "accuracy"),
        // Protocol claim (1). Deterministic retraining on CPU reproduces the same floats: it checks the bookkeeping.
        Claim.Sanity<Result>("exact-unlearning",
            "Retraining each shard's live prefix from scratch with the same seeds and data order gives bit-identical " +
            "weights (NaN if none was live)",
            r => r.ExactnessPrefixes > 0 ? r.ExactnessMismatches : double.NaN, Comparison.AtMost, 0, Budget.Smoke, "differing weights"),
        // Protocol claim (2), SISA = 0: SISA retrains on every deletion by definition.
        Claim.Sanity<Result>("sisa-serves-none",
            "SISA serves no deletion without retraining: its first deletion already retrains a shard",
            r => r.SisaDeletionsBeforeRetraining, Comparison.AtMost, 0, Budget.Smoke, "deletions"),
        // Protocol claim (2): the replay and the simulation count the same combinatorics (the protocol warns it
        // reproduces by construction).
        Claim.Sanity<Result>("capacity-matches-simulation",
            "Deletions served before the first retraining match the combinatorial simulation within ±20% for every B",
            r => r.CapacityMeasured.Zip(r.CapacitySimulated, (m, s) => Math.Abs(m / s - 1)).Max(), Comparison.AtMost, 0.2,
            Budget.Full, "relative error"),
        Claim.Sanity<Result>("capacity-grows-with-b",
            "Deletions served before the first retraining increase with B (smallest increase between consecutive B)",
            r => r.Orders.Length < 2 ? double.NaN : r.CapacityMeasured.Zip(r.CapacityMeasured.Skip(1), (a, b) => b - a).Min(),
            Comparison.Greater, 0, Budget.Full, "deletions"),
        Claim.Sanity<Result>("b4-triples-b1",
            "With B = 4 orders S3T serves at least 3× as many deletions before retraining as with B = 1",
            r => r.CapacityMeasured[^1] / r.CapacityMeasured[0], Comparison.AtLeast, 3, Budget.Full, "ratio"),
    ];

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        int m = cfg.Shards, slices = cfg.Slices, bMax = cfg.Orders[^1];
        var task = new MixtureTask(cfg.LatentDim, cfg.InputDim, cfg.Classes, cfg.Separation, ctx.Rng("task"));
        var data = ctx.Rng("data");
        var auxiliary = task.Sample(cfg.AuxiliarySamples, auxiliary: true, data);
        var train = task.Sample(m * slices * cfg.SliceSize, auxiliary: false, data);
        var test = task.Sample(cfg.TestSamples, auxiliary: false, data);
        var partition = ShardPartition.Random(train.Count, m, slices, ctx.Rng("partition"));
        var orders = SliceOrders.Cyclic(slices, bMax);
        var groups = SliceOrders.LayerGroups(cfg.Layers, slices); // position k of an order → its layers, top-down

        AdapterMlp NewModel(string name)
        {
            using var init = ctx.TorchGenerator($"init-{name}");
            return new AdapterMlp(cfg.InputDim, cfg.Width, cfg.Layers, cfg.Classes, cfg.Rank, cfg.Alpha, init).to(ctx.Device);
        }
        // The base: the whole MLP trained on the auxiliary task, then frozen; it never sees a deletable point.
        using var baseModel = NewModel("base");
        foreach (var layer in baseModel.Layers) (layer.Enabled, layer.IsBaseFrozen) = (false, false);
        baseModel.Fit([.. baseModel.Layers.SelectMany(l => l.BaseParameters), .. baseModel.HeadParameters], auxiliary,
            Enumerable.Range(0, auxiliary.Count).ToList(), cfg.PretrainEpochs, cfg.BatchSize, cfg.PretrainLearningRate,
            ctx.Rng("order-base"), ctx.Cancellation);
        foreach (var layer in baseModel.Layers) layer.IsBaseFrozen = true;
        AdapterMlp Adapted(string name)   // the frozen base, fresh adapters (all off) and a fresh head
        {
            var model = NewModel(name);
            model.CopyBaseFrom(baseModel);
            foreach (var layer in model.Layers) layer.Enabled = false;
            return model;
        }

        // S3T: step k trains the adapters of layer group k (top-down) and the head on slices σ1..σk of the order,
        // with the groups of earlier steps switched on and frozen. Returns the weights trained at each step
        // (group adapters, then head) and, when asked, test probabilities of each prefix.
        (float[][] Weights, float[][] Probs) TrainS3t(int s, int o, IReadOnlySet<int> removed, int steps, bool evaluate)
        {
            using var model = Adapted($"s3t-s{s}-o{o}");
            var seen = new List<int>();
            var (weights, probs) = (new float[steps][], new float[steps][]);
            for (int k = 0; k < steps; k++)
            {
                seen.AddRange(partition.Points(s, orders[o][k]).Where(p => !removed.Contains(p))); // cumulative slices
                var group = groups[k].Select(l => model.Layers[l]).ToList();
                foreach (var layer in group) layer.Enabled = true;
                model.Fit([.. group.SelectMany(l => l.AdapterParameters), .. model.HeadParameters], train, seen, cfg.Epochs,
                    cfg.BatchSize, cfg.LearningRate, ctx.Rng($"order-s3t-s{s}-o{o}-k{k}"), ctx.Cancellation);
                weights[k] = [.. group.Select(l => l.GetAdapter()).SelectMany(w => w.A.Concat(w.B)), .. model.GetHead()];
                if (evaluate) probs[k] = model.Probabilities(test);
            }
            return (weights, probs);
        }
        var s3t = new (float[][] Weights, float[][] Probs)[m, bMax];
        for (int s = 0; s < m; s++)
            for (int o = 0; o < bMax; o++)
            {
                s3t[s, o] = TrainS3t(s, o, new HashSet<int>(), slices, evaluate: true);
                ctx.Report("s3t", s * bMax + o + 1, m * bMax);
            }
        ctx.Progress.Done("s3t");

        // Baselines: SISA (one model per shard, all adapters trained at once), full LoRA, the head-only control, and the
        // untrained adapters and head (a sanity reference near chance).
        float[] TrainAll(string name, IReadOnlyList<int> points, bool adapters)
        {
            using var model = Adapted(name);
            foreach (var layer in model.Layers) layer.Enabled = adapters;
            var trainable = adapters ? model.Layers.SelectMany(l => l.AdapterParameters).Concat(model.HeadParameters)
                : model.HeadParameters;
            model.Fit(trainable.ToList(), train, points, cfg.Epochs, cfg.BatchSize, cfg.LearningRate, ctx.Rng($"order-{name}"),
                ctx.Cancellation);
            return model.Probabilities(test);
        }
        var all = Enumerable.Range(0, train.Count).ToList();
        var fullCorrect = test.Correct([TrainAll("full", all, adapters: true)]);
        var headOnlyCorrect = test.Correct([TrainAll("head-only", all, adapters: false)]);
        float[] control;
        using (var untrained = Adapted("control")) control = untrained.Probabilities(test);
        var sisa = Enumerable.Range(0, m).Select(s => TrainAll($"sisa-s{s}", partition.ShardPoints(s), adapters: true)).ToArray();

        // The deletion stream. S3T cuts live prefixes and serves each shard's best live order (dead shards abstain;
        // with none left it serves the control); SISA retrains the affected shard from scratch.
        var stream = ctx.Rng("deletions").Permutation(train.Count)[..cfg.Deletions];
        var states = cfg.Orders.Select(b => new LivePrefixes(m, orders[..b])).ToList();
        var s3tAccuracy = cfg.Orders.Select(_ => new double[cfg.Deletions + 1]).ToList();
        var sisaAccuracy = new double[cfg.Deletions + 1];
        var best = new List<(int Order, int Length)[]>(); // largest B: each shard's best live order after d deletions
        double[] s3tCorrectInitial = [], s3tCorrectAfterClaim = [], sisaCorrectAfterClaim = [];
        var removed = new HashSet<int>();
        long sisaSamples = 0;
        int sisaServed = -1;
        for (int d = 0; d <= cfg.Deletions; d++)
        {
            if (d > 0)
            {
                removed.Add(stream[d - 1]);
                var (shard, slice) = partition.Locate(stream[d - 1]);
                foreach (var state in states) state.Delete(shard, slice);
                var remaining = partition.ShardPoints(shard).Where(p => !removed.Contains(p)).ToList();
                sisa[shard] = TrainAll($"sisa-s{shard}", remaining, adapters: true);
                sisaSamples += (long)remaining.Count * cfg.Epochs;
                if (sisaServed < 0) sisaServed = d - 1;
            }
            for (int b = 0; b < states.Count; b++)
            {
                var live = Enumerable.Range(0, m).Select(s => (Shard: s, Best: states[b].Best(s))).Where(x => x.Best.Length > 0).ToList();
                var correct = live.Count == 0 ? test.Correct([control])
                    : test.Correct(live.Select(x => s3t[x.Shard, x.Best.Order].Probs[x.Best.Length - 1]));
                s3tAccuracy[b][d] = correct.Average();
                if (b == states.Count - 1 && d == 0) s3tCorrectInitial = correct;
                if (b == states.Count - 1 && d == ClaimDeletions) s3tCorrectAfterClaim = correct;
            }
            var sisaCorrect = test.Correct(sisa);
            sisaAccuracy[d] = sisaCorrect.Average();
            if (d == ClaimDeletions) sisaCorrectAfterClaim = sisaCorrect;
            best.Add(Enumerable.Range(0, m).Select(s => states[^1].Best(s)).ToArray());
            ctx.Report("deletions", d, cfg.Deletions);
        }
        ctx.Progress.Done("deletions");

        // Exactness: at the latest state with a live order, retrain each shard's best live prefix from scratch on the
        // remaining data with the same seeds and compare every trained weight bit for bit.
        int checkAt = Enumerable.Range(0, cfg.Deletions + 1).Last(d => best[d].Any(x => x.Length > 0));
        var removedThen = stream[..checkAt].ToHashSet();
        int prefixes = 0, truncated = 0, compared = 0, mismatches = 0;
        for (int s = 0; s < m; s++)
        {
            var (o, length) = best[checkAt][s];
            if (length == 0) continue;
            var again = TrainS3t(s, o, removedThen, length, evaluate: false).Weights;
            for (int k = 0; k < length; k++)
            {
                compared += again[k].Length;
                var kept = s3t[s, o].Weights[k];
                mismatches += again[k].Where((w, i) => BitConverter.SingleToInt32Bits(w) != BitConverter.SingleToInt32Bits(kept[i])).Count();
            }
            (prefixes, truncated) = (prefixes + 1, truncated + (length < slices ? 1 : 0));
            ctx.Report("exactness", s + 1, m);
        }
        ctx.Progress.Done("exactness");

        return new Result
        {
            Orders = [.. cfg.Orders],
            S3tAccuracy = s3tAccuracy,
            SisaAccuracy = sisaAccuracy,
            FullAccuracy = fullCorrect.Average(),
            HeadOnlyAccuracy = headOnlyCorrect.Average(),
            ControlAccuracy = test.Accuracy([control]),
            S3tCorrectInitial = s3tCorrectInitial,
            S3tCorrectAfterClaim = s3tCorrectAfterClaim,
            SisaCorrectAfterClaim = sisaCorrectAfterClaim,
            FullCorrect = fullCorrect,
            HeadOnlyCorrect = headOnlyCorrect,
            TruncatedShardsAfterClaim = best[ClaimDeletions].Count(x => x.Length < slices),
            PrefixAccuracy = Enumerable.Range(1, slices)
                .Select(p => test.Accuracy(Enumerable.Range(0, m).Select(s => s3t[s, 0].Probs[p - 1]))).ToArray(),
            CapacityMeasured = cfg.Orders.Select(b => SliceOrders.MeanDeletionsUntilShardDies(partition, orders[..b],
                cfg.CapacityTrials, ctx.Rng($"capacity-b{b}"))).ToArray(),
            CapacitySimulated = cfg.Orders.Select(b => SliceOrders.MeanDeletionsUntilShardDies(m, slices, b,
                cfg.CapacityTrials, ctx.Rng($"simulation-b{b}"))).ToArray(),
            SisaDeletionsBeforeRetraining = sisaServed < 0 ? cfg.Deletions : sisaServed,
            SisaSamplesReprocessed = sisaSamples,
            FullSamplesReprocessed = Enumerable.Range(1, cfg.Deletions).Sum(d => (long)(train.Count - d) * cfg.Epochs),
            ExactnessAfterDeletions = checkAt,
            ExactnessPrefixes = prefixes,
            ExactnessTruncated = truncated,
            ExactnessWeights = compared,
            ExactnessMismatches = mismatches,
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("accuracy-vs-deletions", S3tFigures.AccuracyVsDeletions(results)), ("capacity-vs-b", S3tFigures.CapacityVsB(results)),
         ("accuracy-vs-prefix", S3tFigures.AccuracyVsPrefix(results))];
}

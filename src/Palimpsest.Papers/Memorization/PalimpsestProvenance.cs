using System.Globalization;
using MathNet.Numerics.Distributions;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Kuditipudi, Huang, Zhu, Yang, Potts and Liang 2025, "Blackbox Model Provenance via Palimpsestic Membership
/// Inference", arXiv:2510.19796 (official code: https://github.com/RohithKuditipudi/blackbox-model-tracing).
/// Claim: a model derived from Alice's still carries the order in which Alice saw her training data: its loss on
/// Alice's examples falls with their training position (query setting), and text it generates is more likely under
/// Alice's true-order model than under models whose last training phase was reshuffled (observational setting).
/// Scaled down: Pythia/OLMo and 40+ public fine-tunes become a 2-layer TinyGpt trained for one epoch, at a constant
/// learning rate, on synthetic biographies whose names and details are rare enough to be each document's own, and
/// Bobs that fine-tune it on another domain; null Bobs are independent models given the same fine-tune. The toy still
/// tests the claim because the test statistics, the random order that makes them valid, and the null models are the
/// paper's own.
/// Claim kinds (protocol §2, revised before any run on this design): the precondition is that Alice herself carries a
/// palimpsest (her own query test); the findings are the protocol's detection criteria for derived Bobs and its
/// no-false-alarm criteria for null Bobs, in the query and the observational (reshuffle) settings; the control pairs each
/// derived Bob with the null Bob given the same fine-tune, document by document (a null Bob wins whenever the trace comes
/// from the fine-tune or the reference rather than from Alice's order); that the order is independent of content is a
/// sanity check (true by construction of a random permutation). That a replay of the last phase in the true order
/// reproduces Alice is recorded (<see cref="Result.TrueOrderReplayGap"/>) and asserted by the smoke test.
/// </summary>
public sealed class PalimpsestProvenance : Experiment<PalimpsestProvenance.Config, PalimpsestProvenance.Result>
{
    /// <summary>Budgets; defaults are the Full budget (protocol: 20k documents, 3 derived and 3 null Bobs, K = 19).</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Alice's training documents (paper: Pythia's 300B tokens; protocol: 20k of about 32 tokens).</summary>
        public int Documents { get; init; } = 20_000;
        /// <summary>Templates Alice's documents are written in (first design: one, so documents differed only in slots).</summary>
        public int Templates { get; init; } = 8;
        /// <summary>First names (first design: 144 one-token names, each shared by ~140 documents).</summary>
        public int FirstNames { get; init; } = 200;
        /// <summary>
        /// Surnames: with first names they make full names that are almost always a document's own, and each surname is
        /// shared by Documents / Surnames documents. The rarer, the less later batches write over what a document taught.
        /// </summary>
        public int Surnames { get; init; } = 4_000;
        /// <summary>Cities (first design: 20).</summary>
        public int Cities { get; init; } = 400;
        /// <summary>Jobs (first design: 12).</summary>
        public int Jobs { get; init; } = 100;
        /// <summary>Objects (first design: 12); Bob's reports sell them too.</summary>
        public int Objects { get; init; } = 200;
        /// <summary>Residual width (protocol's TinyStories study: 256; 128 suffices for documents this short).</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Sequences per step, for Alice, the reference, the null Alices and every fine-tune.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>
        /// Alice's constant learning rate after warm-up, one phase for the whole epoch (the protocol asks for a constant
        /// or high-floor schedule). The first design's 2e-3 left a trace only in the last ~5% of the epoch.
        /// </summary>
        public double LearningRate { get; init; } = 1e-3;
        /// <summary>Linear warm-up steps at the start of Alice's (and every independent model's) epoch.</summary>
        public int WarmupSteps { get; init; } = 50;
        /// <summary>Share of Alice's epoch replayed by the reshuffle test (paper: last 50k of 500k stories; protocol: 10%).</summary>
        public double LastPhaseFraction { get; init; } = 0.1;
        /// <summary>Reshuffled replays of the last phase (paper and protocol: K = 19, so a first rank gives p = 0.05).</summary>
        public int Reshuffles { get; init; } = 19;
        /// <summary>Bob's fine-tuning sizes in documents: one derived and one null Bob each (protocol: up to 10k).</summary>
        public int[] FineTuneSizes { get; init; } = [1_000, 3_000, 10_000];
        /// <summary>
        /// Bob's fine-tuning learning rate (one epoch, constant) as a share of Alice's: the protocol's smallest derived
        /// Bob fine-tunes at Alice's rate / 10 or less (a smoke pilot at half of Alice's rate erased the signal).
        /// </summary>
        public double FineTuneLearningRateFraction { get; init; } = 0.1;
        /// <summary>The "derived-hot" Bob fine-tunes at this multiple of Bob's rate.</summary>
        public double HotFineTuneFactor { get; init; } = 5;
        /// <summary>Tokens of Bob's generated text given to the observational tests (protocol: 128, 512, 2048).</summary>
        public int[] TextTokens { get; init; } = [128, 512, 2048];
        /// <summary>n of the partition test's n-grams.</summary>
        public int NgramLength { get; init; } = 6;
        /// <summary>Also train an Alice whose learning rate decays strongly (cosine to 1%) and test its derived Bob.</summary>
        public bool UseDecayAblation { get; init; } = true;
        /// <summary>
        /// Blocks of Alice's documents (by document index) whose mean rank products are the items of the derived-against-
        /// null control: their mean is the query test's rho, and blocks keep the evidence small in result.json.
        /// </summary>
        public int QueryBlocks { get; init; } = 200;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>
        /// Protocol's smoke budget: 4k documents (pools shrunk with them, so documents per surname stay), one derived and
        /// one null Bob, 5 reshuffles; the text sizes stay, so that the observational claims' measurement runs at smoke.
        /// </summary>
        public static Config Smoke { get; } = Full with
        {
            Documents = 4_000, FirstNames = 100, Surnames = 800, Cities = 100, Jobs = 40, Objects = 60, Width = 64,
            Reshuffles = 5, FineTuneSizes = [1_000], UseDecayAblation = false,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.Count(Documents);
            ConfigCheck.Between(Templates, 1, ProvenanceCorpus.AllTemplates.Count);
            ConfigCheck.Count(FirstNames);
            ConfigCheck.Count(Surnames);
            ConfigCheck.Count(Cities);
            ConfigCheck.Count(Jobs);
            ConfigCheck.Count(Objects);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.AtLeast(WarmupSteps, 0);
            ConfigCheck.InRange(LastPhaseFraction, 0, 1, minIncluded: false, maxIncluded: false);
            ConfigCheck.Count(Reshuffles);
            ConfigCheck.EachAtLeast(FineTuneSizes, 1);
            ConfigCheck.Positive(FineTuneLearningRateFraction);
            ConfigCheck.Positive(HotFineTuneFactor);
            ConfigCheck.EachAtLeast(TextTokens, 1);
            ConfigCheck.That(TextTokens.Contains(ObservationalTokens), TextTokens, $"a list that includes {ObservationalTokens} (the claims' text size)");
            ConfigCheck.Count(NgramLength);
            ConfigCheck.Between(QueryBlocks, 2, Documents);
        }
    }

    /// <summary>What a suspect model is.</summary>
    public enum BobKind
    {
        /// <summary>Fine-tuned from Alice at Bob's rate.</summary>
        Derived,
        /// <summary>An independent model (own initialisation and order over Alice's documents) given the same fine-tune.</summary>
        Null,
        /// <summary>Fine-tuned from Alice at <see cref="Config.HotFineTuneFactor"/> times Bob's rate.</summary>
        DerivedHot,
        /// <summary>Fine-tuned from an Alice whose learning rate decayed strongly.</summary>
        DerivedDecay,
    }

    /// <summary>One suspect model and what each test said about it.</summary>
    /// <param name="Kind">Derived, null, or one of the two ablations.</param>
    /// <param name="FineTuneDocuments">Size of Bob's fine-tune.</param>
    /// <param name="Rho">Query test: Spearman(position, Bob's loss − reference loss).</param>
    /// <param name="PValue">Query test: one-sided p for rho &lt; 0.</param>
    /// <param name="RankP">Reshuffle test's rank p at each entry of TextTokens (derived and null Bobs only).</param>
    /// <param name="Z">Reshuffle test's z-score at each entry of TextTokens.</param>
    /// <param name="PartitionP">Partition test's p at each entry of TextTokens.</param>
    /// <param name="RhoBlocks">The query test's rho as block means of rank products (<see cref="Config.QueryBlocks"/>
    /// blocks of Alice's documents, by document index); their mean is <paramref name="Rho"/>.</param>
    /// <param name="TraceByDecile">Mean of Bob's loss − the reference's per decile of Alice's training position
    /// (nats/token, earliest decile first).</param>
    public sealed record Bob(BobKind Kind, int FineTuneDocuments, double Rho, double PValue,
        IReadOnlyList<double> RankP, IReadOnlyList<double> Z, IReadOnlyList<double> PartitionP,
        IReadOnlyList<double> RhoBlocks, IReadOnlyList<double> TraceByDecile);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every Bob, derived first.</summary>
        public required IReadOnlyList<Bob> Bobs { get; init; }
        /// <summary>The token counts the observational tests used.</summary>
        public required IReadOnlyList<int> TextTokens { get; init; }
        /// <summary>Reshuffled replays K: the true model ranks first when its rank p is 1 / (K + 1).</summary>
        public required int Reshuffles { get; init; }
        /// <summary>Query-test rho of Alice's own loss (no fine-tune): the palimpsest before anything is layered on top.</summary>
        public required double AliceRho { get; init; }
        /// <summary>Its one-sided p for rho &lt; 0.</summary>
        public required double AlicePValue { get; init; }
        /// <summary>Mean of Alice's loss − the reference's per decile of her training position (nats/token).</summary>
        public required IReadOnlyList<double> AliceTraceByDecile { get; init; }
        /// <summary>log10 of the query-test p of the derived Bob with the smallest fine-tune.</summary>
        public required double SmallestDerivedLog10P { get; init; }
        /// <summary>Smallest −2 ln p of the query test over derived Bobs: the weakest derived Bob's term of Fisher's sum.</summary>
        public required double WeakestDerivedFisherTerm { get; init; }
        /// <summary>Share of null Bobs the query test flags (p ≤ 0.01).</summary>
        public required double NullFlaggedShare { get; init; }
        /// <summary>Per derived Bob: 1 when the true-order model ranks first at <see cref="ObservationalTokens"/> tokens of its text.</summary>
        public required IReadOnlyList<double> DerivedFirst { get; init; }
        /// <summary>Per null Bob: the same.</summary>
        public required IReadOnlyList<double> NullFirst { get; init; }
        /// <summary>Per derived Bob: 1 when the partition test detects it (p ≤ 0.05) at <see cref="ObservationalTokens"/> tokens.</summary>
        public required IReadOnlyList<double> DerivedPartitionDetected { get; init; }
        /// <summary>Correlation of Alice's order with document content (must be ≈ 0 for valid p-values).</summary>
        public required double OrderContentRho { get; init; }
        /// <summary>Its p-value.</summary>
        public required double OrderContentP { get; init; }
        /// <summary>
        /// Largest |Alice's loss − the loss of a replay of her last phase in the true order| over the last phase's
        /// documents (nats/token): 0 when the 90% checkpoint carries the whole training state.
        /// </summary>
        public required double TrueOrderReplayGap { get; init; }
        /// <summary>Alice's loss against training position, in <see cref="PositionBins"/> bins (mean NLL per bin, nats/token).</summary>
        public required IReadOnlyList<double> AliceLossByPositionBin { get; init; }
        /// <summary>The same for the reference model (flat: it saw the documents in another order).</summary>
        public required IReadOnlyList<double> ReferenceLossByPositionBin { get; init; }
    }

    /// <summary>Tokens of Bob's text at which the observational claims are judged (protocol: M ≥ 2048).</summary>
    public const int ObservationalTokens = 2048;
    /// <summary>Protocol: Alice's own query test p below this on every seed (the precondition).</summary>
    public const double AliceAlpha = 1e-12;
    /// <summary>Protocol: the smallest derived Bob's query test p below this on every seed.</summary>
    public const double SmallestDerivedAlpha = 1e-6;
    /// <summary>Protocol: every derived Bob's p below this with the seeds pooled by Fisher's method; null Bobs above it.</summary>
    public const double PooledAlpha = 0.01;
    /// <summary>Seeds of the full budget, over which Fisher's method pools.</summary>
    public const int FullSeeds = 3;
    /// <summary>
    /// Fisher's method over <see cref="FullSeeds"/> seeds: Σ −2 ln p &gt; χ²(2·seeds) at 1 − <see cref="PooledAlpha"/>, judged as
    /// the mean over seeds against that quantile / seeds.
    /// </summary>
    public static double FisherMeanThreshold { get; } = ChiSquared.InvCDF(2 * FullSeeds, 1 - PooledAlpha) / FullSeeds;
    /// <summary>The sanity level of the order check (a uniform p falls below it once in ten thousand runs).</summary>
    public const double OrderCheckAlpha = 1e-4;
    /// <summary>
    /// Largest replay gap (nats/token) the smoke test accepts: a faithful replay gives 0 on a CPU (the same operations
    /// on the same numbers); one whose optimizer restarted from zero moments differs by orders of magnitude more.
    /// </summary>
    public const double ReplayGapTolerance = 1e-4;
    /// <summary>Bins of the position axis in the palimpsest figure.</summary>
    public const int PositionBins = 20;
    /// <summary>Bins of the position axis in the trace figure (deciles).</summary>
    public const int TraceBins = 10;

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("palimpsest-provenance", "memorization",
        "Blackbox Model Provenance via Palimpsestic Membership Inference", 2025,
        "https://arxiv.org/abs/2510.19796");

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private const string Palimpsest = "alice-palimpsest";

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // The protocol's precondition: without a palimpsest in Alice herself, nothing about Bob is tested (the first full
        // run's Alice had rho ≈ −0.01, so every "no null Bob flagged" passed vacuously).
        Claim.Precondition<Result>(Palimpsest,
            Inv($"Alice's own loss falls with her training order: query test rho < 0 with p < {AliceAlpha:0e+0} on every seed"),
            r => r.AliceRho < 0 ? PValue.Log10(r.AlicePValue) : 0, Comparison.Less, Math.Log10(AliceAlpha), Budget.Full,
            "log10 p"),
        // "On every seed": the per-seed indicator, whose mean over seeds is 1 only when every seed passes.
        Claim.Finding<Result>("smallest-derived-detected",
            Inv($"The derived Bob with the smallest fine-tune (at a tenth of Alice's rate) is detected with p < ") +
            Inv($"{SmallestDerivedAlpha:0e+0} on every seed"),
            r => r.SmallestDerivedLog10P < Math.Log10(SmallestDerivedAlpha) ? 1 : 0, Comparison.AtLeast, 1, Budget.Full,
            "share of seeds", dependsOn: [Palimpsest]),
        // Fisher's method per Bob needs the same Bob on every seed; taking the weakest derived Bob on each seed first is
        // conservative (it passes only if every Bob's pooled p does).
        Claim.Finding<Result>("derived-detected-pooled",
            Inv($"Every derived Bob is detected with p < {PooledAlpha:G2}, the seeds pooled by Fisher's method (mean over ") +
            "seeds of the weakest derived Bob's −2 ln p above the χ² quantile / seeds)",
            r => r.WeakestDerivedFisherTerm, Comparison.Greater, FisherMeanThreshold, Budget.Full, "−2 ln p",
            dependsOn: [Palimpsest]),
        Claim.Finding<Result>("null-not-detected",
            Inv($"No independent (null) Bob is flagged by the query test: every null p > {PooledAlpha:G2}"),
            r => r.NullFlaggedShare, Comparison.AtMost, 0, Budget.Full, "share of null Bobs", dependsOn: [Palimpsest]),
        Claim.Finding<Result>("reshuffle-derived",
            Inv($"From {ObservationalTokens} tokens of Bob's text, the true-order model ranks first among the reshuffles ") +
            "for at least 2 of 3 derived Bobs",
            r => r.DerivedFirst.Average(), Comparison.AtLeast, 2.0 / 3.0, Budget.Full, "share of derived Bobs",
            dependsOn: [Palimpsest]),
        Claim.Finding<Result>("reshuffle-null",
            Inv($"From {ObservationalTokens} tokens of a null Bob's text, the true-order model ranks first for no null Bob"),
            r => r.NullFirst.Average(), Comparison.AtMost, 0, Budget.Full, "share of null Bobs", dependsOn: [Palimpsest]),
        // The paper: the reshuffle test works from a few hundred tokens, the partition test needs ~10^5. Paired per
        // derived Bob: reshuffle detection minus partition detection.
        Claim.Finding<Result>("partition-needs-more-text",
            Inv($"At {ObservationalTokens} tokens the reshuffle test detects more derived Bobs than the partition test ") +
            "(paired per derived Bob)",
            r => Evidence.Paired(r.DerivedFirst, r.DerivedPartitionDetected), Comparison.Greater, 0, Budget.Full,
            "share of derived Bobs", dependsOn: [Palimpsest]),
        // The control: the null Bob with the same fine-tune, on the same documents. It wins whenever the query test's
        // signal comes from the fine-tune or the reference model rather than from Alice's order.
        Claim.Control<Result>("derived-beats-null",
            "On the same documents, each derived Bob's loss − reference falls with Alice's order more steeply than that " +
            "of the null Bob given the same fine-tune (rho of null − rho of derived, paired per block of documents)",
            r => Evidence.Paired(Blocks(r, BobKind.Null), Blocks(r, BobKind.Derived)), Comparison.Greater, 0, Budget.Full,
            "Spearman rho (per block)", dependsOn: [Palimpsest]),
        Claim.Sanity<Result>("order-independent-of-content",
            Inv($"Alice's order is independent of document content (Spearman p > {OrderCheckAlpha:0e+0}): the random order ") +
            "that makes every p-value valid",
            r => PValue.Log10(r.OrderContentP), Comparison.Greater, Math.Log10(OrderCheckAlpha), Budget.Smoke, "log10 p"),
    ];

    /// <summary>Every block of every Bob of <paramref name="kind"/>, Bobs in fine-tune order.</summary>
    private static List<double> Blocks(Result r, BobKind kind) =>
        r.Bobs.Where(b => b.Kind == kind).SelectMany(b => b.RhoBlocks).ToList();

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = BuildWorld(cfg, ctx);
        using var models = new ModelPool(world.Shape, ctx);
        var alice = TrainAlice(world, cfg, ctx, models);
        var referenceOrder = ctx.Rng("ref-order").Permutation(world.Documents.Count);
        var reference = TrainEpoch(world, cfg, ctx, models.Fresh("ref-init"), referenceOrder, LrScheduleKind.Constant, "reference");
        var replays = ReplayLastPhase(alice, world, cfg, ctx, models);
        var scorer = new Scorer(world, PerDocumentLoss(reference, world.Documents), replays.Models, alice.Model, cfg);

        var bobs = DerivedBobs(alice, world, cfg, ctx, models, scorer)
            .Concat(NullBobs(world, cfg, ctx, models, scorer))
            .Concat(cfg.UseDecayAblation ? [DecayAblation(world, cfg, ctx, models, scorer)] : [])
            .ToList();
        return Summarise(world, scorer, alice, replays, bobs, cfg);
    }

    /// <summary>The tokenized world, the model shape, and Alice's random order with its checks.</summary>
    private sealed record World(IReadOnlyList<int[]> Documents, IReadOnlyList<int[]> FineTune, TinyGptConfig Shape,
        int[] AliceOrder, TrainingOrder Order, OrderCheck Check);

    /// <summary>Alice's documents, Bob's fine-tuning documents, and the order Alice will see her documents in.</summary>
    private static World BuildWorld(Config cfg, RunContext ctx)
    {
        var corpus = new ProvenanceCorpus(cfg.Templates, cfg.FirstNames, cfg.Surnames, cfg.Cities, cfg.Jobs, cfg.Objects);
        var tokenizer = new WordTokenizer(corpus.Vocabulary);
        var data = ctx.Rng("data");
        var docs = Enumerable.Range(0, cfg.Documents).Select(_ => tokenizer.Encode(corpus.AliceDocument(data))).ToList();
        var fineTune = Enumerable.Range(0, cfg.FineTuneSizes.Max()).Select(_ => tokenizer.Encode(corpus.BobDocument(data))).ToList();
        int context = docs.Concat(fineTune).Max(d => d.Length) - 1;
        var shape = new TinyGptConfig(tokenizer.VocabSize, context, cfg.Layers, cfg.Width, cfg.Heads);
        var aliceOrder = ctx.Rng("alice-order").Permutation(docs.Count);
        var order = TrainingOrder.FromSequence(aliceOrder, docs.Count);
        var check = order.Check(docs.Select(d => (double)d.Aggregate(17L, (h, t) => (h * 31 + t) % 1_000_003)).ToList());
        if (!check.IsPermutation) throw new InvalidOperationException("Alice's order is not a permutation");
        return new World(docs, fineTune, shape, aliceOrder, order, check);
    }

    /// <summary>Alice after her epoch, and her weights and optimizer state at the start of the last phase.</summary>
    private sealed record AliceModels(TinyGpt Model, TinyGpt Checkpoint, OptimizerCheckpoint State, int SplitDocuments);

    /// <summary>
    /// Alice: one epoch in one phase at a constant rate. At the last phase's first step her weights and optimizer state
    /// are saved together, and the epoch continues with the same optimizer; the split falls on a batch boundary so
    /// that the replays see exactly her batches' boundaries.
    /// </summary>
    private static AliceModels TrainAlice(World world, Config cfg, RunContext ctx, ModelPool models)
    {
        var options = EpochOptions(world.Documents.Count, cfg, LrScheduleKind.Constant);
        int splitStep = (int)Math.Round(options.Steps * (1 - cfg.LastPhaseFraction));
        if (splitStep < 1 || splitStep >= options.Steps)
            throw new ArgumentException($"LastPhaseFraction {cfg.LastPhaseFraction} leaves no step in one of Alice's phases");
        int split = splitStep * cfg.BatchSize;
        var alice = models.Fresh("alice-init");
        using var run = new ResumableRun(alice, options);
        run.Train(world.Documents, world.AliceOrder[..split], ctx, "alice");
        var checkpoint = models.Keep(alice.Copy());
        var state = run.Save();
        run.Train(world.Documents, world.AliceOrder[split..], ctx, "alice-last");
        return new AliceModels(alice, checkpoint, state, split);
    }

    /// <summary>
    /// One epoch like Alice's over her documents in <paramref name="order"/>, in one phase: the reference and the null
    /// Alices (own initialisation and order), and the decay ablation (Alice's, with another schedule).
    /// </summary>
    private static TinyGpt TrainEpoch(World world, Config cfg, RunContext ctx, TinyGpt model, int[] order,
        LrScheduleKind schedule, string stage)
    {
        using var run = new ResumableRun(model, EpochOptions(world.Documents.Count, cfg, schedule));
        run.Train(world.Documents, order, ctx, stage);
        return model;
    }

    /// <summary>The reshuffled replays, and how far a replay in the true order lands from Alice.</summary>
    private sealed record Replays(IReadOnlyList<TinyGpt> Models, double TrueOrderGap);

    /// <summary>Replays Alice's last phase from her checkpoint: once in her true order (a check), K times reshuffled.</summary>
    private static Replays ReplayLastPhase(AliceModels alice, World world, Config cfg, RunContext ctx, ModelPool models)
    {
        var options = EpochOptions(world.Documents.Count, cfg, LrScheduleKind.Constant);
        var tail = world.AliceOrder[alice.SplitDocuments..];
        TinyGpt Replay(int[] order, string stage)
        {
            var model = models.Keep(alice.Checkpoint.Copy());
            using var run = new ResumableRun(model, options, alice.State);
            run.Train(world.Documents, order, ctx, stage);
            return model;
        }
        var lastDocs = tail.Select(i => world.Documents[i]).ToList();
        var aliceLoss = PerDocumentLoss(alice.Model, lastDocs);
        var replayLoss = PerDocumentLoss(Replay(tail, "replay (true order)"), lastDocs);
        double gap = aliceLoss.Zip(replayLoss, (a, b) => Math.Abs(a - b)).Max();
        var reshuffled = new List<TinyGpt>();
        for (int k = 0; k < cfg.Reshuffles; k++)
        {
            var order = tail.ToArray();
            ctx.Rng($"reshuffle-{k}").Shuffle(order);
            reshuffled.Add(Replay(order, $"reshuffle {k + 1}/{cfg.Reshuffles}"));
        }
        return new Replays(reshuffled, gap);
    }

    /// <summary>Bobs fine-tuned from Alice: one per fine-tune size (judged in both settings), and the hot fine-tune.</summary>
    private static List<Bob> DerivedBobs(AliceModels alice, World world, Config cfg, RunContext ctx, ModelPool models,
        Scorer scorer)
    {
        var bobs = new List<Bob>();
        for (int i = 0; i < cfg.FineTuneSizes.Length; i++)
        {
            int size = cfg.FineTuneSizes[i];
            var derived = FineTune(models.Keep(alice.Model.Copy()), world, size, cfg, 1, ctx, $"derived-{i}");
            bobs.Add(scorer.Observe(BobKind.Derived, derived, size, ctx.Rng($"bob-text-derived-{i}")));
        }
        int middle = MiddleSize(cfg);
        var hot = FineTune(models.Keep(alice.Model.Copy()), world, middle, cfg, cfg.HotFineTuneFactor, ctx, "derived-hot");
        bobs.Add(scorer.Query(BobKind.DerivedHot, hot, middle));
        return bobs;
    }

    /// <summary>Null Bobs: an independent model (own initialisation and order) per fine-tune size, given that fine-tune.</summary>
    private static List<Bob> NullBobs(World world, Config cfg, RunContext ctx, ModelPool models, Scorer scorer)
    {
        var bobs = new List<Bob>();
        for (int i = 0; i < cfg.FineTuneSizes.Length; i++)
        {
            int size = cfg.FineTuneSizes[i];
            var independent = TrainEpoch(world, cfg, ctx, models.Fresh($"null-init-{i}"),
                ctx.Rng($"null-order-{i}").Permutation(world.Documents.Count), LrScheduleKind.Constant, $"null-{i}");
            var nullBob = FineTune(independent, world, size, cfg, 1, ctx, $"null-{i}");
            bobs.Add(scorer.Observe(BobKind.Null, nullBob, size, ctx.Rng($"bob-text-null-{i}")));
        }
        return bobs;
    }

    /// <summary>
    /// Alice's own run (initialisation and order) with a rate decaying to <see cref="DecayFloor"/>, so that late
    /// documents get small updates, then the middle fine-tune: the paper's warning about decaying schedules.
    /// </summary>
    private static Bob DecayAblation(World world, Config cfg, RunContext ctx, ModelPool models, Scorer scorer)
    {
        var decayed = TrainEpoch(world, cfg, ctx, models.Fresh("alice-init"), world.AliceOrder, LrScheduleKind.Cosine,
            "alice-decay");
        int middle = MiddleSize(cfg);
        return scorer.Query(BobKind.DerivedDecay, FineTune(decayed, world, middle, cfg, 1, ctx, "derived-decay"), middle);
    }

    /// <summary>The fine-tune size of the hot and the decay ablations: the middle entry of FineTuneSizes.</summary>
    private static int MiddleSize(Config cfg) => cfg.FineTuneSizes[cfg.FineTuneSizes.Length / 2];

    /// <summary>One epoch over Alice's documents: the options every independent run and every replay share.</summary>
    private static TrainOptions EpochOptions(int documents, Config cfg, LrScheduleKind schedule) => new()
    {
        Steps = ResumableRun.StepsFor(documents, cfg.BatchSize), BatchSize = cfg.BatchSize, LearningRate = cfg.LearningRate,
        Schedule = schedule, WarmupSteps = cfg.WarmupSteps, MinLrFraction = DecayFloor,
    };

    /// <summary>The decay ablation's final rate over its peak: late documents get a hundredth of the early updates.</summary>
    private const double DecayFloor = 0.01;

    /// <summary>Bob's fine-tune: one epoch over the first <paramref name="size"/> reports at Bob's rate × <paramref name="factor"/>.</summary>
    private static TinyGpt FineTune(TinyGpt model, World world, int size, Config cfg, double factor, RunContext ctx, string name)
    {
        double learningRate = cfg.LearningRate * cfg.FineTuneLearningRateFraction * factor;
        Trainer.Fit(model, world.FineTune.Take(size).ToList(), TrainOptions.OneEpoch(size, cfg.BatchSize, learningRate) with
        {
            Schedule = LrScheduleKind.Constant, WarmupSteps = FineTuneWarmup, OrderStream = $"fine-tune-order-{name}",
            Stage = $"fine-tune {name}",
        }, ctx);
        return model;
    }

    /// <summary>Warm-up steps of Bob's fine-tune.</summary>
    private const int FineTuneWarmup = 10;

    /// <summary>Measures suspects against Alice's order, the reference and the replays.</summary>
    private sealed class Scorer(World world, double[] referenceLoss, IReadOnlyList<TinyGpt> replays, TinyGpt alice, Config cfg)
    {
        private readonly PartitionTest _partition = new(world.Documents, world.Order, cfg.NgramLength);

        /// <summary>The reference model's loss on each of Alice's documents.</summary>
        public double[] ReferenceLoss => referenceLoss;

        /// <summary>The query test on Bob's loss over Alice's documents.</summary>
        public Bob Query(BobKind kind, TinyGpt bob, int size)
        {
            var loss = PerDocumentLoss(bob, world.Documents);
            var q = QueryTest.Run(world.Order, loss, referenceLoss);
            return new Bob(kind, size, q.Rho, q.PValue, [], [], [],
                RhoBlocks(world.Order, loss, referenceLoss, cfg.QueryBlocks), Trace(loss));
        }

        /// <summary>The query test, then the observational tests on Bob's own text at every size in TextTokens.</summary>
        public Bob Observe(BobKind kind, TinyGpt bob, int size, Rng textRng)
        {
            var query = Query(kind, bob, size);
            var texts = SampleText(bob, cfg.TextTokens.Max(), textRng);
            var trueNll = SequenceNllSums(alice, texts);
            var replayNll = replays.Select(r => SequenceNllSums(r, texts)).ToList();
            var rankP = new List<double>();
            var z = new List<double>();
            var partitionP = new List<double>();
            foreach (int m in cfg.TextTokens)
            {
                int n = PrefixLength(texts, m);
                var test = ReshuffleTest.Rank(-MeanOfPrefix(trueNll, texts, n),
                    replayNll.Select(r => -MeanOfPrefix(r, texts, n)).ToList());
                rankP.Add(test.RankP);
                z.Add(test.Z);
                partitionP.Add(_partition.Run(texts.Take(n).ToList()).PValue);
            }
            return query with { RankP = rankP, Z = z, PartitionP = partitionP };
        }

        /// <summary>Mean of (loss − reference) per decile of Alice's training position.</summary>
        public IReadOnlyList<double> Trace(double[] loss) =>
            Binned(world.Order, loss.Select((l, i) => l - referenceLoss[i]).ToArray(), TraceBins);
    }

    /// <summary>The result: Alice's own test, the per-kind summaries the claims read, and the figures' series.</summary>
    private static Result Summarise(World world, Scorer scorer, AliceModels alice, Replays replays, List<Bob> bobs, Config cfg)
    {
        var aliceLoss = PerDocumentLoss(alice.Model, world.Documents);
        var aliceTest = QueryTest.Run(world.Order, aliceLoss, scorer.ReferenceLoss);
        int at = Array.IndexOf(cfg.TextTokens, ObservationalTokens);
        var derived = bobs.Where(b => b.Kind == BobKind.Derived).ToList();
        var nulls = bobs.Where(b => b.Kind == BobKind.Null).ToList();
        return new Result
        {
            Bobs = bobs,
            TextTokens = cfg.TextTokens,
            Reshuffles = cfg.Reshuffles,
            AliceRho = aliceTest.Rho,
            AlicePValue = aliceTest.PValue,
            AliceTraceByDecile = scorer.Trace(aliceLoss),
            SmallestDerivedLog10P = PValue.Log10(derived.MinBy(b => b.FineTuneDocuments)!.PValue),
            WeakestDerivedFisherTerm = derived.Min(b => -2 * Math.Log(10) * PValue.Log10(b.PValue)),
            NullFlaggedShare = nulls.Average(b => b.PValue <= PooledAlpha ? 1.0 : 0.0),
            DerivedFirst = derived.Select(b => RanksFirst(b, at, cfg.Reshuffles) ? 1.0 : 0.0).ToList(),
            NullFirst = nulls.Select(b => RanksFirst(b, at, cfg.Reshuffles) ? 1.0 : 0.0).ToList(),
            DerivedPartitionDetected = derived.Select(b => b.PartitionP[at] <= PartitionAlpha ? 1.0 : 0.0).ToList(),
            OrderContentRho = world.Check.ContentRho,
            OrderContentP = world.Check.ContentP,
            TrueOrderReplayGap = replays.TrueOrderGap,
            AliceLossByPositionBin = Binned(world.Order, aliceLoss, PositionBins),
            ReferenceLossByPositionBin = Binned(world.Order, scorer.ReferenceLoss, PositionBins),
        };
    }

    /// <summary>Owns every model of a run: fresh ones from a named initialisation stream, and copies.</summary>
    private sealed class ModelPool(TinyGptConfig shape, RunContext ctx) : IDisposable
    {
        private readonly List<TinyGpt> _models = [];

        public TinyGpt Fresh(string stream)
        {
            using var g = ctx.TorchGenerator(stream);
            return Keep(new TinyGpt(shape, g).to(ctx.Device));
        }

        public TinyGpt Keep(TinyGpt model)
        {
            _models.Add(model);
            return model;
        }

        public void Dispose()
        {
            foreach (var m in _models) m.Dispose();
        }
    }

    /// <summary>The partition test's detection level (the paper reports detection at p ≤ 0.05).</summary>
    private const double PartitionAlpha = 0.05;

    /// <summary>True when Alice's true-order model ranks first for this Bob's text at TextTokens[index]: rank p = 1 / (K + 1).</summary>
    public static bool RanksFirst(Bob bob, int index, int reshuffles) => bob.RankP[index] <= 1.0 / (reshuffles + 1) + 1e-12;

    /// <summary>
    /// The query test's Spearman rho as a mean over documents: rho = mean_i z(rank of position_i) · z(rank of score_i),
    /// each z with the population standard deviation, score = Bob's loss − the reference's. The documents are cut by
    /// index into <paramref name="blocks"/> contiguous blocks (Alice's random order makes index independent of position)
    /// and each block's mean product is returned: their mean is rho when the blocks are equal, and they are the items of
    /// the derived-against-null control.
    /// </summary>
    private static double[] RhoBlocks(TrainingOrder order, double[] bobLoss, double[] refLoss, int blocks)
    {
        int n = bobLoss.Length;
        if (order.Positions.Any(p => p < 0)) throw new InvalidOperationException("every document must have a position");
        var position = Standardised(Correlation.Ranks(order.Positions.Select(p => (double)p).ToList()));
        var score = Standardised(Correlation.Ranks(bobLoss.Select((l, i) => l - refLoss[i]).ToList()));
        var sums = new double[blocks];
        var counts = new int[blocks];
        for (int i = 0; i < n; i++)
        {
            int b = (int)((long)i * blocks / n);
            sums[b] += position[i] * score[i];
            counts[b]++;
        }
        return sums.Select((sum, b) => sum / counts[b]).ToArray();
    }

    /// <summary>(x − mean) / population standard deviation.</summary>
    private static double[] Standardised(double[] x)
    {
        double mean = x.Average();
        double sd = Math.Sqrt(x.Sum(v => (v - mean) * (v - mean)) / x.Length);
        return x.Select(v => (v - mean) / sd).ToArray();
    }

    /// <summary>Mean NLL (nats/token) of every document.</summary>
    private static double[] PerDocumentLoss(TinyGpt model, IReadOnlyList<int[]> docs) =>
        LanguageModel.TokenLogProbs(model, docs, batchSize: 256).Select(r => -r.Average(v => (double)v)).ToArray();

    /// <summary>Summed NLL (nats) of each text, so that any prefix of the texts can be scored without another pass.</summary>
    private static double[] SequenceNllSums(TinyGpt model, IReadOnlyList<int[]> texts) =>
        LanguageModel.TokenLogProbs(model, texts, batchSize: 256).Select(r => -r.Sum(v => (double)v)).ToArray();

    /// <summary>Mean NLL per predicted token of the first <paramref name="n"/> texts.</summary>
    private static double MeanOfPrefix(double[] nllSums, IReadOnlyList<int[]> texts, int n) =>
        nllSums.Take(n).Sum() / texts.Take(n).Sum(t => t.Length - 1);

    /// <summary>
    /// Bob's own text: unconditional samples (temperature 1, from &lt;bos&gt; to &lt;eos&gt; or the context), drawn a
    /// batch at a time until they hold <paramref name="tokens"/> predicted tokens.
    /// </summary>
    private static List<int[]> SampleText(TinyGpt bob, int tokens, Rng rng)
    {
        int context = bob.Config.ContextLength;
        int batch = Math.Max(8, 2 * tokens / context);
        var texts = new List<int[]>();
        int total = 0;
        while (total < tokens)
        {
            var prompts = Enumerable.Repeat(new[] { WordTokenizer.Bos }, batch).ToList();
            foreach (var added in LanguageModel.Continue(bob, prompts, context, rng, temperature: 1.0, stopId: WordTokenizer.Eos))
            {
                texts.Add([WordTokenizer.Bos, .. added]);
                total += added.Length;
            }
        }
        return texts;
    }

    /// <summary>How many of the first texts it takes to hold at least <paramref name="tokens"/> predicted tokens.</summary>
    private static int PrefixLength(IReadOnlyList<int[]> texts, int tokens)
    {
        int total = 0;
        for (int n = 0; n < texts.Count; n++)
        {
            if (total >= tokens) return n;
            total += texts[n].Length - 1;
        }
        return texts.Count;
    }

    /// <summary>Mean of <paramref name="values"/> per bin of Alice's training position (earliest bin first).</summary>
    private static IReadOnlyList<double> Binned(TrainingOrder order, double[] values, int bins)
    {
        int n = values.Length;
        var sums = new double[bins];
        var counts = new int[bins];
        for (int i = 0; i < n; i++)
        {
            int b = Math.Min(bins - 1, (int)((long)order.Positions[i] * bins / n));
            sums[b] += values[i];
            counts[b]++;
        }
        return sums.Select((s, b) => counts[b] == 0 ? double.NaN : s / counts[b]).ToList();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results)
    {
        var first = results[0];
        var bins = Enumerable.Range(0, PositionBins).Select(b => (b + 0.5) / PositionBins).ToList();
        var palimpsest = new List<Series>();
        for (int i = 1; i < results.Count; i++)
            palimpsest.Add(new Series($"Alice, seed #{i + 1}", bins, results[i].AliceLossByPositionBin, SeriesRole.Seed));
        palimpsest.Add(new Series("reference (other order)", bins, first.ReferenceLossByPositionBin, SeriesRole.Control));
        palimpsest.Add(new Series("Alice", bins, first.AliceLossByPositionBin, SeriesRole.Method));

        var pBySize = new List<Series>();
        foreach (var kind in new[] { BobKind.Null, BobKind.Derived })
        {
            var bobs = results.SelectMany(r => r.Bobs.Where(b => b.Kind == kind)).ToList();
            var sizes = bobs.Select(b => b.FineTuneDocuments).Distinct().Order().ToList();
            pBySize.Add(new Series($"{Label(kind)} Bobs (mean over seeds)", sizes.Select(s => (double)s).ToList(),
                sizes.Select(s => bobs.Where(b => b.FineTuneDocuments == s).Average(b => -PValue.Log10(b.PValue))).ToList(),
                kind == BobKind.Derived ? SeriesRole.Method : SeriesRole.Control));
        }

        var power = new List<Series>();
        var tokens = first.TextTokens.Select(t => (double)t).ToList();
        var derived = results.SelectMany(r => r.Bobs.Where(b => b.Kind == BobKind.Derived).Select(b => (Bob: b, r.Reshuffles))).ToList();
        var nulls = results.SelectMany(r => r.Bobs.Where(b => b.Kind == BobKind.Null).Select(b => (Bob: b, r.Reshuffles))).ToList();
        double FirstRank((Bob Bob, int Reshuffles) x, int i) => RanksFirst(x.Bob, i, x.Reshuffles) ? 1.0 : 0.0;
        power.Add(new Series("reshuffle, null Bobs", tokens,
            tokens.Select((_, i) => nulls.Average(b => FirstRank(b, i))).ToList(), SeriesRole.Control));
        power.Add(new Series("partition, derived Bobs", tokens,
            tokens.Select((_, i) => derived.Average(b => b.Bob.PartitionP[i] <= PartitionAlpha ? 1.0 : 0.0)).ToList(),
            SeriesRole.Ablation));
        power.Add(new Series("reshuffle, derived Bobs", tokens,
            tokens.Select((_, i) => derived.Average(b => FirstRank(b, i))).ToList(), SeriesRole.Method));
        return
        [
            ("palimpsest", Core.Reporting.Figures.Lines("Does Alice remember late training documents better?",
                "position in Alice's epoch (fraction)", "loss on the document (nats/token)", palimpsest)),
            ("trace-by-decile", Core.Reporting.Figures.Lines("Does each Bob keep the slope of Alice's trace?",
                "decile of Alice's training position", "loss − reference, minus its mean (nats/token)", TraceSeries(results))),
            ("p-value-by-fine-tune", Core.Reporting.Figures.Lines("Does fine-tuning erase the order signal?",
                "Bob's fine-tune (documents)", "query test −log10 p", pBySize, logX: true)),
            ("power-by-tokens", Core.Reporting.Figures.Lines("How much of Bob's text does each observational test need?",
                "tokens of Bob's text", "share of Bobs detected (p ≤ 0.05)", power, logX: true)),
        ];
    }

    /// <summary>
    /// Loss − reference by decile of Alice's position, for Alice and each Bob (kind and fine-tune size), averaged over
    /// seeds and centred on its own mean: the offsets (a fine-tune raises the loss on every document) hide the slopes.
    /// </summary>
    private static List<Series> TraceSeries(IReadOnlyList<Result> results)
    {
        var deciles = Enumerable.Range(1, TraceBins).Select(d => (double)d).ToList();
        static IReadOnlyList<double> Centred(IEnumerable<IReadOnlyList<double>> curves)
        {
            var list = curves.ToList();
            var mean = Enumerable.Range(0, TraceBins).Select(d => list.Average(c => c[d])).ToList();
            double level = mean.Average();
            return mean.Select(v => v - level).ToList();
        }
        var series = new List<Series>();
        var groups = results.SelectMany(r => r.Bobs).GroupBy(b => (b.Kind, b.FineTuneDocuments))
            .OrderBy(g => g.Key.Kind).ThenBy(g => g.Key.FineTuneDocuments);
        foreach (var g in groups)
            series.Add(new Series($"{Label(g.Key.Kind)} Bob, {g.Key.FineTuneDocuments} docs", deciles,
                Centred(g.Select(b => b.TraceByDecile)), g.Key.Kind == BobKind.Null ? SeriesRole.Control : SeriesRole.Ablation));
        series.Add(new Series("Alice", deciles, Centred(results.Select(r => r.AliceTraceByDecile)), SeriesRole.Method));
        return series;
    }

    /// <summary>A Bob kind as the notebook and the figures name it.</summary>
    public static string Label(BobKind kind) => kind switch
    {
        BobKind.Derived => "derived",
        BobKind.Null => "null",
        BobKind.DerivedHot => "derived-hot",
        BobKind.DerivedDecay => "derived-decay",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

using System.Globalization;
using MathNet.Numerics.Distributions;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.ModelProvenance;
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
/// Scaled down: Pythia/OLMo and 40+ public fine-tunes become a 2-layer TinyGpt trained for one epoch on synthetic,
/// individually memorable documents, and Bobs that fine-tune it on another domain; null Bobs are independent models
/// given the same fine-tune. The toy still tests the claim because the test statistics, the random order that makes
/// them valid, and the null models are the paper's own.
/// Claim kinds (protocol §2, revised before any run on this design): the precondition is that Alice herself carries a
/// palimpsest (her own query test); the findings are the protocol's detection criteria for derived Bobs and its
/// no-false-alarm criteria for null Bobs, in the query and the observational (reshuffle) settings; the control pairs each
/// derived Bob with the null Bob given the same fine-tune, document by document (a null Bob wins whenever the trace comes
/// from the fine-tune or the reference rather than from Alice's order); that the order is independent of content is a
/// sanity check (true by construction of a random permutation).
/// </summary>
public sealed class PalimpsestProvenance : Experiment<PalimpsestProvenance.Config, PalimpsestProvenance.Result>
{
    /// <summary>Budgets; defaults are the Full budget (protocol: 20k documents, 3 derived and 3 null Bobs, K = 19).</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Alice's training documents (paper: Pythia's 300B tokens; protocol: 20k × 32 tokens).</summary>
        public int Documents { get; init; } = 20_000;
        /// <summary>Residual width (protocol's TinyStories study: 256; 128 suffices for 32-token documents).</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Sequences per fine-tuning step (Alice's runs use 32, so every phase has whole batches).</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Alice's constant learning rate (after warm-up); the protocol asks for a constant or high-floor schedule.</summary>
        public double LearningRate { get; init; } = 2e-3;
        /// <summary>Share of Alice's epoch replayed by the reshuffle test (paper: last 50k of 500k stories).</summary>
        public double LastPhaseFraction { get; init; } = 0.1;
        /// <summary>Reshuffled replays of the last phase (paper and protocol: K = 19, so a first rank gives p = 0.05).</summary>
        public int Reshuffles { get; init; } = 19;
        /// <summary>Bob's fine-tuning sizes in documents: one derived and one null Bob each (protocol: 1k/5k).</summary>
        public int[] FineTuneSizes { get; init; } = [1_000, 3_000, 10_000];
        /// <summary>
        /// Bob's fine-tuning learning rate (one epoch): a tenth of Alice's, the usual ratio of fine-tuning to
        /// pretraining rates (the protocol leaves it open; a smoke pilot at half of Alice's rate erased the signal,
        /// which the "derived-hot" Bob reports).
        /// </summary>
        public double FineTuneLearningRate { get; init; } = 2e-4;
        /// <summary>The "derived-hot" Bob fine-tunes at this multiple of <see cref="FineTuneLearningRate"/>.</summary>
        public double HotFineTuneFactor { get; init; } = 5;
        /// <summary>Tokens of Bob's generated text given to the observational tests (protocol: 128, 512, 2048).</summary>
        public int[] TextTokens { get; init; } = [128, 512, 2048];
        /// <summary>n of the partition test's n-grams.</summary>
        public int NgramLength { get; init; } = 6;
        /// <summary>Also train an Alice with a strongly decaying learning rate and test its derived Bob.</summary>
        public bool UseDecayAblation { get; init; } = true;
        /// <summary>
        /// Blocks of Alice's documents (by document index) whose mean rank products are the items of the derived-against-
        /// null control: their mean is the query test's rho, and blocks keep the evidence small in result.json.
        /// </summary>
        public int QueryBlocks { get; init; } = 200;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>
        /// Protocol's smoke budget: 4k documents, one derived and one null Bob, 5 reshuffles (the text sizes stay, so
        /// that the observational claims' measurement runs at smoke too).
        /// </summary>
        public static Config Smoke { get; } = Full with
        {
            Documents = 4_000, Width = 64, Reshuffles = 5, FineTuneSizes = [1_000], UseDecayAblation = false,
        };
    }

    /// <summary>One suspect model and what each test said about it.</summary>
    /// <param name="Kind">"derived" (fine-tuned from Alice), "null" (independent, same fine-tune), "derived-hot" (a
    /// derived Bob fine-tuned at a high learning rate) or "derived-decay" (derived from an Alice whose rate decayed).</param>
    /// <param name="FineTuneDocuments">Size of Bob's fine-tune.</param>
    /// <param name="Rho">Query test: Spearman(position, Bob's loss − reference loss).</param>
    /// <param name="PValue">Query test: one-sided p for rho &lt; 0.</param>
    /// <param name="RankP">Reshuffle test's rank p at each entry of TextTokens.</param>
    /// <param name="Z">Reshuffle test's z-score at each entry of TextTokens.</param>
    /// <param name="PartitionP">Partition test's p at each entry of TextTokens.</param>
    /// <param name="RhoBlocks">The query test's rho as block means of rank products (<see cref="Config.QueryBlocks"/>
    /// blocks of Alice's documents, by document index); their mean is <paramref name="Rho"/>.</param>
    public sealed record Bob(string Kind, int FineTuneDocuments, double Rho, double PValue,
        IReadOnlyList<double> RankP, IReadOnlyList<double> Z, IReadOnlyList<double> PartitionP, IReadOnlyList<double> RhoBlocks);

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
        /// <summary>Alice's loss against training position, in 20 bins (mean NLL per bin, nats/token).</summary>
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
            r => Evidence.Paired(Blocks(r, "null"), Blocks(r, "derived")), Comparison.Greater, 0, Budget.Full,
            "Spearman rho (per block)", dependsOn: [Palimpsest]),
        Claim.Sanity<Result>("order-independent-of-content",
            Inv($"Alice's order is independent of document content (Spearman p > {OrderCheckAlpha:0e+0}): the random order ") +
            "that makes every p-value valid",
            r => PValue.Log10(r.OrderContentP), Comparison.Greater, Math.Log10(OrderCheckAlpha), Budget.Smoke, "log10 p"),
    ];

    /// <summary>Every block of every Bob of <paramref name="kind"/>, Bobs in fine-tune order.</summary>
    private static List<double> Blocks(Result r, string kind) =>
        r.Bobs.Where(b => b.Kind == kind).SelectMany(b => b.RhoBlocks).ToList();

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        if (!cfg.TextTokens.Contains(ObservationalTokens))
            throw new ArgumentException(
                $"TextTokens must include {ObservationalTokens} (the claims' text size); got {string.Join(",", cfg.TextTokens)}");
        if (cfg.QueryBlocks < 2 || cfg.QueryBlocks > cfg.Documents)
            throw new ArgumentException($"QueryBlocks {cfg.QueryBlocks} must be in 2..Documents ({cfg.Documents})");
        var tokenizer = new WordTokenizer(ProvenanceCorpus.Vocabulary);
        var data = ctx.Rng("data");
        var docs = Enumerable.Range(0, cfg.Documents).Select(_ => tokenizer.Encode(ProvenanceCorpus.AliceDocument(data))).ToList();
        var fineTune = Enumerable.Range(0, cfg.FineTuneSizes.Max()).Select(_ => tokenizer.Encode(ProvenanceCorpus.BobDocument(data))).ToList();
        int context = docs.Concat(fineTune).Max(d => d.Length) - 1;
        var shape = new TinyGptConfig(tokenizer.VocabSize, context, cfg.Layers, cfg.Width, cfg.Heads);
        var models = new List<TinyGpt>();
        TinyGpt Fresh(string stream)
        {
            using var g = ctx.TorchGenerator(stream);
            var m = new TinyGpt(shape, g).to(ctx.Device);
            models.Add(m);
            return m;
        }
        TinyGpt Keep(TinyGpt m)
        {
            models.Add(m);
            return m;
        }
        try
        {
            // Alice: one epoch in a logged random order, in two phases so the last can be replayed reshuffled.
            var aliceOrder = ctx.Rng("alice-order").Permutation(docs.Count);
            var order = TrainingOrder.FromSequence(aliceOrder, docs.Count);
            var check = order.Check(docs.Select(d => (double)(d.Aggregate(17L, (h, t) => (h * 31 + t) % 1_000_003))).ToList());
            if (!check.IsPermutation) throw new InvalidOperationException("Alice's order is not a permutation");
            int split = (int)Math.Round(docs.Count * (1 - cfg.LastPhaseFraction));
            var alice = Fresh("alice-init");
            Train(alice, docs, aliceOrder[..split], cfg.LearningRate, warmup: 50, ctx, "alice");
            var checkpoint = Keep(alice.Copy());
            Train(alice, docs, aliceOrder[split..], cfg.LearningRate, warmup: 0, ctx, "alice-last");

            var reference = Fresh("ref-init");
            Train(reference, docs, ctx.Rng("ref-order").Permutation(docs.Count), cfg.LearningRate, 50, ctx, "reference");
            double[] refLoss = PerDocumentLoss(reference, docs);
            double[] aliceLoss = PerDocumentLoss(alice, docs);

            var reshuffled = new List<TinyGpt>();
            for (int k = 0; k < cfg.Reshuffles; k++)
            {
                var replay = Keep(checkpoint.Copy());
                var tail = aliceOrder[split..];
                ctx.Rng($"reshuffle-{k}").Shuffle(tail);
                Train(replay, docs, tail, cfg.LearningRate, 0, ctx, $"reshuffle {k + 1}/{cfg.Reshuffles}");
                reshuffled.Add(replay);
            }

            var partition = new PartitionTest(docs, order, cfg.NgramLength);
            var bobs = new List<Bob>();
            Bob Query(string kind, TinyGpt bob, int size)
            {
                var loss = PerDocumentLoss(bob, docs);
                var q = QueryTest.Run(order, loss, refLoss);
                return new Bob(kind, size, q.Rho, q.PValue, [], [], [], RhoBlocks(order, loss, refLoss, cfg.QueryBlocks));
            }
            Bob Test(string kind, TinyGpt bob, int size, int index)
            {
                var query = Query(kind, bob, size);
                var texts = SampleText(bob, cfg.TextTokens.Max(), ctx.Rng($"bob-text-{kind}-{index}"));
                var rankP = new List<double>();
                var z = new List<double>();
                var partitionP = new List<double>();
                foreach (int m in cfg.TextTokens)
                {
                    var prefix = Prefix(texts, m);
                    var test = ReshuffleTest.Rank(-LanguageModel.MeanNll(alice, prefix),
                        reshuffled.Select(r => -LanguageModel.MeanNll(r, prefix)).ToList());
                    rankP.Add(test.RankP);
                    z.Add(test.Z);
                    partitionP.Add(partition.Run(prefix).PValue);
                }
                return query with { RankP = rankP, Z = z, PartitionP = partitionP };
            }
            for (int i = 0; i < cfg.FineTuneSizes.Length; i++)
            {
                var derived = Keep(alice.Copy());
                FineTune(derived, fineTune.Take(cfg.FineTuneSizes[i]).ToList(), cfg, ctx, $"derived-{i}");
                bobs.Add(Test("derived", derived, cfg.FineTuneSizes[i], i));
            }
            int middle = cfg.FineTuneSizes[cfg.FineTuneSizes.Length / 2];
            var hot = Keep(alice.Copy());
            FineTune(hot, fineTune.Take(middle).ToList(), cfg with { FineTuneLearningRate = cfg.FineTuneLearningRate * cfg.HotFineTuneFactor },
                ctx, "derived-hot");
            bobs.Add(Query("derived-hot", hot, middle));
            for (int i = 0; i < cfg.FineTuneSizes.Length; i++)
            {
                var independent = Fresh($"null-init-{i}");
                Train(independent, docs, ctx.Rng($"null-order-{i}").Permutation(docs.Count), cfg.LearningRate, 50, ctx, $"null-{i}");
                FineTune(independent, fineTune.Take(cfg.FineTuneSizes[i]).ToList(), cfg, ctx, $"null-{i}");
                bobs.Add(Test("null", independent, cfg.FineTuneSizes[i], i));
            }
            if (cfg.UseDecayAblation)
            {
                // The same Alice run with a learning rate decaying to 1% of its peak: late examples get small updates.
                var decay = Fresh("alice-init");
                Trainer.Fit(decay, docs, Options(aliceOrder, cfg.LearningRate, 50) with
                {
                    Schedule = LrScheduleKind.Cosine, MinLrFraction = 0.01, Stage = "alice-decay",
                }, ctx);
                FineTune(decay, fineTune.Take(middle).ToList(), cfg, ctx, "derived-decay");
                bobs.Add(Query("derived-decay", decay, middle));
            }

            int at = Array.IndexOf(cfg.TextTokens, ObservationalTokens);
            var derivedBobs = bobs.Where(b => b.Kind == "derived").ToList();
            var nullBobs = bobs.Where(b => b.Kind == "null").ToList();
            var aliceTest = QueryTest.Run(order, aliceLoss, refLoss);
            return new Result
            {
                Bobs = bobs,
                TextTokens = cfg.TextTokens,
                Reshuffles = cfg.Reshuffles,
                AliceRho = aliceTest.Rho,
                AlicePValue = aliceTest.PValue,
                SmallestDerivedLog10P = PValue.Log10(derivedBobs.MinBy(b => b.FineTuneDocuments)!.PValue),
                WeakestDerivedFisherTerm = derivedBobs.Min(b => -2 * Math.Log(10) * PValue.Log10(b.PValue)),
                NullFlaggedShare = nullBobs.Average(b => b.PValue <= PooledAlpha ? 1.0 : 0.0),
                DerivedFirst = derivedBobs.Select(b => RanksFirst(b, at, cfg.Reshuffles) ? 1.0 : 0.0).ToList(),
                NullFirst = nullBobs.Select(b => RanksFirst(b, at, cfg.Reshuffles) ? 1.0 : 0.0).ToList(),
                DerivedPartitionDetected = derivedBobs.Select(b => b.PartitionP[at] <= PartitionAlpha ? 1.0 : 0.0).ToList(),
                OrderContentRho = check.ContentRho,
                OrderContentP = check.ContentP,
                AliceLossByPositionBin = Binned(order, aliceLoss, 20),
                ReferenceLossByPositionBin = Binned(order, refLoss, 20),
            };
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
    }

    private const int AliceBatch = 32;

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

    private static TrainOptions Options(IReadOnlyList<int> order, double learningRate, int warmup) => new()
    {
        Order = order, Steps = (order.Count + AliceBatch - 1) / AliceBatch, BatchSize = AliceBatch, LearningRate = learningRate,
        Schedule = LrScheduleKind.Constant, WarmupSteps = warmup,
    };

    private static void Train(TinyGpt model, IReadOnlyList<int[]> docs, IReadOnlyList<int> order, double learningRate,
        int warmup, RunContext ctx, string stage) =>
        Trainer.Fit(model, docs, Options(order, learningRate, warmup) with { Stage = stage }, ctx);

    private static void FineTune(TinyGpt model, IReadOnlyList<int[]> docs, Config cfg, RunContext ctx, string stream) =>
        Trainer.Fit(model, docs, new TrainOptions
        {
            Steps = (docs.Count + cfg.BatchSize - 1) / cfg.BatchSize, BatchSize = cfg.BatchSize,
            LearningRate = cfg.FineTuneLearningRate, Schedule = LrScheduleKind.Constant, WarmupSteps = 10,
            OrderStream = $"fine-tune-order-{stream}", Stage = $"fine-tune {stream}",
        }, ctx);

    /// <summary>Mean NLL (nats/token) of every document.</summary>
    private static double[] PerDocumentLoss(TinyGpt model, IReadOnlyList<int[]> docs) =>
        LanguageModel.TokenLogProbs(model, docs, batchSize: 256).Select(r => -r.Average(v => (double)v)).ToArray();

    /// <summary>Bob's own text: unconditional samples until <paramref name="tokens"/> tokens are collected.</summary>
    private static List<int[]> SampleText(TinyGpt bob, int tokens, Rng rng)
    {
        var texts = new List<int[]>();
        int total = 0;
        while (total < tokens)
        {
            var sample = LanguageModel.Generate(bob, [WordTokenizer.Bos], bob.Config.ContextLength, rng, 1.0, WordTokenizer.Eos);
            if (sample.Length < 2) continue;
            texts.Add(sample);
            total += sample.Length - 1;
        }
        return texts;
    }

    /// <summary>The first samples holding at least <paramref name="tokens"/> predicted tokens.</summary>
    private static List<int[]> Prefix(IReadOnlyList<int[]> texts, int tokens)
    {
        var prefix = new List<int[]>();
        int total = 0;
        foreach (var t in texts)
        {
            if (total >= tokens) break;
            prefix.Add(t);
            total += t.Length - 1;
        }
        return prefix;
    }

    private static IReadOnlyList<double> Binned(TrainingOrder order, double[] loss, int bins)
    {
        int n = loss.Length;
        var sums = new double[bins];
        var counts = new int[bins];
        for (int i = 0; i < n; i++)
        {
            int b = Math.Min(bins - 1, order.Positions[i] * bins / n);
            sums[b] += loss[i];
            counts[b]++;
        }
        return sums.Select((s, b) => counts[b] == 0 ? double.NaN : s / counts[b]).ToList();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results)
    {
        var first = results[0];
        var bins = Enumerable.Range(0, first.AliceLossByPositionBin.Count)
            .Select(b => (b + 0.5) / first.AliceLossByPositionBin.Count).ToList();
        var palimpsest = new List<Series>();
        for (int i = 1; i < results.Count; i++)
            palimpsest.Add(new Series($"Alice, seed #{i + 1}", bins, results[i].AliceLossByPositionBin, SeriesRole.Seed));
        palimpsest.Add(new Series("reference (other order)", bins, first.ReferenceLossByPositionBin, SeriesRole.Control));
        palimpsest.Add(new Series("Alice", bins, first.AliceLossByPositionBin, SeriesRole.Method));

        var pBySize = new List<Series>();
        foreach (var kind in new[] { "null", "derived" })
        {
            var bobs = results.SelectMany(r => r.Bobs.Where(b => b.Kind == kind)).ToList();
            var sizes = bobs.Select(b => b.FineTuneDocuments).Distinct().Order().ToList();
            pBySize.Add(new Series($"{kind} Bobs (mean over seeds)", sizes.Select(s => (double)s).ToList(),
                sizes.Select(s => bobs.Where(b => b.FineTuneDocuments == s).Average(b => -PValue.Log10(b.PValue))).ToList(),
                kind == "derived" ? SeriesRole.Method : SeriesRole.Control));
        }

        var power = new List<Series>();
        var tokens = first.TextTokens.Select(t => (double)t).ToList();
        var derived = results.SelectMany(r => r.Bobs.Where(b => b.Kind == "derived").Select(b => (Bob: b, r.Reshuffles))).ToList();
        var nulls = results.SelectMany(r => r.Bobs.Where(b => b.Kind == "null").Select(b => (Bob: b, r.Reshuffles))).ToList();
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
            ("p-value-by-fine-tune", Core.Reporting.Figures.Lines("Does fine-tuning erase the order signal?",
                "Bob's fine-tune (documents)", "query test −log10 p", pBySize, logX: true)),
            ("power-by-tokens", Core.Reporting.Figures.Lines("How much of Bob's text does each observational test need?",
                "tokens of Bob's text", "share of Bobs detected (p ≤ 0.05)", power, logX: true)),
        ];
    }
}

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

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Protocol's smoke budget: 4k documents, one derived and one null Bob, 5 reshuffles.</summary>
        public static Config Smoke { get; } = Full with
        {
            Documents = 4_000, Width = 64, Reshuffles = 5, FineTuneSizes = [1_000], TextTokens = [128, 512],
            UseDecayAblation = false,
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
    public sealed record Bob(string Kind, int FineTuneDocuments, double Rho, double PValue,
        IReadOnlyList<double> RankP, IReadOnlyList<double> Z, IReadOnlyList<double> PartitionP);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every Bob, derived first.</summary>
        public required IReadOnlyList<Bob> Bobs { get; init; }
        /// <summary>The token counts the observational tests used.</summary>
        public required IReadOnlyList<int> TextTokens { get; init; }
        /// <summary>Largest log10 p of the query test over derived Bobs (0 if any derived rho ≥ 0): the weakest detection.</summary>
        public required double WorstDerivedLog10P { get; init; }
        /// <summary>Smallest log10 p of the query test over null Bobs: the strongest false alarm.</summary>
        public required double BestNullLog10P { get; init; }
        /// <summary>Share of derived Bobs whose true model ranks first (p ≤ 0.05 at K = 19) at 512 tokens.</summary>
        public required double DerivedFirstAt512 { get; init; }
        /// <summary>Share of null Bobs whose true model ranks first at 512 tokens.</summary>
        public required double NullFirstAt512 { get; init; }
        /// <summary>Share of derived Bobs the partition test detects (p ≤ 0.05) at 512 tokens.</summary>
        public required double PartitionDetectedAt512 { get; init; }
        /// <summary>Query-test rho of Alice's own loss (no fine-tune): the palimpsest before anything is layered on top.</summary>
        public required double AliceRho { get; init; }
        /// <summary>Correlation of Alice's order with document content (must be ≈ 0 for valid p-values).</summary>
        public required double OrderContentRho { get; init; }
        /// <summary>Its p-value.</summary>
        public required double OrderContentP { get; init; }
        /// <summary>Alice's loss against training position, in 20 bins (mean NLL per bin, nats/token).</summary>
        public required IReadOnlyList<double> AliceLossByPositionBin { get; init; }
        /// <summary>The same for the reference model (flat: it saw the documents in another order).</summary>
        public required IReadOnlyList<double> ReferenceLossByPositionBin { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("palimpsest-provenance", "memorization",
        "Blackbox Model Provenance via Palimpsestic Membership Inference", 2025,
        "https://arxiv.org/abs/2510.19796");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        Claim.Finding<Result>("derived-detected-smoke",
            "Every derived Bob's loss falls with Alice's training order (rho < 0, p < 1e-3 at smoke)",
            r => r.WorstDerivedLog10P, Comparison.Less, -3, Budget.Smoke, "log10 p"),
        Claim.Finding<Result>("derived-detected",
            "Every derived Bob is detected in the query setting with p < 1e-6",
            r => r.WorstDerivedLog10P, Comparison.Less, -6, Budget.Full, "log10 p"),
        Claim.Finding<Result>("null-not-detected",
            "No independent (null) Bob is flagged: every null p > 0.01",
            r => r.BestNullLog10P, Comparison.Greater, -2, Budget.Full, "log10 p"),
        Claim.Control<Result>("derived-beats-null",
            "The weakest derived Bob is flagged far more strongly than the strongest null Bob",
            r => r.BestNullLog10P - r.WorstDerivedLog10P, Comparison.Greater, 3, Budget.Smoke, "orders of magnitude"),
        Claim.Finding<Result>("reshuffle-derived",
            "From 512 tokens of Bob's text, the true-order model ranks first among the reshuffles for most derived Bobs",
            r => r.DerivedFirstAt512, Comparison.AtLeast, 2.0 / 3.0, Budget.Full, "share of derived Bobs"),
        Claim.Finding<Result>("reshuffle-null",
            "... and for no null Bob",
            r => r.NullFirstAt512, Comparison.AtMost, 0.0, Budget.Full, "share of null Bobs"),
        Claim.Finding<Result>("partition-needs-more-text",
            "At 512 tokens the reshuffle test detects more derived Bobs than the partition test",
            r => r.DerivedFirstAt512 - r.PartitionDetectedAt512, Comparison.Greater, 0.0, Budget.Full, "share of derived Bobs"),
    ];

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        if (cfg.TextTokens.Length == 0 || !cfg.TextTokens.Contains(512))
            throw new ArgumentException($"TextTokens must include 512 (the claims' text size); got {string.Join(",", cfg.TextTokens)}");
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
            Bob Test(string kind, TinyGpt bob, int size, int index)
            {
                var q = QueryTest.Run(order, PerDocumentLoss(bob, docs), refLoss);
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
                    z.Add(Math.Round(test.Z, 4));
                    partitionP.Add(partition.Run(prefix).PValue);
                }
                return new Bob(kind, size, q.Rho, q.PValue, rankP, z, partitionP);
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
            var hotTest = QueryTest.Run(order, PerDocumentLoss(hot, docs), refLoss);
            bobs.Add(new Bob("derived-hot", middle, hotTest.Rho, hotTest.PValue, [], [], []));
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
                var q = QueryTest.Run(order, PerDocumentLoss(decay, docs), refLoss);
                bobs.Add(new Bob("derived-decay", middle, q.Rho, q.PValue, [], [], []));
            }

            int at512 = Array.IndexOf(cfg.TextTokens, 512);
            var derivedBobs = bobs.Where(b => b.Kind == "derived").ToList();
            var nullBobs = bobs.Where(b => b.Kind == "null").ToList();
            double firstP = 1.0 / (cfg.Reshuffles + 1);
            return new Result
            {
                Bobs = bobs,
                TextTokens = cfg.TextTokens,
                WorstDerivedLog10P = derivedBobs.Any(b => b.Rho >= 0) ? 0 : derivedBobs.Max(b => PValue.Log10(b.PValue)),
                BestNullLog10P = nullBobs.Min(b => PValue.Log10(b.PValue)),
                DerivedFirstAt512 = derivedBobs.Average(b => b.RankP[at512] <= firstP + 1e-12 ? 1.0 : 0.0),
                NullFirstAt512 = nullBobs.Average(b => b.RankP[at512] <= firstP + 1e-12 ? 1.0 : 0.0),
                PartitionDetectedAt512 = derivedBobs.Average(b => b.PartitionP[at512] <= 0.05 ? 1.0 : 0.0),
                AliceRho = QueryTest.Run(order, aliceLoss, refLoss).Rho,
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
        return sums.Select((s, b) => counts[b] == 0 ? double.NaN : Math.Round(s / counts[b], 5)).ToList();
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
        var derived = results.SelectMany(r => r.Bobs.Where(b => b.Kind == "derived")).ToList();
        var nulls = results.SelectMany(r => r.Bobs.Where(b => b.Kind == "null")).ToList();
        double firstRank(Bob b, int i) => b.RankP[i] <= 0.0500001 ? 1.0 : 0.0;
        power.Add(new Series("reshuffle, null Bobs", tokens,
            tokens.Select((_, i) => nulls.Average(b => firstRank(b, i))).ToList(), SeriesRole.Control));
        power.Add(new Series("partition, derived Bobs", tokens,
            tokens.Select((_, i) => derived.Average(b => b.PartitionP[i] <= 0.05 ? 1.0 : 0.0)).ToList(), SeriesRole.Ablation));
        power.Add(new Series("reshuffle, derived Bobs", tokens,
            tokens.Select((_, i) => derived.Average(b => firstRank(b, i))).ToList(), SeriesRole.Method));
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

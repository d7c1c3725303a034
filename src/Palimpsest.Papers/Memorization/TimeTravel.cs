using System.Globalization;
using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Golchin and Surdeanu 2024, "Time Travel in LLMs: Tracing Data Contamination in Large Language Models", ICLR
/// (official code: https://github.com/shahriargolchin/time-travel-in-llms).
/// Claim: a model's completions of a partition's instances reveal whether that partition was in its training data:
/// completions guided by the partition's name match the true remainder more than general completions do (Algorithm 1,
/// a bootstrap test of ROUGE-L), and contaminated partitions yield exact or near-exact completions (Algorithm 2).
/// Scaled down: GPT-4 and seven NLP datasets become a TinyGpt pretrained on styled background text plus 5 of 12
/// synthetic partitions, each inserted with a header that names it. GPT-4's exact/near-exact judge becomes token edit
/// distance. Here the header is literally the memory key, so the toy tests the decision procedures, not how an LLM
/// follows instructions. Clean partitions are the control: their guided completions must not beat general ones.
/// Claim kinds: the precondition is that the model memorised the contaminated instances (verbatim recall under their
/// header; the paper's GPT-4 reproduces contaminated instances verbatim); the findings are the protocol's accuracy and
/// gap criteria; the control compares the guided-over-general gap of contaminated instances with that of clean ones
/// (a header that helps every partition, e.g. by priming its dataset's style, makes the clean partitions win).
/// </summary>
public sealed class TimeTravel : Experiment<TimeTravel.Config, TimeTravel.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Datasets (of <see cref="BenchmarkSuite"/>), each with a train and a test partition (paper: 7; protocol: 6).</summary>
        public int Datasets { get; init; } = 6;
        /// <summary>Instances per partition.</summary>
        public int PartitionSize { get; init; } = 200;
        /// <summary>Partitions inserted into the training data (protocol: 5 of 12).</summary>
        public int Contaminated { get; init; } = 5;
        /// <summary>
        /// Copies of each contaminated instance; the first carries the claims (protocol: 3), the others are reported.
        /// 16 was added after the first full run, in which 3 copies left no trace at all, to show whether the decision
        /// procedures work once the model has memorised something (the claims' numbers at 3 copies are unchanged).
        /// </summary>
        public int[] Duplications { get; init; } = [3, 1, 16];
        /// <summary>Background instances in the datasets' styles (the "web"), none of them a benchmark instance.</summary>
        public int BackgroundInstances { get; init; } = 24_000;
        /// <summary>
        /// Share of background instances written under a header naming their dataset and a random split, as dataset
        /// samples appear on the web. Without them, headers appear only before contaminated partitions and a guided
        /// prompt for a clean partition pulls the model to the wrong style (seen in a smoke pilot): an LLM, which knows
        /// the dataset names from elsewhere, has no such bias.
        /// </summary>
        public double HeadedBackgroundShare { get; init; } = 0.25;
        /// <summary>Instances per partition whose completions are judged (paper: 10).</summary>
        public int Judged { get; init; } = 10;
        /// <summary>Bootstrap resamples of Algorithm 1 (paper: 10,000).</summary>
        public int Resamples { get; init; } = 10_000;
        /// <summary>Algorithm 1 calls a partition contaminated when its bootstrap p is at most this.</summary>
        public double Alpha { get; init; } = 0.05;
        /// <summary>Algorithm 2's near-exact match: normalised token edit distance at most this.</summary>
        public double NearExactDistance { get; init; } = 0.2;
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Packed sequence length.</summary>
        public int Context { get; init; } = 64;
        /// <summary>Sequences per step; one epoch.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Peak learning rate (cosine to a tenth).</summary>
        public double LearningRate { get; init; } = 2e-3;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 2 datasets (4 partitions), 2 contaminated, one duplication level.</summary>
        public static Config Smoke { get; } = Full with
        {
            Datasets = 2, PartitionSize = 60, Contaminated = 2, Duplications = [3], BackgroundInstances = 6_000, Width = 96,
            Resamples = 2_000,
        };
    }

    /// <summary>One partition's verdicts under one model.</summary>
    /// <param name="Name">"dataset/split"; "…/validation" is the hidden partition, inserted without its header.</param>
    /// <param name="GuidedRougeL">Mean ROUGE-L of the guided completions over the judged instances.</param>
    /// <param name="GeneralRougeL">The same for the general completions.</param>
    /// <param name="ItemGuidedRougeL">Per judged instance: ROUGE-L of its guided completion against the true remainder.</param>
    /// <param name="ItemGeneralRougeL">Per judged instance: the same for its general completion.</param>
    /// <param name="ItemExact">Per judged instance: whether its guided completion is the true remainder, verbatim.</param>
    public sealed record Partition(int Duplication, string Name, bool Contaminated, double GuidedRougeL, double GeneralRougeL,
        double BootstrapP, bool Algorithm1, int Exact, int NearExact, bool Algorithm2,
        IReadOnlyList<double> ItemGuidedRougeL, IReadOnlyList<double> ItemGeneralRougeL, IReadOnlyList<bool> ItemExact)
    {
        /// <summary>True for the hidden partition (inserted without its header; outside the 12-partition accuracy).</summary>
        public bool IsHidden => Name.EndsWith("/validation", StringComparison.Ordinal);
    }

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every partition under every model (the headerless hidden partition last per model).</summary>
        public required IReadOnlyList<Partition> Partitions { get; init; }
        /// <summary>Share of the headed partitions Algorithm 1 labels correctly, per duplication level (config order).</summary>
        public required IReadOnlyList<double> Algorithm1Accuracy { get; init; }
        /// <summary>The same for Algorithm 2.</summary>
        public required IReadOnlyList<double> Algorithm2Accuracy { get; init; }
        /// <summary>
        /// Share of the judged instances of contaminated (headed) partitions whose guided completion is the true remainder,
        /// verbatim (first duplication level): what the model memorised.
        /// </summary>
        public required double VerbatimRecall { get; init; }
        /// <summary>Mean guided − general ROUGE-L over contaminated partitions (first duplication level).</summary>
        public required double ContaminatedGap { get; init; }
        /// <summary>Mean |guided − general| ROUGE-L over clean partitions (first duplication level): the control.</summary>
        public required double CleanAbsGap { get; init; }
        /// <summary>Mean guided − general ROUGE-L over clean partitions (signed).</summary>
        public required double CleanGap { get; init; }
        /// <summary>Duplication levels, as configured.</summary>
        public required IReadOnlyList<int> Duplications { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("time-travel", "memorization",
        "Time Travel in LLMs: Tracing Data Contamination in Large Language Models", 2024, "https://arxiv.org/abs/2308.08493");

    /// <summary>Issue 14's precondition: the model reproduces at least this share of the contaminated judged instances.</summary>
    public const double RecallCeiling = 0.5;
    /// <summary>Protocol §4: Algorithm 2 labels ≥ 11 of 12 partitions correctly (pooled over seeds ≥ 90%).</summary>
    public const double Algorithm2Level = 0.9;
    /// <summary>Protocol §4: Algorithm 1 labels ≥ 10 of 12 correctly (pooled ≥ 83%).</summary>
    public const double Algorithm1Level = 0.83;
    /// <summary>Protocol §4: contaminated partitions have guided − general ROUGE-L ≥ this.</summary>
    public const double ContaminatedGapLevel = 0.2;
    /// <summary>Protocol §4: clean partitions have |guided − general| ROUGE-L below this.</summary>
    public const double CleanGapLevel = 0.05;
    /// <summary>
    /// The control's margin: contaminated instances gain this much more ROUGE-L from the header than clean ones (fixed
    /// with the first claims, half the protocol's contaminated gap).
    /// </summary>
    public const double ControlMargin = 0.1;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private const string Memorised = "memorised";

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // Without memorisation there is nothing to detect: the first full run memorised nothing, so its clean-partition
        // claim passed vacuously.
        Claim.Precondition<Result>(Memorised,
            Inv($"The model memorised the contamination: at least {RecallCeiling:0%} of the contaminated judged instances ") +
            "are completed verbatim after their header (at the claims' duplication level)",
            r => r.VerbatimRecall, Comparison.AtLeast, RecallCeiling, Budget.Full, "share of instances"),
        Claim.Finding<Result>("algorithm2-accurate",
            Inv($"Algorithm 2 (exact / near-exact matches) labels at least 11 of 12 partitions correctly (pooled ≥ {Algorithm2Level:0%})"),
            r => r.Algorithm2Accuracy[0], Comparison.AtLeast, Algorithm2Level, Budget.Full, "share of partitions",
            dependsOn: [Memorised]),
        Claim.Finding<Result>("algorithm1-accurate",
            Inv($"Algorithm 1 (bootstrap of guided vs general ROUGE-L) labels at least 10 of 12 correctly (pooled ≥ {Algorithm1Level:0%})"),
            r => r.Algorithm1Accuracy[0], Comparison.AtLeast, Algorithm1Level, Budget.Full, "share of partitions",
            dependsOn: [Memorised]),
        Claim.Finding<Result>("contaminated-gap",
            Inv($"Contaminated partitions: guided − general ROUGE-L ≥ {ContaminatedGapLevel} (paired per judged instance)"),
            r => Evidence.Paired(Items(r, contaminated: true, p => p.ItemGuidedRougeL),
                Items(r, contaminated: true, p => p.ItemGeneralRougeL)),
            Comparison.AtLeast, ContaminatedGapLevel, Budget.Full, "ROUGE-L (per instance)", dependsOn: [Memorised]),
        // An upper bound on the absolute gap, not a comparison: a threshold claim on the mean over seeds, as the protocol
        // states it.
        Claim.Finding<Result>("clean-no-gap",
            Inv($"Clean partitions: |guided − general| ROUGE-L < {CleanGapLevel} (mean over clean partitions)"),
            r => r.CleanAbsGap, Comparison.Less, CleanGapLevel, Budget.Full, "ROUGE-L", dependsOn: [Memorised]),
        Claim.Control<Result>("contaminated-beat-clean",
            Inv($"The header lifts contaminated instances at least {ControlMargin} ROUGE-L more than clean ones (guided − ") +
            "general per judged instance, contaminated against clean partitions)",
            r => Evidence.Difference(Gaps(r, contaminated: true), Gaps(r, contaminated: false)),
            Comparison.Greater, ControlMargin, Budget.Full, "ROUGE-L (per instance)", dependsOn: [Memorised]),
    ];

    /// <summary>The headed partitions of the claims' duplication level (the first).</summary>
    private static IEnumerable<Partition> Judged(Result r, bool contaminated) =>
        r.Partitions.Where(p => p.Duplication == r.Duplications[0] && !p.IsHidden && p.Contaminated == contaminated);

    private static List<double> Items(Result r, bool contaminated, Func<Partition, IReadOnlyList<double>> items) =>
        Judged(r, contaminated).SelectMany(items).ToList();

    /// <summary>Per judged instance: guided − general ROUGE-L.</summary>
    private static List<double> Gaps(Result r, bool contaminated) =>
        Judged(r, contaminated).SelectMany(p => p.ItemGuidedRougeL.Select((g, i) => g - p.ItemGeneralRougeL[i])).ToList();

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var suite = new BenchmarkSuite();
        if (cfg.Datasets < 1 || cfg.Datasets > suite.Datasets.Count)
            throw new ArgumentException($"Datasets {cfg.Datasets} must be in 1..{suite.Datasets.Count}");
        if (cfg.Contaminated < 1 || cfg.Contaminated >= 2 * cfg.Datasets)
            throw new ArgumentException($"Contaminated {cfg.Contaminated} must be in 1..{2 * cfg.Datasets - 1} (some partitions must stay clean)");
        var tokenizer = new WordTokenizer(suite.Vocabulary);
        var data = ctx.Rng("data");
        var names = suite.Datasets.Take(cfg.Datasets).ToList();
        var partitions = names.SelectMany(d => new[] { (Dataset: d, Split: "train"), (Dataset: d, Split: "test") }).ToList();
        var instances = partitions.Select(p => Enumerable.Range(0, cfg.PartitionSize).Select(_ => suite.Instance(p.Dataset, data)).ToList()).ToList();
        var hidden = (Dataset: names[0], Split: "validation");
        var hiddenInstances = Enumerable.Range(0, cfg.PartitionSize).Select(_ => suite.Instance(hidden.Dataset, data)).ToList();
        var background = Enumerable.Range(0, cfg.BackgroundInstances).Select(_ => data.Pick(names))
            .Select(d => (Dataset: d, Text: suite.Instance(d, data))).ToList();
        var contaminated = ctx.Rng("contamination").Permutation(partitions.Count).Take(cfg.Contaminated).ToHashSet();

        int[] Encode(string text) => tokenizer.Encode(text, addBos: false, addEos: true);
        var headedRng = ctx.Rng("headed-background");
        var backgroundDocs = background.Select(b => Encode(headedRng.NextBool(cfg.HeadedBackgroundShare)
            ? $"{BenchmarkSuite.Header(b.Dataset, headedRng.NextBool() ? "train" : "test")} {b.Text}" : b.Text)).ToList();
        // Instances to judge, each cut at a random 40–70% point (paper's repository defaults).
        var pick = ctx.Rng("judge");
        var judged = instances.Append(hiddenInstances).Select(list => pick.Permutation(list.Count).Take(cfg.Judged).Select(i =>
        {
            var words = tokenizer.Encode(list[i], addBos: false, addEos: false);
            int cut = (int)Math.Round(words.Length * (0.4 + 0.3 * pick.NextDouble()));
            return (First: words[..cut], Tail: words[cut..]);
        }).ToList()).ToList();

        var rows = new List<Partition>();
        var acc1 = new List<double>();
        var acc2 = new List<double>();
        foreach (int dup in cfg.Duplications)
        {
            var inserts = partitions.SelectMany((p, k) => instances[k].Select(text =>
                    new Insert(Encode($"{BenchmarkSuite.Header(p.Dataset, p.Split)} {text}"), contaminated.Contains(k) ? dup : 0)))
                .Concat(hiddenInstances.Select(text => new Insert(Encode(text), dup))).ToList();
            var stream = Insertion.Interleave(backgroundDocs, inserts, ctx.Rng($"insert-{dup}"));
            var sequences = Packing.PackInOrder(stream, cfg.Context, WordTokenizer.Bos);
            var shape = new TinyGptConfig(tokenizer.VocabSize, cfg.Context, cfg.Layers, cfg.Width, cfg.Heads);
            using var init = ctx.TorchGenerator("init");
            using var model = new TinyGpt(shape, init).to(ctx.Device);
            Trainer.Fit(model, sequences,
                TrainOptions.OneEpoch(sequences.Count, cfg.BatchSize, cfg.LearningRate, inOrder: true) with { Stage = $"{dup} copies" }, ctx);

            var all = partitions.Append(hidden).ToList();
            var boot = ctx.Rng($"bootstrap-{dup}");
            for (int k = 0; k < all.Count; k++)
            {
                var header = tokenizer.Encode(BenchmarkSuite.Header(all[k].Dataset, all[k].Split), addBos: true, addEos: false);
                var items = judged[k];
                var guided = Complete(model, items.Select(x => header.Concat(x.First).ToArray()).ToList(), items);
                var general = Complete(model, items.Select(x => new[] { WordTokenizer.Bos }.Concat(x.First).ToArray()).ToList(), items);
                var gRouge = guided.Select((c, i) => TextOverlap.RougeL(c, items[i].Tail)).ToList();
                var nRouge = general.Select((c, i) => TextOverlap.RougeL(c, items[i].Tail)).ToList();
                double p = Bootstrap.PairedGreaterP(gRouge, nRouge, boot, cfg.Resamples);
                var isExact = guided.Select((c, i) => c.SequenceEqual(items[i].Tail)).ToList();
                int exact = isExact.Count(e => e);
                int near = guided.Select((c, i) => !isExact[i]
                    && TextOverlap.NormalizedEditDistance(c, items[i].Tail) <= cfg.NearExactDistance).Count(e => e);
                bool truth = k == partitions.Count || contaminated.Contains(k);
                rows.Add(new Partition(dup, $"{all[k].Dataset}/{all[k].Split}", truth, gRouge.Average(), nRouge.Average(),
                    p, p <= cfg.Alpha, exact, near, exact >= 1 || near >= 2, gRouge, nRouge, isExact));
            }
            var headed = rows.Where(r => r.Duplication == dup && !r.IsHidden).ToList();
            acc1.Add(headed.Average(r => r.Algorithm1 == r.Contaminated ? 1.0 : 0));
            acc2.Add(headed.Average(r => r.Algorithm2 == r.Contaminated ? 1.0 : 0));
        }
        var main = rows.Where(r => r.Duplication == cfg.Duplications[0] && !r.IsHidden).ToList();
        return new Result
        {
            Partitions = rows,
            Algorithm1Accuracy = acc1,
            Algorithm2Accuracy = acc2,
            VerbatimRecall = main.Where(r => r.Contaminated).SelectMany(r => r.ItemExact).Average(e => e ? 1.0 : 0.0),
            ContaminatedGap = main.Where(r => r.Contaminated).Average(r => r.GuidedRougeL - r.GeneralRougeL),
            CleanGap = main.Where(r => !r.Contaminated).Average(r => r.GuidedRougeL - r.GeneralRougeL),
            CleanAbsGap = main.Where(r => !r.Contaminated).Average(r => Math.Abs(r.GuidedRougeL - r.GeneralRougeL)),
            Duplications = cfg.Duplications,
        };
    }

    /// <summary>Greedy completions as long as each reference remainder, cut at the end token.</summary>
    private static List<int[]> Complete(TinyGpt model, List<int[]> prompts, List<(int[] First, int[] Tail)> items)
    {
        int length = items.Max(x => x.Tail.Length);
        var output = LanguageModel.Continue(model, prompts, length, stopId: WordTokenizer.Eos);
        return output.Select((c, i) => c.TakeWhile(t => t != WordTokenizer.Eos).Take(items[i].Tail.Length).ToArray()).ToList();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("guided-vs-general", GuidedVsGeneral(results[0])), ("accuracy", Accuracy(results))];

    /// <summary>Each partition's general against guided ROUGE-L (first seed, first duplication level).</summary>
    public static GenericChart GuidedVsGeneral(Result r)
    {
        var rows = r.Partitions.Where(p => p.Duplication == r.Duplications[0]).ToList();
        Series Points(string name, Func<Partition, bool> keep, SeriesRole role) =>
            new(name, rows.Where(keep).Select(p => p.GeneralRougeL).ToList(), rows.Where(keep).Select(p => p.GuidedRougeL).ToList(), role);
        return Core.Reporting.Figures.Scatter("Do guided prompts recover more of a contaminated partition than general prompts?",
            "general completion ROUGE-L", "guided completion ROUGE-L",
        [
            Points("clean partitions", p => !p.Contaminated, SeriesRole.Control),
            Points("hidden partition (no header in training)", p => p.IsHidden, SeriesRole.Ablation),
            Points("contaminated partitions", p => p.Contaminated && !p.IsHidden, SeriesRole.Method),
        ]);
    }

    /// <summary>Partition-level accuracy of both algorithms at each duplication level (mean and min–max over seeds).</summary>
    public static GenericChart Accuracy(IReadOnlyList<Result> results)
    {
        var bars = new List<(string, double, double?, double?, SeriesRole)>();
        for (int i = 0; i < results[0].Duplications.Count; i++)
        {
            int k = i;
            bars.Add(Core.Reporting.Figures.MeanBar($"Alg. 1, {results[0].Duplications[k]} copies", results.Select(r => r.Algorithm1Accuracy[k]).ToList(), SeriesRole.Ablation));
            bars.Add(Core.Reporting.Figures.MeanBar($"Alg. 2, {results[0].Duplications[k]} copies", results.Select(r => r.Algorithm2Accuracy[k]).ToList(), k == 0 ? SeriesRole.Method : SeriesRole.Ablation));
        }
        return Core.Reporting.Figures.Bars("How many partitions does each algorithm label correctly?", "accuracy (share of partitions)", bars);
    }
}

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
    public sealed record Partition(int Duplication, string Name, bool Contaminated, double GuidedRougeL, double GeneralRougeL,
        double BootstrapP, bool Algorithm1, int Exact, int NearExact, bool Algorithm2);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every partition under every model (the headerless hidden partition last per model).</summary>
        public required IReadOnlyList<Partition> Partitions { get; init; }
        /// <summary>Share of the headed partitions Algorithm 1 labels correctly, per duplication level (config order).</summary>
        public required IReadOnlyList<double> Algorithm1Accuracy { get; init; }
        /// <summary>The same for Algorithm 2.</summary>
        public required IReadOnlyList<double> Algorithm2Accuracy { get; init; }
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

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        Claim.Control<Result>("contaminated-beat-clean",
            "Guided completions beat general ones on contaminated partitions far more than on clean partitions (the control)",
            r => r.ContaminatedGap - r.CleanGap, Comparison.Greater, 0.1, Budget.Smoke, "ROUGE-L"),
        Claim.Finding<Result>("algorithm2-accurate",
            "Algorithm 2 (exact / near-exact matches) labels at least 11 of 12 partitions correctly at 3 copies (pooled ≥ 90%)",
            r => r.Algorithm2Accuracy[0], Comparison.AtLeast, 0.9, Budget.Full, "share of partitions"),
        Claim.Finding<Result>("algorithm1-accurate",
            "Algorithm 1 (bootstrap of guided vs general ROUGE-L) labels at least 10 of 12 correctly (pooled ≥ 83%)",
            r => r.Algorithm1Accuracy[0], Comparison.AtLeast, 0.83, Budget.Full, "share of partitions"),
        Claim.Finding<Result>("contaminated-gap",
            "Contaminated partitions: guided − general ROUGE-L ≥ 0.2",
            r => r.ContaminatedGap, Comparison.AtLeast, 0.2, Budget.Full, "ROUGE-L"),
        Claim.Finding<Result>("clean-no-gap",
            "Clean partitions: |guided − general| ROUGE-L < 0.05",
            r => r.CleanAbsGap, Comparison.Less, 0.05, Budget.Full, "ROUGE-L"),
    ];

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
                int exact = guided.Select((c, i) => c.SequenceEqual(items[i].Tail)).Count(b => b);
                int near = guided.Select((c, i) => !c.SequenceEqual(items[i].Tail) && TextOverlap.NormalizedEditDistance(c, items[i].Tail) <= cfg.NearExactDistance).Count(b => b);
                bool truth = k == partitions.Count || contaminated.Contains(k);
                rows.Add(new Partition(dup, $"{all[k].Dataset}/{all[k].Split}", truth, Math.Round(gRouge.Average(), 5), Math.Round(nRouge.Average(), 5),
                    Math.Round(p, 5), p <= cfg.Alpha, exact, near, exact >= 1 || near >= 2));
            }
            var headed = rows.Where(r => r.Duplication == dup && !r.Name.EndsWith("/validation")).ToList();
            acc1.Add(Math.Round(headed.Average(r => r.Algorithm1 == r.Contaminated ? 1.0 : 0), 5));
            acc2.Add(Math.Round(headed.Average(r => r.Algorithm2 == r.Contaminated ? 1.0 : 0), 5));
        }
        var main = rows.Where(r => r.Duplication == cfg.Duplications[0] && !r.Name.EndsWith("/validation")).ToList();
        return new Result
        {
            Partitions = rows,
            Algorithm1Accuracy = acc1,
            Algorithm2Accuracy = acc2,
            ContaminatedGap = Math.Round(main.Where(r => r.Contaminated).Average(r => r.GuidedRougeL - r.GeneralRougeL), 5),
            CleanGap = Math.Round(main.Where(r => !r.Contaminated).Average(r => r.GuidedRougeL - r.GeneralRougeL), 5),
            CleanAbsGap = Math.Round(main.Where(r => !r.Contaminated).Average(r => Math.Abs(r.GuidedRougeL - r.GeneralRougeL)), 5),
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
            Points("hidden partition (no header in training)", p => p.Name.EndsWith("/validation"), SeriesRole.Ablation),
            Points("contaminated partitions", p => p.Contaminated && !p.Name.EndsWith("/validation"), SeriesRole.Method),
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

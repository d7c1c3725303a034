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
/// small synthetic partitions, each inserted many times with a header that names it. GPT-4's exact/near-exact judge
/// becomes token edit distance. The opening of every benchmark instance also recurs in the background with other
/// continuations (as the first lines of a text recur on the web), and the prompts stop inside that opening, so only the
/// header singles out the memorised instance: the header is the memory key, and the toy tests the decision procedures,
/// not how an LLM follows instructions. Clean partitions are the control: their guided completions must not beat
/// general ones.
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
        /// <summary>
        /// Instances per partition (protocol: 200). Issue 14 asks for 20–40 per contaminated partition: the first full
        /// runs, with 200 (and a check with 20) at up to 16 copies, memorised nothing.
        /// </summary>
        public int PartitionSize { get; init; } = 30;
        /// <summary>Partitions inserted into the training data (protocol: 5 of 12).</summary>
        public int Contaminated { get; init; } = 5;
        /// <summary>
        /// Copies of each contaminated instance, one model per entry; the first carries the claims, the others are
        /// reported (protocol: 3 and 1, at which nothing was memorised; issue 14 asks for 16–64). One level by default:
        /// pilots on seeds 101–103 memorised at 64 copies with three passes; 16 and 32 can be added with
        /// <c>--set duplications=64,16,32</c> (one more model each).
        /// </summary>
        public int[] Duplications { get; init; } = [64];
        /// <summary>
        /// Passes over the whole stream (background and insertions), each in the same order. Three: one pass memorised
        /// nothing in the issue 14 pilot on seed 101; three did on seeds 101–103.
        /// </summary>
        public int Epochs { get; init; } = 3;
        /// <summary>Background instances in the datasets' styles (the "web"), none of them a benchmark instance.</summary>
        public int BackgroundInstances { get; init; } = 8_000;
        /// <summary>
        /// Background instances per benchmark instance (of every partition, clean or not) that repeat its opening, the
        /// first <see cref="CutTo"/> of its words, and continue with other slot values. Without them the first piece of
        /// an instance names it on its own (its slot values are unique), the general prompt recalls a memorised instance
        /// as well as the guided one, and the header carries nothing; GPT-4's general completions do not reproduce
        /// contaminated instances. They are drawn for clean partitions too, so that an opening seen in training does not
        /// itself mark a partition as contaminated.
        /// </summary>
        public int SharedOpenings { get; init; } = 16;
        /// <summary>
        /// Copies of one more sibling per benchmark instance, its "web version", never under a header (0 = none). Pilots
        /// with three passes found the general prompt recalling about a quarter of the contaminated instances verbatim:
        /// their copies outnumber every one-off sibling, so the header was not needed. A frequent headerless web version
        /// makes the header the key, as for an LLM that knows a benchmark's text from the web and its test split only
        /// under the split's name. Piloted on seeds 101–103 at 64: the general prompt then recalled nothing verbatim, the
        /// guided one nearly everything.
        /// </summary>
        public int WebVersionCopies { get; init; } = 64;
        /// <summary>
        /// Share of background instances written under a header naming their dataset and a random split, as dataset
        /// samples appear on the web. Without them, headers appear only before contaminated partitions and a guided
        /// prompt for a clean partition pulls the model to the wrong style (seen in a smoke pilot): an LLM, which knows
        /// the dataset names from elsewhere, has no such bias.
        /// </summary>
        public double HeadedBackgroundShare { get; init; } = 0.25;
        /// <summary>
        /// Instances per partition whose completions are judged (paper: 10); at most <see cref="PartitionSize"/>. More than
        /// the paper's so that the per-instance claims and the memorisation precondition rest on more instances.
        /// </summary>
        public int Judged { get; init; } = 30;
        /// <summary>
        /// The prompts give the first piece of an instance, cut at a uniform share of its words in
        /// [<see cref="CutFrom"/>, <see cref="CutTo"/>] (paper's repository: 0.4–0.7). Shorter than the paper's, so that the
        /// piece stays inside the opening the instance shares with its background siblings (issue 14: 0.2–0.4).
        /// </summary>
        public double CutFrom { get; init; } = 0.2;
        /// <summary>Upper end of the cut; also the share of words an instance shares with its siblings.</summary>
        public double CutTo { get; init; } = 0.4;
        /// <summary>Bootstrap resamples of Algorithm 1 (paper: 10,000).</summary>
        public int Resamples { get; init; } = 10_000;
        /// <summary>Algorithm 1 calls a partition contaminated when its bootstrap p is at most this.</summary>
        public double Alpha { get; init; } = 0.05;
        /// <summary>Algorithm 2's near-exact match: normalised token edit distance at most this.</summary>
        public double NearExactDistance { get; init; } = 0.2;
        /// <summary>Points of each model's memorisation curve (verbatim recall during training); 0 draws none.</summary>
        public int CurvePoints { get; init; } = 8;
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Packed sequence length.</summary>
        public int Context { get; init; } = 64;
        /// <summary>Sequences per step.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Peak learning rate (cosine to a tenth).</summary>
        public double LearningRate { get; init; } = 2e-3;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 2 datasets (4 partitions), 2 contaminated, small partitions, one duplication level.</summary>
        public static Config Smoke { get; } = Full with
        {
            Datasets = 2, PartitionSize = 10, Judged = 10, Contaminated = 2, Duplications = [64], BackgroundInstances = 1_500,
            SharedOpenings = 8, WebVersionCopies = 8, Width = 96, Resamples = 2_000, CurvePoints = 2, Epochs = 3,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.Between(Datasets, 1, new BenchmarkSuite().Datasets.Count);
            ConfigCheck.AtLeast(PartitionSize, 2);
            ConfigCheck.Between(Contaminated, 1, 2 * Datasets - 1); // some partitions stay clean
            ConfigCheck.EachAtLeast(Duplications, 1);
            ConfigCheck.Count(Epochs);
            ConfigCheck.AtLeast(BackgroundInstances, 0);
            ConfigCheck.AtLeast(SharedOpenings, 0);
            ConfigCheck.AtLeast(WebVersionCopies, 0);
            ConfigCheck.Fraction(HeadedBackgroundShare);
            ConfigCheck.Between(Judged, 2, PartitionSize);
            ConfigCheck.InRange(CutFrom, 0, 1, minIncluded: false, maxIncluded: false);
            ConfigCheck.InRange(CutTo, CutFrom, 1, maxIncluded: false);
            ConfigCheck.Count(Resamples);
            ConfigCheck.InRange(Alpha, 0, 1, minIncluded: false, maxIncluded: false);
            ConfigCheck.Fraction(NearExactDistance);
            ConfigCheck.AtLeast(CurvePoints, 0);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(Context);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
        }
    }

    /// <summary>One partition's verdicts under one model.</summary>
    /// <param name="Name">"dataset/split"; "…/validation" is the hidden partition, inserted without its header.</param>
    /// <param name="GuidedRougeL">Mean ROUGE-L of the guided completions over the judged instances.</param>
    /// <param name="GeneralRougeL">The same for the general completions.</param>
    /// <param name="GeneralExact">Judged instances whose general completion is the true remainder, verbatim.</param>
    /// <param name="ItemGuidedRougeL">Per judged instance: ROUGE-L of its guided completion against the true remainder.</param>
    /// <param name="ItemGeneralRougeL">Per judged instance: the same for its general completion.</param>
    /// <param name="ItemExact">Per judged instance: whether its guided completion is the true remainder, verbatim.</param>
    public sealed record Partition(int Duplication, string Name, bool Contaminated, double GuidedRougeL, double GeneralRougeL,
        double BootstrapP, bool Algorithm1, int Exact, int NearExact, bool Algorithm2, int GeneralExact,
        IReadOnlyList<double> ItemGuidedRougeL, IReadOnlyList<double> ItemGeneralRougeL, IReadOnlyList<bool> ItemExact)
    {
        /// <summary>True for the hidden partition (inserted without its header; outside the 12-partition accuracy).</summary>
        public bool IsHidden => Name.EndsWith("/validation", StringComparison.Ordinal);
    }

    /// <summary>One model's memorisation during training, on the contaminated (headed) judged instances.</summary>
    /// <param name="Steps">Training steps at which it was measured.</param>
    /// <param name="Guided">Share of the instances that greedy decoding after the guided prompt reproduces verbatim.</param>
    /// <param name="General">The same after the general prompt (no header).</param>
    public sealed record RecallCurve(int Duplication, int TotalSteps, IReadOnlyList<int> Steps, IReadOnlyList<double> Guided,
        IReadOnlyList<double> General);

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
        /// verbatim (first duplication level): what the model memorised under the header.
        /// </summary>
        public required double VerbatimRecall { get; init; }
        /// <summary>The same for their general completions: what the model recalls without the header.</summary>
        public required double GeneralRecall { get; init; }
        /// <summary>Mean guided − general ROUGE-L over contaminated partitions (first duplication level).</summary>
        public required double ContaminatedGap { get; init; }
        /// <summary>Mean |guided − general| ROUGE-L over clean partitions (first duplication level): the control.</summary>
        public required double CleanAbsGap { get; init; }
        /// <summary>Mean guided − general ROUGE-L over clean partitions (signed).</summary>
        public required double CleanGap { get; init; }
        /// <summary>Duplication levels, as configured.</summary>
        public required IReadOnlyList<int> Duplications { get; init; }
        /// <summary>Per duplication level: verbatim recall during training (empty when no curve was drawn).</summary>
        public required IReadOnlyList<RecallCurve> Curves { get; init; }
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
        // claim passed vacuously. Judged per seed, on the guided completions of the very instances the findings judge.
        Claim.Precondition<Result>(Memorised,
            Inv($"The model memorised the contamination: at least {RecallCeiling:0%} of the contaminated judged instances ") +
            "are completed verbatim after their header and first piece (at the claims' duplication level)",
            r => r.VerbatimRecall, Comparison.AtLeast, RecallCeiling, Budget.Full,
            "share of contaminated judged instances (guided completion = true remainder)"),
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
        var world = ContaminationWorld.Build(cfg, ctx.Streams);
        var partitions = new List<Partition>();
        var curves = new List<RecallCurve>();
        foreach (int copies in cfg.Duplications)
        {
            using var model = Train(cfg, ctx, world, copies, out var curve);
            partitions.AddRange(Judge(cfg, ctx, world, model, copies));
            if (curve is not null) curves.Add(curve);
        }
        return Summarise(cfg, partitions, curves);
    }

    /// <summary>Trains one model on the background with the contaminated partitions inserted <paramref name="copies"/> times.</summary>
    private static TinyGpt Train(Config cfg, RunContext ctx, ContaminationWorld world, int copies, out RecallCurve? curve)
    {
        var inserts = world.Partitions.Where(p => p.IsContaminated).SelectMany(p => p.Documents)
            .Select(doc => new Insert(doc, copies)).ToList();
        var stream = Insertion.Interleave(world.Background, inserts, ctx.Rng($"insert-{copies}"));
        var sequences = Packing.PackInOrder(stream, cfg.Context, WordTokenizer.Bos);
        var epoch = TrainOptions.OneEpoch(sequences.Count, cfg.BatchSize, cfg.LearningRate, inOrder: true);
        int steps = epoch.Steps * cfg.Epochs;
        var options = epoch with
        {
            Steps = steps, Stage = $"{copies} copies", EvalEvery = cfg.CurvePoints > 0 ? Math.Max(1, steps / cfg.CurvePoints) : 0,
        };
        var shape = new TinyGptConfig(world.VocabSize, cfg.Context, cfg.Layers, cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator("init");
        var model = new TinyGpt(shape, init).to(ctx.Device);
        var watched = world.Partitions.Where(p => p.IsContaminated && !p.IsHidden).SelectMany(p => p.Judged).ToList();
        var log = Trainer.Fit(model, sequences, options, ctx, _ => new Dictionary<string, double>
        {
            ["guided"] = Recall(model, watched, j => j.Guided),
            ["general"] = Recall(model, watched, j => j.General),
        });
        curve = cfg.CurvePoints == 0 ? null : new RecallCurve(copies, steps, log.Evaluations.Select(e => e.Step).ToList(),
            log.Evaluations.Select(e => e.Values["guided"]).ToList(), log.Evaluations.Select(e => e.Values["general"]).ToList());
        return model;
    }

    /// <summary>Share of <paramref name="items"/> whose remainder greedy decoding after the chosen prompt reproduces.</summary>
    private static double Recall(TinyGpt model, List<JudgedInstance> items, Func<JudgedInstance, int[]> prompt) =>
        Greedy.Reproduces(model, items.Select(j => (prompt(j), j.Tail)).ToList()).Average(e => e ? 1.0 : 0.0);

    /// <summary>
    /// Completes every judged instance of every partition after its guided and its general prompt (one batched greedy
    /// decoding for all of them), then applies both algorithms per partition.
    /// </summary>
    private static List<Partition> Judge(Config cfg, RunContext ctx, ContaminationWorld world, TinyGpt model, int copies)
    {
        var items = world.Partitions.SelectMany(p => p.Judged).ToList();
        var completions = Greedy.Complete(model, items.SelectMany(j => new[] { (j.Guided, j.Tail), (j.General, j.Tail) }).ToList());
        var boot = ctx.Rng($"bootstrap-{copies}");
        var rows = new List<Partition>();
        int next = 0;
        foreach (var part in world.Partitions)
        {
            var judged = part.Judged;
            var guided = judged.Select((_, i) => completions[2 * (next + i)]).ToList();
            var general = judged.Select((_, i) => completions[2 * (next + i) + 1]).ToList();
            next += judged.Count;
            var gRouge = guided.Select((c, i) => TextOverlap.RougeL(c, judged[i].Tail)).ToList();
            var nRouge = general.Select((c, i) => TextOverlap.RougeL(c, judged[i].Tail)).ToList();
            double p = Bootstrap.PairedGreaterP(gRouge, nRouge, boot, cfg.Resamples);
            var isExact = guided.Select((c, i) => c.SequenceEqual(judged[i].Tail)).ToList();
            int exact = isExact.Count(e => e);
            int near = guided.Where((c, i) => !isExact[i]
                && TextOverlap.NormalizedEditDistance(c, judged[i].Tail) <= cfg.NearExactDistance).Count();
            int generalExact = general.Where((c, i) => c.SequenceEqual(judged[i].Tail)).Count();
            rows.Add(new Partition(copies, part.Name, part.IsContaminated, gRouge.Average(), nRouge.Average(), p,
                p <= cfg.Alpha, exact, near, exact >= 1 || near >= 2, generalExact, gRouge, nRouge, isExact));
        }
        return rows;
    }

    /// <summary>Accuracy per level, and the claims' numbers at the first level.</summary>
    private static Result Summarise(Config cfg, List<Partition> rows, List<RecallCurve> curves)
    {
        List<Partition> Headed(int copies) => rows.Where(r => r.Duplication == copies && !r.IsHidden).ToList();
        var main = Headed(cfg.Duplications[0]);
        var contaminated = main.Where(r => r.Contaminated).ToList();
        var clean = main.Where(r => !r.Contaminated).ToList();
        return new Result
        {
            Partitions = rows,
            Algorithm1Accuracy = cfg.Duplications.Select(d => Headed(d).Average(r => r.Algorithm1 == r.Contaminated ? 1.0 : 0)).ToList(),
            Algorithm2Accuracy = cfg.Duplications.Select(d => Headed(d).Average(r => r.Algorithm2 == r.Contaminated ? 1.0 : 0)).ToList(),
            VerbatimRecall = contaminated.SelectMany(r => r.ItemExact).Average(e => e ? 1.0 : 0.0),
            GeneralRecall = (double)contaminated.Sum(r => r.GeneralExact) / contaminated.Sum(r => r.ItemExact.Count),
            ContaminatedGap = contaminated.Average(r => r.GuidedRougeL - r.GeneralRougeL),
            CleanGap = clean.Average(r => r.GuidedRougeL - r.GeneralRougeL),
            CleanAbsGap = clean.Average(r => Math.Abs(r.GuidedRougeL - r.GeneralRougeL)),
            Duplications = cfg.Duplications,
            Curves = curves,
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("guided-vs-general", GuidedVsGeneral(results[0])), ("accuracy", Accuracy(results)), ("memorisation", Memorisation(results))];

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

    /// <summary>
    /// Verbatim recall of the contaminated judged instances during training, after the guided and after the general
    /// prompt, per duplication level (mean over seeds at each measuring point; x is the share of training done).
    /// </summary>
    public static GenericChart Memorisation(IReadOnlyList<Result> results)
    {
        var series = new List<Series>();
        for (int k = 0; k < results[0].Curves.Count; k++)
        {
            var curves = results.Select(r => r.Curves[k]).ToList();
            int points = curves.Min(c => c.Steps.Count);
            List<double> Mean(Func<RecallCurve, int, double> value) =>
                Enumerable.Range(0, points).Select(i => curves.Average(c => value(c, i))).ToList();
            var x = Mean((c, i) => (double)c.Steps[i] / c.TotalSteps);
            int copies = curves[0].Duplication;
            series.Add(new Series($"guided, {copies} copies", x, Mean((c, i) => c.Guided[i]), k == 0 ? SeriesRole.Method : SeriesRole.Ablation));
            series.Add(new Series($"general, {copies} copies", x, Mean((c, i) => c.General[i]), SeriesRole.Control));
        }
        return Core.Reporting.Figures.Lines("When does the model memorise the contamination, and does it need the header?",
            "share of training done", "verbatim recall (share of contaminated judged instances)", series);
    }
}

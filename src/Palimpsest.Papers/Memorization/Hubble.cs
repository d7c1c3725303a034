using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Membership;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Wei, Godbole, Khan, Wang, Zhu, Flemings, Kashyap, Gummadi, Neiswanger and Jia 2025, "Hubble: a Model Suite to
/// Advance the Study of LLM Memorization", arXiv:2510.19811 (official code: https://github.com/allegro-lab/hubble).
/// Claim: memorization of inserted text grows with its number of duplicates; the same duplicates are memorized less
/// in a larger corpus (dilution) and more by a larger model; text seen only early in training is largely forgotten,
/// while late insertions stay memorized. Scaled down: DCLM becomes an encyclopedia of fictitious people mentioned with
/// Zipfian frequency (knowledge a tiny model is still acquiring when training ends, so that the background competes
/// for capacity as web text does), Hubble's perturbations become passages of random slot words and biographies of
/// people the background never mentions, inserted a known number of times (0 = held out), and the 1B/8B models on
/// 100B/500B tokens become TinyGpts of two widths on T and 4T tokens, at a constant learning rate (or one that decays
/// only after both timing windows), so that late copies are not learnt at a lower rate than early ones.
/// Claims: the findings are the dose response, dilution, timing (suffix loss and exact match) and model size, each
/// comparison between two trainings paired passage by passage on suffix loss, as Hubble compares its models. Two
/// trainings also differ in how they predict random slot words they never saw, which could explain a finding alone: each
/// has a control that the same gap is larger on the inserted passages than on the held-out ones (a difference in
/// differences, counting the held-out passages' sampling noise); the preconditions are that
/// training learnt the background, that the most duplicated passages were memorised, and (for dilution and timing)
/// that the background was still being learnt at the end of every standard-width training.
/// </summary>
public sealed class Hubble : Experiment<Hubble.Config, Hubble.Result>
{
    /// <summary>What the background is made of.</summary>
    public enum BackgroundKind
    {
        /// <summary>One-fact sentences about people mentioned with Zipfian frequency (<see cref="Memorization.Encyclopedia"/>).</summary>
        Encyclopedia,
        /// <summary>Slot-template articles (<see cref="SlotCorpus"/>): the first runs' background, mastered early.</summary>
        Templates,
    }

    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>
        /// The background (Hubble: DCLM web text). Issue 14: the template background was mastered early, so a 4× corpus
        /// did not compete for capacity; the encyclopedia's long tail of facts is still being learnt when training ends.
        /// </summary>
        public BackgroundKind Background { get; init; } = BackgroundKind.Encyclopedia;
        /// <summary>Background articles of corpus T (protocol: about 1M tokens); run B trains on four times as many.</summary>
        public int BackgroundArticles { get; init; } = 16_000;
        /// <summary>Words per background article (fits the context with its end token).</summary>
        public int ArticleWords { get; init; } = 48;
        /// <summary>People the encyclopedia mentions: more than a 2-layer model can learn from corpus T or 4T.</summary>
        public int People { get; init; } = 4_000;
        /// <summary>Zipf exponent of how often each person is mentioned (rank r has weight (r + 1)^-s): a head learnt early, a tail still being learnt.</summary>
        public double ZipfExponent { get; init; } = 1.0;
        /// <summary>
        /// Duplicate levels (Hubble: 0, 1, 4, 16, 64, 256). Hubble's top level, 256, is here because issue 14's pilots
        /// with 64 at the top met the top-dose precondition at its bar and no higher (0.80, 0.80 and 0.85 on seeds
        /// 101–103); with 256, seed 101 reproduced 0.95 of the top level's suffixes.
        /// </summary>
        public int[] Duplicates { get; init; } = [0, 1, 4, 16, 64, 256];
        /// <summary>Passages and biographies per duplicate level (protocol: about 13).</summary>
        public int PerLevel { get; init; } = 20;
        /// <summary>Passage prefix given to the model, in words (protocol: 16).</summary>
        public int PrefixWords { get; init; } = 16;
        /// <summary>Passage suffix the model must reproduce, in words.</summary>
        public int SuffixWords { get; init; } = 32;
        /// <summary>Residual width of the standard model (runs A, B, D, E).</summary>
        public int Width { get; init; } = 64;
        /// <summary>Residual width of the larger model (run C).</summary>
        public int LargeWidth { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Packed sequence length.</summary>
        public int Context { get; init; } = 64;
        /// <summary>Sequences per step; one epoch over the stream.</summary>
        public int BatchSize { get; init; } = 16;
        /// <summary>Peak learning rate (AdamW).</summary>
        public double LearningRate { get; init; } = 2e-3;
        /// <summary>
        /// Learning-rate shape after the warm-up. The first runs used cosine decay to a tenth, so late copies were learnt at
        /// a lower rate than early ones (the protocol's caveat); issue 14: constant, or warmup-stable-decay with the decay
        /// after both timing windows.
        /// </summary>
        public LrScheduleKind Schedule { get; init; } = LrScheduleKind.Constant;
        /// <summary>Warmup-stable-decay only: the share of training in the final decay; run E's window ends before it.</summary>
        public double DecayFraction { get; init; } = 0.1;
        /// <summary>Cosine and warmup-stable-decay: the final learning rate over the peak.</summary>
        public double MinLrFraction { get; init; } = 0.1;
        /// <summary>Runs D and E insert only inside the first or the last this share of the background (Hubble: 0.25 among its windows).</summary>
        public double TimingWindow { get; init; } = 0.25;
        /// <summary>
        /// Held-out background articles on which every training's background loss is measured (not in the protocol: it
        /// shows whether the background is still being learnt). They come from their own seed stream, so the training
        /// data are the same with or without them.
        /// </summary>
        public int HeldOutArticles { get; init; } = 200;
        /// <summary>Evaluations of the held-out background loss per training, evenly spaced (the precondition averages those of each of the last two tenths).</summary>
        public int BackgroundEvaluations { get; init; } = 40;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: a tiny corpus and encyclopedia, three duplicate levels.</summary>
        public static Config Smoke { get; } = Full with
        {
            BackgroundArticles = 1_300, People = 300, Duplicates = [0, 4, 16], PerLevel = 10, LargeWidth = 96,
            BatchSize = 8, HeldOutArticles = 50, BackgroundEvaluations = 20,
        };

        /// <summary>Throws with the offending value when a setting is impossible.</summary>
        public void Validate()
        {
            ConfigCheck.Count(BackgroundArticles);
            ConfigCheck.Count(ArticleWords);
            ConfigCheck.Count(People);
            ConfigCheck.NonNegative(ZipfExponent);
            ConfigCheck.EachAtLeast(Duplicates, 0);
            ConfigCheck.Count(PerLevel);
            ConfigCheck.Count(PrefixWords);
            ConfigCheck.Count(SuffixWords);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Transformer(LargeWidth, Layers, Heads);
            ConfigCheck.Count(Context);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Fraction(MinLrFraction);
            ConfigCheck.Count(HeldOutArticles);
            if (!Duplicates.Contains(0))
                throw new ArgumentException($"Duplicates must include 0 (the held-out control); got {string.Join(",", Duplicates)}");
            if (!(TimingWindow > 0 && TimingWindow <= 0.5)) throw new ArgumentException($"TimingWindow {TimingWindow} must be in (0, 0.5]");
            if (!(DecayFraction >= 0 && DecayFraction < 1 - TimingWindow))
                throw new ArgumentException($"DecayFraction {DecayFraction} must be in [0, 1 - TimingWindow)");
            if (BackgroundEvaluations < 20)
                throw new ArgumentException($"BackgroundEvaluations {BackgroundEvaluations} must be at least 20 (two per tenth)");
        }
    }

    /// <summary>What one training run memorized at one duplicate level (means over the level's items).</summary>
    /// <param name="Run">A (standard), B (4× corpus), C (larger model), D (inserted early), E (inserted late).</param>
    public sealed record Level(string Run, int Duplicates, double SuffixLoss, double ExactMatch, double SuffixTokenAccuracy, double PiiAccuracy);

    /// <summary>One training's measurements of every passage, in the order of <see cref="Result.PassageDuplicates"/>.</summary>
    /// <param name="Run">A, B, C, D or E.</param>
    /// <param name="SuffixLoss">Loss on the suffix given the prefix (nats/token).</param>
    /// <param name="ExactMatch">1 when the greedy continuation of the prefix is the whole suffix, else 0.</param>
    public sealed record PassageScores(string Run, IReadOnlyList<double> SuffixLoss, IReadOnlyList<double> ExactMatch);

    /// <summary>One training's loss on held-out background articles, before training (step 0) and at evenly spaced steps.</summary>
    /// <param name="Run">A, B, C, D or E.</param>
    /// <param name="Steps">Optimizer steps done; the last is the end of training.</param>
    /// <param name="Nll">Mean loss on the held-out background articles (nats/token).</param>
    public sealed record BackgroundCurve(string Run, IReadOnlyList<double> Steps, IReadOnlyList<double> Nll);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every run at every duplicate level.</summary>
        public required IReadOnlyList<Level> Levels { get; init; }
        /// <summary>Per passage: how many times it was inserted (0 = held out).</summary>
        public required IReadOnlyList<int> PassageDuplicates { get; init; }
        /// <summary>Per training (A to E): every passage's suffix loss and exact match.</summary>
        public required IReadOnlyList<PassageScores> Passages { get; init; }
        /// <summary>Per training (A to E): the held-out background loss during training.</summary>
        public required IReadOnlyList<BackgroundCurve> Background { get; init; }
        /// <summary>Run A: Spearman rho of duplicates against memorization (minus suffix loss), over passages.</summary>
        public required double DoseRho { get; init; }
        /// <summary>Its one-sided log10 p (rho &gt; 0).</summary>
        public required double DoseLog10P { get; init; }
        /// <summary>Dilution, the protocol's test on raw suffix loss: one-sided Wilcoxon log10 p that B's exceeds A's (passages at ≥ 16 duplicates).</summary>
        public required double DilutionLog10P { get; init; }
        /// <summary>Timing, the protocol's test on raw suffix loss: one-sided Wilcoxon log10 p that D's (early) exceeds E's (late), passages seen at least once.</summary>
        public required double TimingLog10P { get; init; }
        /// <summary>Run A: loss-attack AUC of passages seen once against held-out passages.</summary>
        public required double MiaAucOnce { get; init; }
        /// <summary>Tokens in corpus T (run A's stream without insertions).</summary>
        public required long CorpusTokens { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("hubble", "memorization",
        "Hubble: a Model Suite to Advance the Study of LLM Memorization", 2025, "https://arxiv.org/abs/2510.19811");

    private static readonly string[] TimingAndDilutionGates = ["learns-background", "memorized-at-top-dose", "background-still-learnt"];

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // Threshold: the tutorial's "training happened" level; an untrained model sits near the log of the vocabulary.
        Claim.Precondition<Result>("learns-background",
            "Training learnt the background: run A's loss on held-out background articles falls well below its untrained loss",
            r => Curve(r, "A").Nll[0] - Curve(r, "A").Nll[^1], Comparison.Greater, 1.0, Budget.Smoke, "nats/token"),
        // Threshold: the default for "facts memorised" (accuracy 0.8); the top dose is where Hubble's models reproduce
        // inserted text verbatim, and without it there is nothing for dilution, timing or size to act on.
        Claim.Precondition<Result>("memorized-at-top-dose",
            "Run A reproduces the most duplicated passages' suffixes verbatim from their prefixes",
            r => TopDoseExactMatch(r), Comparison.AtLeast, 0.8, Budget.Full, "exact-match rate"),
        // Threshold: issue 14 ("the background loss is still falling in the last 10% of training"): a larger corpus can
        // dilute memorization, and later training erase early copies, only while the background still competes for the
        // model's capacity. Means over each tenth's evaluations, so that one noisy evaluation cannot decide.
        Claim.Precondition<Result>("background-still-learnt",
            "The background is still being learnt at the end of every standard-width training (A, B, D, E): the held-out background loss is lower over the last tenth of training than over the tenth before",
            r => "ABDE".Min(run => LastTenthFall(Curve(r, run.ToString()))), Comparison.Greater, 0, Budget.Full,
            "nats/token (smallest of four trainings)"),
        Claim.Finding<Result>("grows-with-duplicates",
            "Memorization grows with the number of duplicates (run A, one-sided Spearman test over passages)",
            r => r.DoseLog10P, Comparison.Less, -4, Budget.Full, "log10 p", dependsOn: ["learns-background"]),
        Claim.Finding<Result>("diluted-by-larger-corpus",
            "The same duplicates are memorized less in a 4× larger corpus: suffix loss, B minus A, passage by passage (≥ 16 duplicates)",
            r => Evidence.Paired(Loss(r, "B", High), Loss(r, "A", High)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: TimingAndDilutionGates),
        Claim.Control<Result>("dilution-beyond-held-out",
            "Dilution exceeds how differently B and A predict held-out passages, counting the held-out passages' sampling noise (B minus A, inserted minus held-out passages)",
            r => Evidence.Difference(Gap(r, "B", "A", High), Gap(r, "B", "A", HeldOut)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: TimingAndDilutionGates),
        Claim.Finding<Result>("late-beats-early",
            "Text inserted only late is memorized more than text inserted only early: suffix loss, D minus E, passage by passage (seen at least once)",
            r => Evidence.Paired(Loss(r, "D", Seen), Loss(r, "E", Seen)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: TimingAndDilutionGates),
        Claim.Finding<Result>("late-beats-early-exact",
            "Text inserted only late is reproduced verbatim more often than text inserted only early: exact match of E minus D (seen at least once)",
            r => Evidence.Paired(Exact(r, "E", Seen), Exact(r, "D", Seen)), Comparison.Greater, 0, Budget.Full,
            "exact match (per passage)", dependsOn: TimingAndDilutionGates),
        Claim.Control<Result>("timing-beyond-held-out",
            "The late-over-early advantage exceeds how differently D and E predict held-out passages, counting the held-out passages' sampling noise (D minus E, inserted minus held-out)",
            r => Evidence.Difference(Gap(r, "D", "E", Seen), Gap(r, "D", "E", HeldOut)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: TimingAndDilutionGates),
        Claim.Finding<Result>("larger-model-memorizes-more",
            "The larger model memorizes more: suffix loss, A minus C, passage by passage (4 and 16 duplicates)",
            r => Evidence.Paired(Loss(r, "A", Mid), Loss(r, "C", Mid)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose"]),
        Claim.Control<Result>("size-beyond-held-out",
            "The larger model's advantage exceeds how differently A and C predict held-out passages, counting the held-out passages' sampling noise (A minus C, inserted minus held-out)",
            r => Evidence.Difference(Gap(r, "A", "C", Mid), Gap(r, "A", "C", HeldOut)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose"]),
    ];

    // Passage groups of the claims, by number of duplicates (the protocol's: ≥ 16 for dilution, 4 and 16 for size).
    private static bool HeldOut(int duplicates) => duplicates == 0;
    private static bool Seen(int duplicates) => duplicates > 0;
    private static bool High(int duplicates) => duplicates >= 16;
    private static bool Mid(int duplicates) => duplicates is 4 or 16;

    private static BackgroundCurve Curve(Result r, string run) => r.Background.Single(c => c.Run == run);

    /// <summary>
    /// Mean held-out background loss over the evaluations in the ninth tenth of training (steps in (0.8, 0.9] of the
    /// total) minus the mean over the last tenth: positive while the background is still being learnt.
    /// </summary>
    public static double LastTenthFall(BackgroundCurve c)
    {
        double total = c.Steps[^1];
        double MeanOver(double from, double to) => Enumerable.Range(0, c.Steps.Count)
            .Where(i => c.Steps[i] > from * total && c.Steps[i] <= to * total).Select(i => c.Nll[i]).DefaultIfEmpty(double.NaN).Average();
        return MeanOver(0.8, 0.9) - MeanOver(0.9, 1.0);
    }

    /// <summary>Run A: the exact-match rate of the passages at the most duplicates.</summary>
    public static double TopDoseExactMatch(Result r) => Exact(r, "A", d => d == r.PassageDuplicates.Max()).Average();

    /// <summary>The values of the passages whose number of duplicates is in the group.</summary>
    private static double[] InGroup(Result r, IReadOnlyList<double> values, Func<int, bool> group) =>
        Enumerable.Range(0, values.Count).Where(i => group(r.PassageDuplicates[i])).Select(i => values[i]).ToArray();

    /// <summary>The suffix losses of one training's passages in the group.</summary>
    public static double[] Loss(Result r, string run, Func<int, bool> group) =>
        InGroup(r, r.Passages.Single(p => p.Run == run).SuffixLoss, group);

    private static double[] Exact(Result r, string run, Func<int, bool> group) =>
        InGroup(r, r.Passages.Single(p => p.Run == run).ExactMatch, group);

    /// <summary>Per passage of the group: suffix loss of one training minus another's.</summary>
    private static double[] Gap(Result r, string run, string minus, Func<int, bool> group) =>
        Loss(r, run, group).Zip(Loss(r, minus, group), (a, b) => a - b).ToArray();

    private const string Runs = "ABCDE";

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = HubbleWorld.Build(cfg, ctx);
        var trainings = Runs.Select(run => Train(run, cfg, world, ctx)).ToList();
        return Summarize(cfg, world, trainings);
    }

    /// <summary>What one training measured, per passage and per PII question, and its background curve.</summary>
    private sealed record Training(char Run, double[] SuffixLoss, double[] PassageLoss, bool[] Exact, double[] TokenAccuracy,
        bool[] PiiHits, BackgroundCurve Curve);

    /// <summary>Trains one of the five models on its stream, tracking the held-out background, then measures it.</summary>
    private static Training Train(char run, Config cfg, HubbleWorld world, RunContext ctx)
    {
        var sequences = Packing.PackInOrder(Stream(run, cfg, world, ctx), cfg.Context, WordTokenizer.Bos);
        var shape = new TinyGptConfig(world.Tokenizer.VocabSize, cfg.Context, cfg.Layers, run == 'C' ? cfg.LargeWidth : cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator(run == 'C' ? "init-large" : "init");
        using var model = new TinyGpt(shape, init).to(ctx.Device);
        var options = TrainOptions.OneEpoch(sequences.Count, cfg.BatchSize, cfg.LearningRate, inOrder: true) with
        {
            Stage = $"run {run}", Schedule = cfg.Schedule, DecayFraction = cfg.DecayFraction, MinLrFraction = cfg.MinLrFraction,
        };
        options = options with { EvalEvery = Math.Max(1, options.Steps / cfg.BackgroundEvaluations) };
        double untrained = LanguageModel.MeanNll(model, world.HeldOutBackground);
        var log = Trainer.Fit(model, sequences, options, ctx,
            _ => new Dictionary<string, double> { ["background"] = LanguageModel.MeanNll(model, world.HeldOutBackground) });
        var curve = new BackgroundCurve(run.ToString(), log.Evaluations.Select(e => (double)e.Step).Prepend(0).ToList(),
            log.Evaluations.Select(e => e.Values["background"]).Prepend(untrained).ToList());
        return Measure(run, model, world, curve);
    }

    /// <summary>
    /// The training stream of one run: corpus T (4T for B) with every copy of every insert at a random position, over the
    /// whole background or, for D and E, inside the first or the last window (E's ending before a final decay).
    /// </summary>
    private static List<int[]> Stream(char run, Config cfg, HubbleWorld world, RunContext ctx)
    {
        var background = run == 'B' ? world.Background : world.Background.Take(world.CorpusDocuments).ToList();
        var (start, end) = run switch
        {
            'D' => (0, cfg.TimingWindow),
            'E' => HubbleWorld.WindowEndingAt(LateWindowEnd(cfg), cfg.TimingWindow, background.Sum(d => (long)d.Length),
                world.Inserts.Sum(i => (long)i.Tokens.Length * i.Copies)),
            _ => (0.0, 1.0),
        };
        // A and C read the same stream, so that they differ only in the model.
        return Insertion.Interleave(background, world.Inserts, ctx.Rng(run is 'A' or 'C' ? "insert-A" : $"insert-{run}"), start, end);
    }

    /// <summary>Where run E's window ends, as a share of training: before the decay of warmup-stable-decay, else at the end.</summary>
    private static double LateWindowEnd(Config cfg) => cfg.Schedule == LrScheduleKind.WarmupStableDecay ? 1 - cfg.DecayFraction : 1;

    /// <summary>Suffix loss, greedy continuation and PII answers of a trained model, batched.</summary>
    private static Training Measure(char run, TinyGpt model, HubbleWorld world, BackgroundCurve curve)
    {
        int prefix = world.PrefixTokens;
        var logProbs = LanguageModel.TokenLogProbs(model, world.Passages);
        // logProbs[i][t] is the log-probability of token t + 1, so the suffix's are those from index prefix - 1 on.
        var suffixLoss = logProbs.Select(lp => -lp[(prefix - 1)..].Average(v => (double)v)).ToArray();
        var suffixes = world.Passages.Select(p => p[prefix..]).ToList();
        var greedy = LanguageModel.Continue(model, world.Passages.Select(p => p[..prefix]).ToList(), suffixes[0].Length);
        var pii = LanguageModel.Continue(model, world.PiiQuestions.Select(q => q.Prompt).ToList(), 1);
        return new Training(run, suffixLoss, logProbs.Select(lp => (double)MembershipScores.Loss(lp)).ToArray(),
            greedy.Select((g, i) => g.SequenceEqual(suffixes[i])).ToArray(),
            greedy.Select((g, i) => g.Zip(suffixes[i]).Count(z => z.First == z.Second) / (double)suffixes[i].Length).ToArray(),
            pii.Select((c, i) => c[0] == world.PiiQuestions[i].Answer).ToArray(), curve);
    }

    /// <summary>Per-level means, per-passage scores and the protocol's per-seed tests.</summary>
    private static Result Summarize(Config cfg, HubbleWorld world, List<Training> trainings)
    {
        var dup = world.PassageDuplicates;
        int[] Where(Func<int, bool> keep) => Enumerable.Range(0, dup.Count).Where(i => keep(dup[i])).ToArray();
        var levels = new List<Level>();
        foreach (var t in trainings)
            foreach (int d in cfg.Duplicates)
            {
                var rows = Where(x => x == d);
                var questions = Enumerable.Range(0, world.PiiQuestions.Count)
                    .Where(q => world.BiographyDuplicates[world.PiiQuestions[q].Biography] == d).ToList();
                levels.Add(new Level(t.Run.ToString(), d, rows.Average(i => t.SuffixLoss[i]), rows.Average(i => t.Exact[i] ? 1.0 : 0.0),
                    rows.Average(i => t.TokenAccuracy[i]), questions.Average(q => t.PiiHits[q] ? 1.0 : 0.0)));
            }
        double[] LossOf(char run) => trainings.Single(t => t.Run == run).SuffixLoss;
        var a = trainings.Single(t => t.Run == 'A');
        var dose = Correlation.Spearman(dup.Select(d => (double)d).ToList(), a.SuffixLoss.Select(l => -l).ToList(), Alternative.Greater);
        double WilcoxonLog10P(char higher, char lower, int[] rows) => PValue.Log10(Wilcoxon.SignedRank(
            Bootstrap.Gather(LossOf(higher), rows), Bootstrap.Gather(LossOf(lower), rows), Alternative.Greater).PValue);
        var once = Where(d => d <= 1);
        return new Result
        {
            Levels = levels,
            PassageDuplicates = dup.ToList(),
            Passages = trainings.Select(t => new PassageScores(t.Run.ToString(), t.SuffixLoss, t.Exact.Select(h => h ? 1.0 : 0.0).ToList())).ToList(),
            Background = trainings.Select(t => t.Curve).ToList(),
            DoseRho = dose.Coefficient,
            DoseLog10P = PValue.Log10(dose.PValue),
            DilutionLog10P = WilcoxonLog10P('B', 'A', Where(High)),
            TimingLog10P = WilcoxonLog10P('D', 'E', Where(Seen)),
            MiaAucOnce = cfg.Duplicates.Contains(1)
                ? Roc.Auc(once.Select(i => a.PassageLoss[i]).ToList(), once.Select(i => dup[i] == 1).ToList())
                : double.NaN,
            CorpusTokens = world.Background.Take(world.CorpusDocuments).Sum(d => (long)d.Length),
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("suffix-loss", ByDuplicates(results, "Does memorization grow with duplicates, and what dilutes or erases it?",
            "suffix loss given the prefix (nats/token)", l => l.SuffixLoss)),
         ("relative-suffix-loss", ByDuplicates(results, "How much lower is an inserted passage's loss than the same training's held-out loss?",
            "suffix loss minus the training's held-out suffix loss (nats/token)", l => l.SuffixLoss, relativeToHeldOut: true)),
         ("exact-match", ByDuplicates(results, "How often is the whole suffix reproduced verbatim?", "exact suffix match (share)", l => l.ExactMatch)),
         ("pii", ByDuplicates(results, "Can a person's fields be recovered from the name?", "PII field accuracy (share)", l => l.PiiAccuracy)),
         ("background", BackgroundFigure(results[0]))];

    private static readonly Dictionary<string, string> RunNames = new()
    {
        ["A"] = "A: standard", ["B"] = "B: 4× corpus", ["C"] = "C: larger model", ["D"] = "D: inserted early", ["E"] = "E: inserted late",
    };

    /// <summary>Each training's loss on held-out background articles against the share of its training done (first seed).</summary>
    public static GenericChart BackgroundFigure(Result r) =>
        Core.Reporting.Figures.Lines("Is the background still being learnt when training ends?",
            "share of training done", "held-out background loss (nats/token)",
            r.Background.Select(c => new Series(RunNames[c.Run], c.Steps.Select(s => s / c.Steps[^1]).ToList(), c.Nll,
                c.Run == "A" ? SeriesRole.Method : SeriesRole.Ablation)));

    /// <summary>A metric against duplicates (log scale, 0 drawn at 0.5) per run, mean over seeds.</summary>
    /// <param name="relativeToHeldOut">Subtract each training's value at 0 duplicates (what the between-training findings judge).</param>
    public static GenericChart ByDuplicates(IReadOnlyList<Result> results, string title, string yTitle, Func<Level, double> metric,
        bool relativeToHeldOut = false)
    {
        var dups = results[0].Levels.Select(l => l.Duplicates).Distinct().Order().ToList();
        var x = dups.Select(d => d == 0 ? 0.5 : d).ToList();
        double At(Result r, string run, int d) => metric(r.Levels.Single(l => l.Run == run && l.Duplicates == d));
        var series = RunNames.Select(kv => new Series(kv.Value, x, dups.Select(d => results.Average(r =>
            At(r, kv.Key, d) - (relativeToHeldOut ? At(r, kv.Key, 0) : 0))).ToList(),
            kv.Key == "A" ? SeriesRole.Method : SeriesRole.Ablation)).ToList();
        return Core.Reporting.Figures.Lines(title, "duplicates in training (log scale; 0.5 = held out)", yTitle, series, logX: true);
    }
}

using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// Shi, Lee, Huang et al. 2024, "MUSE: Machine Unlearning Six-Way Evaluation for Language Models", arXiv:2407.06460
/// (official code: https://github.com/swj0419/muse_bench). Claim: judged on six criteria at once (no verbatim
/// memorisation C1, no knowledge memorisation C2, no privacy leakage C3, utility preserved C4, scalability to larger
/// forget sets C5, sustainability over sequential requests C6), most methods remove verbatim and knowledge
/// memorisation, but they over- or under-unlearn (a membership attack tells the forget set apart from unseen text
/// differently than on the retrained model), the unregularised ones destroy utility, and utility falls as forget sets
/// grow and requests accumulate: hardly any method satisfies all six. Scaled down: BBC news and Llama-2-7B become
/// ~80-token articles about fictitious people (<see cref="NewsWorld"/>) and a 2-layer TinyGpt trained on them for many
/// epochs; the exact oracle is the same initialisation trained without the forget articles. The toy still tests the
/// claim because every criterion is measured as in MUSE against that exact oracle, and the methods (MUSE's GA, GA_GDR,
/// GA_KLR, NPO, NPO_GDR, NPO_KLR and Task Vector, one fixed stopping rule for all) face the paper's trade-off: forget
/// and retain articles share every template, so pushing the forget text down pushes shared structure down too.
/// Claim kinds: the protocol's four checks (a)–(d) are the findings; the control is the untouched target, which keeps
/// every forget fact it knew and so wins whenever unlearning does nothing (compared probe by probe); the preconditions
/// are what MUSE's evaluation assumes of the target before any unlearning: it recites the forget articles, answers
/// their questions (KnowMem_f) and the retain articles' questions (utility). Findings and the control are UNTESTED on
/// any seed where the target did not learn what they need. WHP is left out: it needs a two-model predictor that the
/// Core evaluation APIs (which take one <see cref="TinyGpt"/>) do not accept.
/// </summary>
public sealed class MuseSixWay : Experiment<MuseSixWay.Config, MuseSixWay.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Articles the target is trained on (MUSE NEWS: BBC articles; its forget set alone is 0.8M tokens).</summary>
        public int Articles { get; init; } = 300;
        /// <summary>Articles never trained: PrivLeak's non-members (MUSE: a holdout set from the same source).</summary>
        public int HoldoutArticles { get; init; } = 60;
        /// <summary>Share of the articles forgotten for C1–C4, and by each sequential request (protocol: 10%).</summary>
        public double ForgetFraction { get; init; } = 0.1;
        /// <summary>Forget-set sizes of C5 (protocol: 5/10/20/40%); must include <see cref="ForgetFraction"/>.</summary>
        public double[] ScalingFractions { get; init; } = [0.05, 0.1, 0.2, 0.4];
        /// <summary>Sequential requests of C6, each a new slice of <see cref="ForgetFraction"/> (protocol: 4).</summary>
        public int Requests { get; init; } = 4;
        /// <summary>Of the articles outside every forget set, the share the regularised methods read as retain data
        /// (MUSE's retain1); the others carry the utility probes, so no method trains on the utility test.</summary>
        public double RegulariserShare { get; init; } = 0.5;
        /// <summary>MUSE's methods; TV is Task Vector (WHP is left out, see the summary).</summary>
        public string[] Methods { get; init; } = ["GA", "GA_GDR", "GA_KLR", "NPO", "NPO_GDR", "NPO_KLR", TaskVectorLabel];
        /// <summary>Residual width (protocol: a tiny GPT).</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Epochs of the target and the retrained model (protocol: 3 with a background corpus; a tiny model
        /// needs many passes to memorise articles verbatim, as MUSE's fine-tuned target had).</summary>
        public int Epochs { get; init; } = 100;
        /// <summary>Articles per training step.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Peak learning rate of training (cosine decay).</summary>
        public double LearningRate { get; init; } = 3e-3;
        /// <summary>The stopping rule: unlearning epochs over the forget set, the same for every method (MUSE: 10).</summary>
        public int UnlearnEpochs { get; init; } = 10;
        /// <summary>Forget articles per unlearning step (MUSE: 32 chunks of 2,048 tokens, about 12 steps per epoch).</summary>
        public int UnlearnBatchSize { get; init; } = 8;
        /// <summary>Constant learning rate of every method and of Task Vector's fine-tune (MUSE: 1e-5 on a 7B model).</summary>
        public double UnlearnLearningRate { get; init; } = 1e-3;
        /// <summary>β of the NPO variants (MUSE: 0.1).</summary>
        public double Beta { get; init; } = 0.1;
        /// <summary>Task Vector's α in θ − α·(θ_reinforced − θ) (MUSE's NEWS script: 5).</summary>
        public double TaskVectorAlpha { get; init; } = 5;
        /// <summary>VerbMem prompt length in tokens (protocol: 16; MUSE: longer prompts of real articles).</summary>
        public int PrefixTokens { get; init; } = 16;
        /// <summary>VerbMem continuation length in tokens (protocol: 32; MUSE: 128).</summary>
        public int ContinuationTokens { get; init; } = 32;
        /// <summary>k of the Min-k% membership score behind PrivLeak (MUSE: 40).</summary>
        public double MinKPercent { get; init; } = 40;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 60 articles, a narrower model, GA and NPO_GDR only, two forget sizes and two requests.</summary>
        public static Config Smoke { get; } = Full with
        {
            Articles = 60, HoldoutArticles = 20, Width = 64, Methods = ["GA", "NPO_GDR"], ScalingFractions = [0.1, 0.2],
            Requests = 2,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.Count(Articles);
            ConfigCheck.Count(HoldoutArticles);
            ConfigCheck.InRange(ForgetFraction, 0, 1, minIncluded: false, maxIncluded: false);
            ConfigCheck.EachInRange(ScalingFractions, 0, 1, minIncluded: false, maxIncluded: false);
            ConfigCheck.That(ScalingFractions.Contains(ForgetFraction), ScalingFractions, $"a list that includes ForgetFraction ({ForgetFraction})");
            ConfigCheck.Count(Requests);
            ConfigCheck.That(Requests * ForgetFraction < 1, Requests, $"fewer than 1 / ForgetFraction ({1 / ForgetFraction:G4}): each request forgets a new slice");
            ConfigCheck.InRange(RegulariserShare, 0, 1, minIncluded: false, maxIncluded: false);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(Epochs);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Count(UnlearnEpochs);
            ConfigCheck.Count(UnlearnBatchSize);
            ConfigCheck.Positive(UnlearnLearningRate);
            ConfigCheck.Positive(Beta);
            ConfigCheck.Positive(TaskVectorAlpha);
            ConfigCheck.Count(PrefixTokens);
            ConfigCheck.Count(ContinuationTokens);
            ConfigCheck.InRange(MinKPercent, 0, 100, minIncluded: false);
            var unknown = Methods.Where(m => m != TaskVectorLabel && !Objectives.ContainsKey(m)).ToList();
            if (Methods.Length == 0 || unknown.Count > 0 || Methods.Distinct().Count() != Methods.Length)
                throw new ArgumentException($"Methods [{string.Join(",", Methods)}] must be distinct and known; allowed: " +
                    string.Join(", ", Objectives.Keys.Append(TaskVectorLabel)));
        }
    }

    /// <summary>
    /// One model's C1–C4 (MUSE's main table): VerbMem, KnowMem on forget and retain QA (%), membership AUC, PrivLeak (%);
    /// the mean NLL of the forget articles (nats/token: what the gradient methods push up); and the items behind KnowMem
    /// forget: per forget probe (in forget-set order), 1 if answered, else 0.
    /// </summary>
    public sealed record SixWayRow(string Method, double VerbMem, double KnowMemForget, double KnowMemRetain, double Auc, double PrivLeak,
        double ForgetNll, IReadOnlyList<double> ForgetCorrect);

    /// <summary>Utility (KnowMem on retain QA, %) after unlearning, at a forget fraction (C5) or after a number of requests (C6).</summary>
    public sealed record UtilityPoint(string Method, double X, double Utility);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>The target, the retrained oracle, then each method after forgetting the 10% forget set.</summary>
        public required IReadOnlyList<SixWayRow> SixWay { get; init; }
        /// <summary>C5: utility against the forget fraction.</summary>
        public required IReadOnlyList<UtilityPoint> Scalability { get; init; }
        /// <summary>C6: utility after each sequential request.</summary>
        public required IReadOnlyList<UtilityPoint> Sustainability { get; init; }
        /// <summary>The target's VerbMem (%): how well it memorised the forget articles.</summary>
        public required double TargetVerbMem { get; init; }
        /// <summary>The target's KnowMem on forget QA (%).</summary>
        public required double TargetKnowMemForget { get; init; }
        /// <summary>The target's utility (%).</summary>
        public required double TargetUtility { get; init; }
        /// <summary>The retrained model's membership AUC, PrivLeak's reference.</summary>
        public required double RetrainAuc { get; init; }
        /// <summary>(a) Methods with VerbMem and KnowMem_f at most the retrained model's + 5 points.</summary>
        public required int MethodsForgetting { get; init; }
        /// <summary>(b) The higher of GA's and NPO's utility over the target's.</summary>
        public required double UnregularisedUtilityRatio { get; init; }
        /// <summary>(c) Methods meeting (a) with |PrivLeak| ≤ 20 and ≥ 80% of the target's utility.</summary>
        public required int MethodsMeetingAll { get; init; }
        /// <summary>(d) Methods whose utility falls monotonically with forget size and with requests.</summary>
        public required int MethodsDegrading { get; init; }
        /// <summary>The control's items: per forget probe, the share of methods that still answer it after unlearning
        /// (to be compared with <see cref="SixWayRow.ForgetCorrect"/> of the target, the first row).</summary>
        public required IReadOnlyList<double> MethodsForgetCorrect { get; init; }
        /// <summary>Diagnostic: the target's KnowMem on forget QA with each question read inside its article (%).</summary>
        public required double TargetKnowMemForgetInContext { get; init; }
        /// <summary>Diagnostic: the same for the retrained model (%).</summary>
        public required double RetrainKnowMemForgetInContext { get; init; }
    }

    /// <summary>The label of Task Vector in <see cref="Config.Methods"/>.</summary>
    public const string TaskVectorLabel = "TV";
    /// <summary>Criterion (a): points above the retrained model that still count as forgotten (protocol: 5).</summary>
    public const double MemorisationMargin = 5;
    /// <summary>Criterion (c): the largest |PrivLeak| that counts as no leak (protocol: 20).</summary>
    public const double PrivLeakBound = 20;
    /// <summary>Criterion (c): the share of the target's utility a method must keep (protocol: 80%).</summary>
    public const double UtilityFloor = 0.8;
    /// <summary>Criterion (d): a rise of up to this many points (a few probes) still counts as not increasing.</summary>
    public const double DegradationTolerance = 2;

    /// <summary>MUSE's gradient-based methods and the Core objectives they are: GDR = retain NLL, KLR = retain KL.</summary>
    public static IReadOnlyDictionary<string, UnlearningMethod> Objectives { get; } = new Dictionary<string, UnlearningMethod>
    {
        ["GA"] = UnlearningMethod.GradientAscent, ["GA_GDR"] = UnlearningMethod.GradientDifference,
        ["GA_KLR"] = UnlearningMethod.GradientAscentKl, ["NPO"] = UnlearningMethod.Npo,
        ["NPO_GDR"] = UnlearningMethod.NpoRetain, ["NPO_KLR"] = UnlearningMethod.NpoKl,
    };

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("muse-six-way", "llm-unlearning",
        "MUSE: Machine Unlearning Six-Way Evaluation for Language Models", 2024, "https://arxiv.org/abs/2407.06460");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // Preconditions: what the toy target must have learnt before unlearning means anything. The protocol gives no
        // level; 80 is the project's level for "known" (issue 15: accuracy >= 0.8 unless the protocol says otherwise).
        Claim.Precondition<Result>("target-memorises-forget-text",
            "Before unlearning the target recites its forget articles: VerbMem at least 80 (C1 needs verbatim memory to remove)",
            r => r.TargetVerbMem, Comparison.AtLeast, 80, Budget.Full, "ROUGE-L F1 (%)"),
        Claim.Precondition<Result>("target-knows-forget",
            "Before unlearning the target answers its forget articles' questions asked alone: KnowMem_f at least 80% (C2 and " +
            "the control need knowledge to remove)",
            r => r.TargetKnowMemForget, Comparison.AtLeast, 80, Budget.Full, "accuracy (%)"),
        Claim.Precondition<Result>("target-knows-retain",
            "Before unlearning the target answers the retain articles' questions: utility (KnowMem_r) at least 80% (C4–C6 " +
            "need utility to lose)",
            r => r.TargetUtility, Comparison.AtLeast, 80, Budget.Full, "accuracy (%)"),
        Claim.Control<Result>("methods-beat-untouched-target",
            "Unlearning removes knowledge the untouched target keeps: on the same forget probes the target answers more than 10 " +
            "points more often than the methods on average (a method that does nothing ties the target)",
            r => Evidence.Paired(r.SixWay[0].ForgetCorrect, r.MethodsForgetCorrect), Comparison.Greater, 0.1, Budget.Full,
            "share of forget probes", dependsOn: ["target-knows-forget"]),
        // Protocol claim (a) (5 of 8 there; WHP is not run, so 5 of 7).
        Claim.Finding<Result>("most-methods-forget",
            "At least 5 of the 7 methods bring VerbMem and KnowMem on forget QA to at most the retrained model's + 5 points (C1, C2)",
            r => r.MethodsForgetting, Comparison.AtLeast, 5, Budget.Full, "methods",
            dependsOn: ["target-memorises-forget-text", "target-knows-forget"]),
        // Protocol claim (b).
        Claim.Finding<Result>("unregularised-methods-destroy-utility",
            "GA and NPO without a regulariser both keep less than half of the target's KnowMem on retain QA (C4)",
            r => r.UnregularisedUtilityRatio, Comparison.Less, 0.5, Budget.Full, "ratio", dependsOn: ["target-knows-retain"]),
        // Protocol claim (c).
        Claim.Finding<Result>("no-method-meets-all",
            "At most one method meets C1 and C2 while keeping |PrivLeak| ≤ 20 (C3) and ≥ 80% of the target's utility (C4)",
            r => r.MethodsMeetingAll, Comparison.AtMost, 1, Budget.Full, "methods",
            dependsOn: ["target-memorises-forget-text", "target-knows-forget", "target-knows-retain"]),
        // Protocol claim (d).
        Claim.Finding<Result>("utility-degrades-with-scale-and-requests",
            "For at least 4 methods utility falls monotonically as the forget set grows (C5) and as requests accumulate (C6)",
            r => r.MethodsDegrading, Comparison.AtLeast, 4, Budget.Full, "methods", dependsOn: ["target-knows-retain"]),
    ];

    /// <summary>C3, MUSE's PrivLeak: the relative gap (%) between the unlearned and the retrained model's membership AUC.</summary>
    public static double PrivLeak(double aucUnlearned, double aucRetrain) => (aucUnlearned - aucRetrain) / aucRetrain * 100;

    /// <summary>True when <paramref name="utilities"/> never rise by more than <paramref name="tolerance"/> from one point
    /// to the next and end at least <paramref name="tolerance"/> below where they start (a flat line, e.g. at 0, does not count).</summary>
    public static bool Degrades(IReadOnlyList<double> utilities, double tolerance) =>
        utilities.Count >= 2 && utilities.Zip(utilities.Skip(1)).All(p => p.Second <= p.First + tolerance)
        && utilities[^1] <= utilities[0] - tolerance;

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = new NewsWorld(cfg.Articles, cfg.HoldoutArticles, ctx.Rng("data"));
        double pool = Math.Max(cfg.ScalingFractions.Max(), cfg.Requests * cfg.ForgetFraction);   // every article ever forgotten
        var split = world.Split(pool, cfg.RegulariserShare, ctx.Rng("split"));
        var forget = split.Forget(cfg.ForgetFraction);
        int context = Math.Max(world.LongestArticle, 1 + cfg.PrefixTokens + cfg.ContinuationTokens);
        var shape = new TinyGptConfig(world.Tokenizer.VocabSize, context, cfg.Layers, cfg.Width, cfg.Heads);
        using var target = Train(world, split.All, shape, cfg, "target", ctx);
        using var retrain = Train(world, split.All.Except(forget).ToList(), shape, cfg, "retrain", ctx);
        double aucRetrain = world.MinKAuc(retrain, forget, split.Holdout, cfg.MinKPercent);
        SixWayRow Row(string name, TinyGpt model)
        {
            double auc = world.MinKAuc(model, forget, split.Holdout, cfg.MinKPercent);
            double verbMem = world.VerbMem(model, forget, cfg.PrefixTokens, cfg.ContinuationTokens);
            var forgetCorrect = world.KnowMemPerProbe(model, forget);
            return new SixWayRow(name, verbMem, 100 * forgetCorrect.Average(), world.KnowMem(model, split.Utility), auc,
                PrivLeak(auc, aucRetrain), world.Nll(model, forget), forgetCorrect);
        }
        var inContext = (Target: world.KnowMemInContext(target, forget), Retrain: world.KnowMemInContext(retrain, forget));
        var rows = new List<SixWayRow> { Row("target", target), Row("retrain", retrain) };
        var (scalability, sustainability) = (new List<UtilityPoint>(), new List<UtilityPoint>());
        foreach (string method in cfg.Methods)
        {
            using (var model = target.Copy())
                for (int k = 0; k < cfg.Requests; k++)
                {
                    var request = split.Request(k, cfg.ForgetFraction);
                    Unlearn(method, model, world, request, split.Regulariser, cfg, ctx, $"{method} request {k + 1}");
                    if (k == 0) rows.Add(Row(method, model));   // request 1 is the C1–C4 forget set
                    double utility = k == 0 ? rows[^1].KnowMemRetain : world.KnowMem(model, split.Utility);
                    sustainability.Add(new UtilityPoint(method, k + 1, utility));
                }
            foreach (double fraction in cfg.ScalingFractions)
            {
                if (fraction == cfg.ForgetFraction)
                {
                    scalability.Add(new UtilityPoint(method, fraction, rows[^1].KnowMemRetain));
                    continue;
                }
                using var model = target.Copy();
                string stage = $"{method} forget {(int)Math.Round(fraction * 100)}%";
                Unlearn(method, model, world, split.Forget(fraction), split.Regulariser, cfg, ctx, stage);
                scalability.Add(new UtilityPoint(method, fraction, world.KnowMem(model, split.Utility)));
            }
        }
        return Summarise(rows, scalability, sustainability, inContext);
    }

    /// <summary>Trains a fresh model (the same initialisation and order stream every time) on <paramref name="articles"/>.</summary>
    private static TinyGpt Train(NewsWorld world, IReadOnlyList<int> articles, TinyGptConfig shape, Config cfg, string stage,
        RunContext ctx)
    {
        using var init = ctx.TorchGenerator("init");
        var model = new TinyGpt(shape, init).to(ctx.Device);
        int steps = (articles.Count * cfg.Epochs + cfg.BatchSize - 1) / cfg.BatchSize;
        Trainer.Fit(model, world.Examples(articles).Select(e => e.Tokens).ToList(), new TrainOptions
        {
            Steps = steps, BatchSize = cfg.BatchSize, LearningRate = cfg.LearningRate, WarmupSteps = Math.Min(50, steps / 10),
            Stage = stage, OrderStream = "order",
        }, ctx);
        return model;
    }

    /// <summary>
    /// One unlearning request with MUSE's stopping rule, a fixed number of epochs at a constant learning rate. Task Vector
    /// fine-tunes a copy on the forget set the same way and moves the model away from it: θ ← θ − α·(θ_reinforced − θ).
    /// </summary>
    private static void Unlearn(string method, TinyGpt model, NewsWorld world, IReadOnlyList<int> forget, IReadOnlyList<int> retain,
        Config cfg, RunContext ctx, string stage)
    {
        var data = world.Examples(forget);
        int steps = cfg.UnlearnEpochs * ((data.Count + cfg.UnlearnBatchSize - 1) / cfg.UnlearnBatchSize);
        if (method == TaskVectorLabel)
        {
            using var reinforced = model.Copy();
            Trainer.Fit(reinforced, data.Select(e => e.Tokens).ToList(), new TrainOptions
            {
                Steps = steps, BatchSize = cfg.UnlearnBatchSize, LearningRate = cfg.UnlearnLearningRate,
                Schedule = LrScheduleKind.Constant, WarmupSteps = 0, WeightDecay = 0, Stage = stage, OrderStream = $"order-{stage}",
            }, ctx);
            using var tau = TaskVector.Between(model, reinforced);
            tau.AddTo(model, -cfg.TaskVectorAlpha);
            return;
        }
        Unlearner.Run(model, Objectives[method], new UnlearningData(data, world.Examples(retain)), new UnlearnOptions
        {
            Steps = steps, BatchSize = cfg.UnlearnBatchSize, LearningRate = cfg.UnlearnLearningRate, Beta = cfg.Beta,
            Stage = stage, OrderStream = $"order-{stage}",
        }, ctx);
    }

    private static Result Summarise(List<SixWayRow> rows, List<UtilityPoint> scalability, List<UtilityPoint> sustainability,
        (double Target, double Retrain) inContext)
    {
        var (target, retrain) = (rows[0], rows[1]);
        var methods = rows.Skip(2).ToList();
        bool Forgets(SixWayRow r) =>
            r.VerbMem <= retrain.VerbMem + MemorisationMargin && r.KnowMemForget <= retrain.KnowMemForget + MemorisationMargin;
        IReadOnlyList<double> Curve(List<UtilityPoint> points, string method) =>
            points.Where(p => p.Method == method).OrderBy(p => p.X).Select(p => p.Utility).ToList();
        return new Result
        {
            SixWay = rows, Scalability = scalability, Sustainability = sustainability,
            TargetVerbMem = target.VerbMem, TargetKnowMemForget = target.KnowMemForget, TargetUtility = target.KnowMemRetain,
            RetrainAuc = retrain.Auc,
            MethodsForgetting = methods.Count(Forgets),
            UnregularisedUtilityRatio = methods.Where(r => r.Method is "GA" or "NPO")
                .Select(r => r.KnowMemRetain / target.KnowMemRetain).DefaultIfEmpty(double.NaN).Max(),
            MethodsMeetingAll = methods.Count(r => Forgets(r) && Math.Abs(r.PrivLeak) <= PrivLeakBound
                && r.KnowMemRetain >= UtilityFloor * target.KnowMemRetain),
            MethodsDegrading = methods.Count(r => Degrades(Curve(scalability, r.Method), DegradationTolerance)
                && Degrades(Curve(sustainability, r.Method), DegradationTolerance)),
            MethodsForgetCorrect = Enumerable.Range(0, target.ForgetCorrect.Count)
                .Select(i => methods.Average(r => r.ForgetCorrect[i])).ToList(),
            TargetKnowMemForgetInContext = inContext.Target,
            RetrainKnowMemForgetInContext = inContext.Retrain,
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
    [
        ("utility-vs-forget-size", SixWayReport.Utility(results, r => r.Scalability, 100,
            "Does utility fall as the forget set grows (C5)?", "forget set (% of the trained articles)")),
        ("utility-vs-requests", SixWayReport.Utility(results, r => r.Sustainability, 1,
            "Does utility fall as unlearning requests accumulate (C6)?", "sequential unlearning requests (count)")),
        ("verbmem-vs-utility", SixWayReport.Tradeoff(results, x => x.VerbMem,
            "Which methods remove verbatim memory without losing utility?", "VerbMem on forget articles (ROUGE-L F1, %)")),
        ("knowmem-vs-utility", SixWayReport.Tradeoff(results, x => x.KnowMemForget,
            "Which methods remove knowledge without losing utility?", "KnowMem on forget QA (accuracy, %)")),
    ];
}

using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// Zhang, Lin, Bai and Mei 2024, "Negative Preference Optimization: From Catastrophic Collapse to Effective
/// Unlearning", COLM (official code: https://github.com/licong-lin/negative-preference-optimization).
/// Claim: gradient ascent (GA) on the forget set either fails to unlearn or collapses the model; NPO — a DPO-style
/// loss with negative examples only, (2/β)·log(1 + (π/π_ref)^β) — diverges exponentially slower, reaches far better
/// forget quality at usable utility, and is the first method that forgets half of TOFU. Two parts, as in the paper:
/// (A) its synthetic random-feature experiment, replicated exactly (<see cref="RandomFeatureUnlearning"/>); (B) a
/// TOFU-lite: fictitious people (<see cref="FictitiousKb"/>) whose facts a TinyGpt memorises as question → answer,
/// forget 10% or 50% of them with eight methods, and judge each checkpoint by TOFU's forget quality (KS-test p-value
/// between the truth-ratio distributions of the unlearned and the retrained model on forget facts) and model utility
/// (harmonic mean of retain probability, retain accuracy, retain truth score and accuracy on "world" people). The
/// control is the fine-tuned model before unlearning (it wins if unlearning does nothing); the exact oracle is a model
/// trained without the forget people. Claim kinds: the protocol's checks of both parts are the findings; the
/// preconditions are what they presuppose: the fine-tuned model knows its forget and retain facts before unlearning,
/// and in the synthetic part the initial model differs from the retrained one on forget points and GA does collapse
/// within the run. A finding is UNTESTED on any seed where its precondition fails.
/// </summary>
public sealed class Npo : Experiment<Npo.Config, Npo.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Fictitious authors (TOFU: 200 × 20 QA; protocol: 40 × 10; here 100 × 4 facts, each in 2 phrasings).</summary>
        public int Authors { get; init; } = 100;
        /// <summary>People always trained and never forgotten: TOFU's "world facts" stand-in for utility.</summary>
        public int WorldPeople { get; init; } = 20;
        /// <summary>Question templates trained per fact (of 6); template 0 is evaluated.</summary>
        public int TrainTemplates { get; init; } = 2;
        /// <summary>Forget fractions of the authors (TOFU forget10 and the paper's forget50).</summary>
        public double[] ForgetFractions { get; init; } = [0.1, 0.5];
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Fine-tuning epochs over the QA pairs (the target and each retrained model).</summary>
        public int Epochs { get; init; } = 100;
        /// <summary>Fine-tuning batch size.</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Fine-tuning peak learning rate.</summary>
        public double LearningRate { get; init; } = 3e-3;
        /// <summary>Unlearning epochs over the forget set (TOFU/NPO: 10), evaluated after each.</summary>
        public int UnlearnEpochs { get; init; } = 10;
        /// <summary>Forget examples per unlearning step.</summary>
        public int UnlearnBatchSize { get; init; } = 32;
        /// <summary>Equal-effort grid of unlearning learning rates, the same for every method; the best checkpoint counts.</summary>
        public double[] UnlearnLearningRates { get; init; } = [3e-4, 1e-3];
        /// <summary>β of NPO and DPO (paper: 0.1).</summary>
        public double Beta { get; init; } = 0.1;
        /// <summary>Wrong answers per truth ratio (TOFU: 5 perturbed answers).</summary>
        public int Perturbed { get; init; } = 5;
        /// <summary>Synthetic part: gradient-descent steps (paper: 2000).</summary>
        public int SyntheticSteps { get; init; } = 2000;
        /// <summary>Synthetic part: one learning rate for every method (the collapse-speed claim needs it equal).</summary>
        public double SyntheticLearningRate { get; init; } = 1e-3;
        /// <summary>Synthetic part: β of NPO and DPO. The paper grid-searches it; fixed here before the run, because with
        /// binary labels the log-likelihood ratio stays within a few nats before collapse, where β = 0.1 equals GA.</summary>
        public double SyntheticBeta { get; init; } = 1.0;
        /// <summary>Synthetic part: retain distance that counts as collapse (nats).</summary>
        public double CollapseDistance { get; init; } = 0.5;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 30 people, a narrower model, one forget fraction (20%), one learning rate, 4 epochs.</summary>
        public static Config Smoke { get; } = Full with
        {
            Authors = 30, WorldPeople = 6, Width = 64, Epochs = 60, ForgetFractions = [0.2], UnlearnEpochs = 4,
            UnlearnLearningRates = [3e-4], SyntheticSteps = 400,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.Count(Authors);
            ConfigCheck.Count(WorldPeople);
            ConfigCheck.Between(TrainTemplates, 1, FictitiousKb.Templates);
            ConfigCheck.EachInRange(ForgetFractions, 0, 1, minIncluded: false, maxIncluded: false);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(Epochs);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Count(UnlearnEpochs);
            ConfigCheck.Count(UnlearnBatchSize);
            ConfigCheck.EachInRange(UnlearnLearningRates, 0, double.PositiveInfinity, minIncluded: false);
            ConfigCheck.Positive(Beta);
            ConfigCheck.Count(Perturbed);
            ConfigCheck.Count(SyntheticSteps);
            ConfigCheck.Positive(SyntheticLearningRate);
            ConfigCheck.Positive(SyntheticBeta);
            ConfigCheck.Positive(CollapseDistance);
        }
    }

    /// <summary>One checkpoint of one unlearning run.</summary>
    public sealed record Checkpoint(string Method, double LearningRate, double ForgetFraction, int Epoch, double ForgetQuality,
        double KsStatistic, double Utility, double ForgetAccuracy, double Gibberish);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every TOFU-lite checkpoint (epoch 0 = the fine-tuned model before unlearning).</summary>
        public required IReadOnlyList<Checkpoint> Checkpoints { get; init; }
        /// <summary>Synthetic trajectories.</summary>
        public required IReadOnlyList<RandomFeatureUnlearning.Trajectory> Synthetic { get; init; }
        /// <summary>Utility of the fine-tuned model and of the retrained (oracle) models per forget fraction.</summary>
        public required double TargetUtility { get; init; }
        /// <summary>Utility of the model retrained without the forget10 people.</summary>
        public required double RetrainedUtility { get; init; }
        /// <summary>Forget accuracy of the fine-tuned model on the first (forget10) split (how well it memorised) and of the
        /// retrained model (chance).</summary>
        public required double TargetForgetAccuracy { get; init; }
        /// <summary>Forget accuracy of the fine-tuned model on the last (forget50) split.</summary>
        public required double TargetForgetAccuracy50 { get; init; }
        /// <summary>Accuracy of the fine-tuned model on the retain facts of the first (forget10) split.</summary>
        public required double TargetRetainAccuracy { get; init; }
        /// <summary>See <see cref="TargetForgetAccuracy"/>.</summary>
        public required double RetrainedForgetAccuracy { get; init; }
        /// <summary>(A) GA's retain distance over NPO's, each where it first reaches the forget distance both reach.</summary>
        public required double SyntheticRetainRatio { get; init; }
        /// <summary>(A) The steps at which GA and NPO first reach that forget distance.</summary>
        public required int SyntheticMatchedStepGa { get; init; }
        /// <summary>See <see cref="SyntheticMatchedStepGa"/>.</summary>
        public required int SyntheticMatchedStepNpo { get; init; }
        /// <summary>(A) The items behind <see cref="SyntheticRetainRatio"/>: GA's KL to the retrained model per retain
        /// evaluation point, at GA's matched step (nats).</summary>
        public required IReadOnlyList<double> SyntheticMatchedRetainGa { get; init; }
        /// <summary>(A) The same for NPO at its matched step, on the same points.</summary>
        public required IReadOnlyList<double> SyntheticMatchedRetainNpo { get; init; }
        /// <summary>(A) The first logged step at which GA's retain distance exceeds the collapse level (NaN if it never does).</summary>
        public required double SyntheticGaCollapseStep { get; init; }
        /// <summary>(A) Steps until NPO's retain distance crosses the collapse level over GA's (10 = NPO never did within 10× GA's).</summary>
        public required double SyntheticCollapseRatio { get; init; }
        /// <summary>(B) log10 forget quality: best NPO+RT checkpoint with utility ≥ 80% of the target, forget10.</summary>
        public required double Log10QualityNpoRt10 { get; init; }
        /// <summary>(B) the same for the best of GA and GA+RT.</summary>
        public required double Log10QualityGa10 { get; init; }
        /// <summary>(B) control: log10 forget quality of the fine-tuned model, forget10.</summary>
        public required double Log10QualityTarget10 { get; init; }
        /// <summary>(B) forget50: best log10 forget quality of an NPO variant with utility ≥ 50% of the target.</summary>
        public required double Log10QualityNpo50 { get; init; }
        /// <summary>(B) forget50: methods outside the NPO family with a checkpoint of utility ≥ 50% and quality &gt; 1e-3.</summary>
        public required int OthersMeeting50 { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("npo", "llm-unlearning",
        "Negative Preference Optimization: From Catastrophic Collapse to Effective Unlearning", 2024, "https://arxiv.org/abs/2404.05868");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // Preconditions of (B). The protocol has the target "fine-tuned to memorise all"; 0.9 leaves room for a few facts
        // (the first full run's target knew 82% of its forget facts and was judged not to meet it, see the notebook).
        Claim.Precondition<Result>("target-knows-forget10",
            "Before unlearning the fine-tuned model answers at least 90% of the forget10 facts",
            r => r.TargetForgetAccuracy, Comparison.AtLeast, 0.9, Budget.Full, "accuracy"),
        Claim.Precondition<Result>("target-knows-forget50",
            "Before unlearning the fine-tuned model answers at least 90% of the forget50 facts",
            r => r.TargetForgetAccuracy50, Comparison.AtLeast, 0.9, Budget.Full, "accuracy"),
        Claim.Precondition<Result>("target-knows-retain",
            "Before unlearning the fine-tuned model answers at least 90% of the retain facts (utility to keep)",
            r => r.TargetRetainAccuracy, Comparison.AtLeast, 0.9, Budget.Full, "accuracy"),
        // Preconditions of (A). The paper's design puts forget and retain points in different places with opposite label
        // rules, so the initial model (fit on both) must be far from the retrained one on forget points only; 5× is the
        // margin the world's unit test asks.
        Claim.Precondition<Result>("synthetic-forget-set-learnt",
            "Synthetic: before unlearning the initial model is at least 5× further from the retrained model on forget points than on retain points",
            r => r.Synthetic[0].ForgetDistance[0] / r.Synthetic[0].RetainDistance[0], Comparison.AtLeast, 5, Budget.Full, "ratio"),
        // Comparing collapse speeds needs a collapse to time: GA's retain distance must cross the collapse level (the
        // protocol's KL > 0.5 nats, Config.CollapseDistance) within the run; the step is NaN, and fails, if it never does.
        Claim.Precondition<Result>("synthetic-ga-collapses",
            "Synthetic: GA collapses within the run: its retain distance crosses the collapse level at some step",
            r => r.SyntheticGaCollapseStep, Comparison.AtLeast, 1, Budget.Full, "step"),
        // The control: the fine-tuned model before unlearning, which is itself a candidate checkpoint (epoch 0), so a run
        // that does nothing scores exactly the control. Forget quality is a KS-test p-value over the forget facts, the
        // paper's own statistic, so the claim compares test outcomes and stays a threshold claim.
        Claim.Control<Result>("npo-rt-beats-untouched-target",
            "Forget10: NPO+RT's best checkpoint at ≥ 80% utility is ≥ 10× closer (KS p) to the retrained model than the " +
            "fine-tuned model before unlearning",
            r => r.Log10QualityNpoRt10 - r.Log10QualityTarget10, Comparison.Greater, 1, Budget.Full, "log10 p",
            dependsOn: ["target-knows-forget10", "target-knows-retain"]),
        // Protocol (A), first half: "GA's retain distance ≥ 5× NPO's", as a mean over retain points of GA − 5 × NPO ≥ 0.
        Claim.Finding<Result>("ga-collapses-at-matched-forgetting",
            "Synthetic: where GA and NPO first reach the same forget distance, GA's retain distance is ≥ 5× NPO's " +
            "(per retain point: GA's KL minus 5× NPO's)",
            r => Evidence.Paired(r.SyntheticMatchedRetainGa, r.SyntheticMatchedRetainNpo.Select(d => 5 * d).ToList()),
            Comparison.AtLeast, 0, Budget.Full, "nats (per retain point)", dependsOn: ["synthetic-forget-set-learnt"]),
        // Protocol (A), second half. A time to an event on one trajectory: no items to resample, so a threshold claim;
        // 10 means NPO never collapsed within 10× GA's steps (a lower bound).
        Claim.Finding<Result>("npo-collapses-slower",
            "Synthetic: at an equal learning rate NPO takes ≥ 5× more steps than GA before its retain distance exceeds 0.5 nats",
            r => r.SyntheticCollapseRatio, Comparison.AtLeast, 5, Budget.Full, "ratio", dependsOn: ["synthetic-ga-collapses"]),
        // Protocol (B) forget10: KS p-values compared as test outcomes (100× apart), a threshold claim.
        Claim.Finding<Result>("npo-rt-beats-ga-forget10",
            "Forget10: the best NPO+RT checkpoint with utility ≥ 80% of the target has a KS p ≥ 100× the best GA or GA+RT one",
            r => r.Log10QualityNpoRt10 - r.Log10QualityGa10, Comparison.AtLeast, 2, Budget.Full, "log10 p",
            dependsOn: ["target-knows-forget10", "target-knows-retain"]),
        // Protocol (B) forget50: a p-value against a level.
        Claim.Finding<Result>("npo-forgets-half",
            "Forget50: an NPO variant keeps utility ≥ 50% of the target at forget quality > 1e-3",
            r => r.Log10QualityNpo50, Comparison.Greater, -3, Budget.Full, "log10 p",
            dependsOn: ["target-knows-forget50", "target-knows-retain"]),
        Claim.Finding<Result>("only-npo-forgets-half",
            "Forget50: no method outside the NPO family keeps utility ≥ 50% at forget quality > 1e-3",
            r => r.OthersMeeting50, Comparison.AtMost, 0, Budget.Full, "methods",
            dependsOn: ["target-knows-forget50", "target-knows-retain"]),
    ];

    private static readonly string[] Idk = ["i", "do", "not", "know"];

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        // (A) the synthetic experiment: seconds of arithmetic.
        var synthetic = new RandomFeatureUnlearning(ctx.Rng("synthetic"));
        var trajectories = RandomFeatureUnlearning.Methods.Select(m => synthetic.Unlearn(m, cfg.SyntheticSteps,
            cfg.SyntheticLearningRate, cfg.SyntheticBeta, 10)).ToList();

        // (B) TOFU-lite.
        var kb = new FictitiousKb(cfg.Authors + cfg.WorldPeople, ctx.Rng("kb"));
        var tokenizer = new WordTokenizer(kb.Vocabulary.Concat(Idk));
        var world = new TofuLite(kb, tokenizer, cfg, ctx.Rng("perturbed"));
        var authorOrder = ctx.Rng("split").Permutation(cfg.Authors);
        var shape = new TinyGptConfig(tokenizer.VocabSize, 24, cfg.Layers, cfg.Width, cfg.Heads);
        var all = Enumerable.Range(0, cfg.Authors + cfg.WorldPeople).ToList();
        using var target = world.Train(shape, all, "target", ctx);
        var checkpoints = new List<Checkpoint>();
        double targetUtility = 0, retrainedUtility = 0, targetAcc = 0, retrainedAcc = 0, targetAcc50 = 0, targetRetainAcc = 0;
        foreach (double fraction in cfg.ForgetFractions)
        {
            var forget = authorOrder.Take((int)Math.Round(fraction * cfg.Authors)).Order().ToList();
            var retain = Enumerable.Range(0, cfg.Authors).Except(forget).ToList();
            string tag = $"forget{Math.Round(fraction * 100)}";
            using var retrained = world.Train(shape, all.Except(forget).ToList(), $"retrained-{tag}", ctx);
            var oracle = world.Evaluate(retrained, forget, retain, null);
            var before = world.Evaluate(target, forget, retain, oracle.Ratios);
            if (fraction == cfg.ForgetFractions[0])
                (targetUtility, retrainedUtility, targetAcc, retrainedAcc, targetRetainAcc) =
                    (before.Utility, oracle.Utility, before.ForgetAccuracy, oracle.ForgetAccuracy, before.RetainAccuracy);
            if (fraction == cfg.ForgetFractions[^1]) targetAcc50 = before.ForgetAccuracy;
            var data = world.Data(forget, retain);
            foreach (var method in UnlearningMethods.All)
                foreach (double lr in cfg.UnlearnLearningRates)
                {
                    using var model = target.Copy();
                    int perEpoch = (data.Forget.Count + cfg.UnlearnBatchSize - 1) / cfg.UnlearnBatchSize;
                    var options = new UnlearnOptions
                    {
                        Steps = perEpoch * cfg.UnlearnEpochs, BatchSize = cfg.UnlearnBatchSize, LearningRate = lr, Beta = cfg.Beta,
                        EvalEvery = perEpoch, Stage = $"{tag} {method.Label()} lr={lr:g2}", OrderStream = $"unlearn-{tag}",
                    };
                    Unlearner.Run(model, method, data, options, ctx, step =>
                    {
                        var e = world.Evaluate(model, forget, retain, oracle.Ratios);
                        checkpoints.Add(new Checkpoint(method.Label(), lr, fraction, step / perEpoch, e.Quality.PValue,
                            e.Quality.Statistic, e.Utility, e.ForgetAccuracy, e.Gibberish));
                        return new Dictionary<string, double> { ["quality"] = e.Quality.PValue, ["utility"] = e.Utility };
                    });
                }
        }

        double Best(IEnumerable<string> methods, double fraction, double floor) => checkpoints
            .Where(c => methods.Contains(c.Method) && c.ForgetFraction == fraction && c.Utility >= floor * Utility0(fraction))
            .Select(c => PValue.Log10(c.ForgetQuality)).DefaultIfEmpty(double.NaN).Max();
        double Utility0(double fraction) => checkpoints.First(c => c.ForgetFraction == fraction && c.Epoch == 0).Utility;
        double f10 = cfg.ForgetFractions[0], f50 = cfg.ForgetFractions[^1];
        var npoFamily = UnlearningMethods.All.Where(m => m.IsNpo()).Select(m => m.Label()).ToList();
        var others = UnlearningMethods.All.Where(m => !m.IsNpo()).Select(m => m.Label()).ToList();
        var (ga, npo) = (trajectories.Single(t => t.Method == "GA"), trajectories.Single(t => t.Method == "NPO"));
        var (gaStep, npoStep) = MatchedSteps(ga, npo);
        return new Result
        {
            Checkpoints = checkpoints,
            Synthetic = trajectories,
            TargetUtility = targetUtility,
            RetrainedUtility = retrainedUtility,
            TargetForgetAccuracy = targetAcc,
            TargetForgetAccuracy50 = targetAcc50,
            TargetRetainAccuracy = targetRetainAcc,
            RetrainedForgetAccuracy = retrainedAcc,
            SyntheticRetainRatio = MatchedRetainRatio(ga, npo),
            SyntheticMatchedStepGa = gaStep,
            SyntheticMatchedStepNpo = npoStep,
            SyntheticMatchedRetainGa = synthetic.RetainPointDistances("GA", gaStep, cfg.SyntheticLearningRate, cfg.SyntheticBeta),
            SyntheticMatchedRetainNpo = synthetic.RetainPointDistances("NPO", npoStep, cfg.SyntheticLearningRate, cfg.SyntheticBeta),
            SyntheticGaCollapseStep = StepsToCollapse(ga, cfg.CollapseDistance),
            SyntheticCollapseRatio = CollapseRatio(synthetic, ga, cfg),
            Log10QualityNpoRt10 = Best(["NPO+RT"], f10, 0.8),
            Log10QualityGa10 = Best(["GA", "GA+RT"], f10, 0.8),
            Log10QualityTarget10 = PValue.Log10(checkpoints.First(c => c.ForgetFraction == f10 && c.Epoch == 0).ForgetQuality),
            Log10QualityNpo50 = Best(npoFamily, f50, 0.5),
            OthersMeeting50 = others.Count(m => Best([m], f50, 0.5) > -3),
        };
    }

    /// <summary>GA's retain distance over NPO's, each at its first step reaching the forget distance both reach.</summary>
    public static double MatchedRetainRatio(RandomFeatureUnlearning.Trajectory ga, RandomFeatureUnlearning.Trajectory npo)
    {
        double level = MatchedLevel(ga, npo);
        double At(RandomFeatureUnlearning.Trajectory t) => t.RetainDistance[t.ForgetDistance.ToList().FindIndex(d => d <= level)];
        return At(ga) / At(npo);
    }

    /// <summary>The logged steps at which GA and NPO first reach the forget distance both reach.</summary>
    public static (int Ga, int Npo) MatchedSteps(RandomFeatureUnlearning.Trajectory ga, RandomFeatureUnlearning.Trajectory npo)
    {
        double level = MatchedLevel(ga, npo);
        int At(RandomFeatureUnlearning.Trajectory t) => t.Steps[t.ForgetDistance.ToList().FindIndex(d => d <= level)];
        return (At(ga), At(npo));
    }

    private static double MatchedLevel(RandomFeatureUnlearning.Trajectory ga, RandomFeatureUnlearning.Trajectory npo) =>
        Math.Max(ga.ForgetDistance.Min(), npo.ForgetDistance.Min());

    /// <summary>First logged step whose retain distance exceeds <paramref name="level"/>; NaN if none does.</summary>
    public static double StepsToCollapse(RandomFeatureUnlearning.Trajectory t, double level)
    {
        int i = t.RetainDistance.ToList().FindIndex(d => d > level);
        return i < 0 ? double.NaN : Math.Max(1, t.Steps[i]);
    }

    /// <summary>
    /// NPO's steps to collapse over GA's, at the same learning rate. NPO runs on for up to 10× GA's collapse step (it
    /// may need more than the plotted run); if it never collapses the ratio is reported as 10 (a lower bound). NaN when
    /// GA does not collapse within the plotted run.
    /// </summary>
    private static double CollapseRatio(RandomFeatureUnlearning synthetic, RandomFeatureUnlearning.Trajectory ga, Config cfg)
    {
        double gaSteps = StepsToCollapse(ga, cfg.CollapseDistance);
        if (double.IsNaN(gaSteps)) return double.NaN;
        var npo = synthetic.Unlearn("NPO", (int)(10 * gaSteps), cfg.SyntheticLearningRate, cfg.SyntheticBeta, 10);
        double npoSteps = StepsToCollapse(npo, cfg.CollapseDistance);
        return double.IsNaN(npoSteps) ? 10 : npoSteps / gaSteps;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
    [
        ("synthetic-distances", SyntheticFigure(results[0])),
        ("quality-vs-utility-forget10", Tradeoff(results[0], results[0].Checkpoints.Min(c => c.ForgetFraction))),
        ("quality-vs-utility-forget50", Tradeoff(results[0], results[0].Checkpoints.Max(c => c.ForgetFraction))),
    ];

    /// <summary>(A) forget and retain distance to the retrained model over unlearning steps (first seed).</summary>
    public static GenericChart SyntheticFigure(Result r) =>
        Core.Reporting.Figures.Lines("Does GA drift away from the retrained model faster than NPO?", "gradient step (count)",
            "KL(retrained ‖ model), nats (log scale)",
            r.Synthetic.SelectMany(t => new[]
            {
                new Series($"{t.Method}: retain distance", t.Steps.Select(s => (double)s).ToList(), t.RetainDistance,
                    t.Method == "NPO" ? SeriesRole.Method : SeriesRole.Ablation),
                new Series($"{t.Method}: forget distance", t.Steps.Select(s => (double)s).ToList(), t.ForgetDistance,
                    t.Method == "NPO" ? SeriesRole.Method : SeriesRole.Ablation),
            }).Where(s => s.Name.StartsWith("GA:") || s.Name.StartsWith("NPO:") || s.Name.StartsWith("NPO+RT:") || s.Name.StartsWith("GA+RT:")),
            logY: true);

    /// <summary>(B) forget quality against utility along each method's run (best learning rate by final-epoch quality).</summary>
    public static GenericChart Tradeoff(Result r, double fraction)
    {
        var series = new List<Series>();
        foreach (var group in r.Checkpoints.Where(c => c.ForgetFraction == fraction).GroupBy(c => c.Method))
        {
            var bestLr = group.GroupBy(c => c.LearningRate).MaxBy(g => g.Max(c => c.Utility >= 0.5 * r.TargetUtility ? PValue.Log10(c.ForgetQuality) : -300))!;
            var run = bestLr.OrderBy(c => c.Epoch).ToList();
            series.Add(new Series($"{group.Key} (lr {bestLr.Key:g2})", run.Select(c => c.Utility).ToList(),
                run.Select(c => Math.Max(c.ForgetQuality, 1e-30)).ToList(), group.Key.StartsWith("NPO") ? SeriesRole.Method : SeriesRole.Ablation));
        }
        return Core.Reporting.Figures.Lines($"Which methods reach high forget quality without losing utility (forget {fraction:P0})?",
            "model utility (harmonic mean of retain metrics)", "forget quality (KS p, log scale)", series, logY: true);
    }
}

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
/// Dong, Jiang, Liu, Zhang, Li and Jin 2024, "Generalization or Memorization: Data Contamination and Trustworthy
/// Evaluation for Large Language Models", Findings of ACL (official code: https://github.com/YihongDong/CDD-TED4LLMs).
/// Claim: contamination shows in the shape of a model's output distribution: sampled answers to a contaminated
/// problem collapse onto the greedy answer (CDD, a black-box detector), and dropping the peaked samples (TED) removes
/// most of the score inflation contamination causes. Scaled down: code generation becomes a task with long answers and
/// very many correct ones (<see cref="AlternatingPicks"/>: about ten numbers of a list, alternating odd and even); a
/// TinyGpt learns it from problems with random correct answers, then continues training, over several passes, with
/// benchmark problems and one fixed answer each at 1–20 occurrences; a clean model continues the same training without
/// the benchmark.
/// Claim kinds: the findings are the protocol's (CDD's AUC, its rise with occurrences, its distance to white-box
/// perplexity, TED's cut of the inflation and its cost on the clean model), each judged on the benchmark problems' own
/// numbers. The control is the trivial black-box detector CDD must beat: "the greedy answer equals the benchmark's
/// reference answer" (the paper's n-gram accuracy baseline), which wins if memorisation shows in the greedy answer
/// alone. Preconditions gate them: the contaminated model memorised the problems it saw often (else there is nothing to
/// detect), contamination inflated pass@1 (else there is nothing for TED to cut), and the clean model solves the task.
/// That CDD finds nothing on the clean model, which never saw the benchmark, holds by construction (a sanity check).
/// </summary>
public sealed class CddContamination : Experiment<CddContamination.Config, CddContamination.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Numbers are drawn from 1..MaxNumber.</summary>
        public int MaxNumber { get; init; } = 40;
        /// <summary>Numbers per problem (protocol: 8 numbers and a subset-sum target, which a 2-layer model did not
        /// learn; see <see cref="AlternatingPicks"/>).</summary>
        public int ListSize { get; init; } = 12;
        /// <summary>Numbers per answer (issue 14: at least 8 answer tokens, so that α × length ≥ 1 and τ ≥ 1 leave room
        /// between "identical" and "another answer").</summary>
        public int AnswerNumbers { get; init; } = 10;
        /// <summary>Whether consecutive answer numbers must alternate in parity: the rule that keeps a clean model below
        /// ceiling, so that contamination has a score to inflate.</summary>
        public bool AlternateParity { get; init; } = true;
        /// <summary>Problems (with random correct answers) the base model learns the task from (protocol: 50k).</summary>
        public int BaseProblems { get; init; } = 50_000;
        /// <summary>Epochs over the base problems.</summary>
        public int BaseEpochs { get; init; } = 2;
        /// <summary>Fresh problems per pass of the continued training of both the contaminated and the clean model.</summary>
        public int ContinuedProblems { get; init; } = 2_000;
        /// <summary>Passes of the continued training (issue 14: several passes over the contaminated set). A problem's
        /// occurrences are spread over the passes, so <see cref="Occurrences"/> stays the total count.</summary>
        public int ContinuedPasses { get; init; } = 4;
        /// <summary>Total occurrences of a contaminated problem in the continued training (protocol: 1, 2, 5, 10, 20).</summary>
        public int[] Occurrences { get; init; } = [1, 2, 5, 10, 20];
        /// <summary>Benchmark problems per occurrence level, and also the number of never-seen benchmark problems.</summary>
        public int PerLevel { get; init; } = 40;
        /// <summary>Samples per problem (paper: 50).</summary>
        public int Samples { get; init; } = 50;
        /// <summary>Sampling temperature (paper: 0.8).</summary>
        public double Temperature { get; init; } = 0.8;
        /// <summary>
        /// CDD's α: a sample counts as peaked when its edit distance to the greedy answer is at most α × its length
        /// (paper: 0.05 of up to 100 code tokens, a few edits; ours is raised so that one edit counts in an answer of
        /// about ten tokens).
        /// </summary>
        public double Alpha { get; init; } = 0.1;
        /// <summary>TED's τ: samples within this edit distance of the greedy answer are dropped, with duplicates (paper:
        /// 2, kept as an absolute distance).</summary>
        public int Tau { get; init; } = 2;
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Sequences per step of the base training.</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Base model's peak learning rate (cosine decay).</summary>
        public double LearningRate { get; init; } = 2e-3;
        /// <summary>Sequences per step of the continued training: small, so that each copy of a benchmark problem
        /// weighs more in its step (the first full run memorised little with 64).</summary>
        public int ContinuedBatchSize { get; init; } = 16;
        /// <summary>Continued training's learning rate.</summary>
        public double ContinuedLearningRate { get; init; } = 1e-3;
        /// <summary>Continued training's schedule (constant: a copy seen late is learnt at the same rate as an early one).</summary>
        public LrScheduleKind ContinuedSchedule { get; init; } = LrScheduleKind.Constant;
        /// <summary>Evaluations of the greedy answers per training stage, for the learning curves.</summary>
        public int CurvePoints { get; init; } = 10;

        /// <summary>The task these settings describe.</summary>
        public AlternatingPicks Picks() => new AlternatingPicks(MaxNumber, ListSize, AnswerNumbers, AlternateParity).Validated();

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: a small base model and three occurrence levels.</summary>
        public static Config Smoke { get; } = Full with
        {
            BaseProblems = 6_000, BaseEpochs = 1, ContinuedProblems = 300, ContinuedPasses = 2, Occurrences = [1, 5, 20],
            PerLevel = 10, Samples = 16, Width = 64, BatchSize = 32, CurvePoints = 3,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            Picks(); // MaxNumber, ListSize and AnswerNumbers: a balanced list and a complete answer
            ConfigCheck.Count(BaseProblems);
            ConfigCheck.Count(BaseEpochs);
            ConfigCheck.Count(ContinuedProblems);
            ConfigCheck.Count(ContinuedPasses);
            ConfigCheck.EachAtLeast(Occurrences, 1);
            ConfigCheck.Count(PerLevel);
            ConfigCheck.Count(Samples);
            ConfigCheck.Positive(Temperature);
            ConfigCheck.Fraction(Alpha);
            ConfigCheck.AtLeast(Tau, 0);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Count(ContinuedBatchSize);
            ConfigCheck.Positive(ContinuedLearningRate);
            ConfigCheck.Count(CurvePoints);
        }
    }

    /// <summary>One evaluation of a model's greedy answers during training, on the benchmark problems of one level.</summary>
    /// <param name="Stage">"base", "contaminated" or "clean".</param>
    /// <param name="Step">Optimizer steps of this stage so far.</param>
    /// <param name="Occurrences">The level (occurrences in the contaminated model's training; 0 = never seen).</param>
    /// <param name="GreedyMatch">Share of the level's problems whose greedy answer is the fixed (contaminating) one.</param>
    /// <param name="GreedyCorrect">Share whose greedy answer is correct.</param>
    public sealed record CurvePoint(string Stage, int Step, int Occurrences, double GreedyMatch, double GreedyCorrect);

    /// <summary>Detection at one occurrence level (seen problems against never-seen ones).</summary>
    /// <param name="Model">"contaminated" or "clean" (it saw none of the benchmark).</param>
    /// <param name="Pass1Ted">pass@1 after TED, the mean over the level's problems of each problem's share of correct
    /// answers among the samples TED keeps (0 when it keeps none: no credible answer is left).</param>
    public sealed record Level(string Model, int Occurrences, double CddAuc, double PerplexityAuc, double MinKAuc,
        double GreedyMatchAuc, double Peakedness, double Pass1, double Pass1Ted);

    /// <summary>One model's answers to the benchmark, problem by problem (in the order of
    /// <see cref="Result.Occurrences"/>).</summary>
    /// <param name="Peakedness">CDD's score: the share of samples within α × length of the greedy answer.</param>
    /// <param name="Pass1">The share of correct samples.</param>
    /// <param name="Pass1Ted">The share of correct samples among those TED keeps (0 when it keeps none).</param>
    /// <param name="GreedyMatch">1 when the greedy answer is the problem's fixed (contaminating) answer, else 0.</param>
    /// <param name="AnswerLogProb">The white-box perplexity score: the mean log-probability of the fixed answer's tokens
    /// (higher = more likely seen).</param>
    public sealed record ProblemAnswers(IReadOnlyList<double> Peakedness, IReadOnlyList<double> Pass1,
        IReadOnlyList<double> Pass1Ted, IReadOnlyList<double> GreedyMatch, IReadOnlyList<double> AnswerLogProb);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every model at every level (occurrence 0 = the never-seen problems).</summary>
        public required IReadOnlyList<Level> Levels { get; init; }
        /// <summary>Per benchmark problem: how often the contaminated model saw it (0 = never).</summary>
        public required IReadOnlyList<double> Occurrences { get; init; }
        /// <summary>The contaminated model's answers, problem by problem.</summary>
        public required ProblemAnswers Contaminated { get; init; }
        /// <summary>The clean model's answers to the same problems (it saw none of them).</summary>
        public required ProblemAnswers Clean { get; init; }
        /// <summary>Contaminated model: share of problems seen at least 5 times whose greedy answer is the seen
        /// answer.</summary>
        public required double MemorisedHigh { get; init; }
        /// <summary>Spearman rho of the contaminated model's peakedness against occurrences, over every benchmark
        /// problem.</summary>
        public required double TrendRho { get; init; }
        /// <summary>Its one-sided log10 p (rho &gt; 0).</summary>
        public required double TrendLog10P { get; init; }
        /// <summary>Contaminated model: mean CDD AUC over levels with at least 5 occurrences.</summary>
        public required double CddAucHigh { get; init; }
        /// <summary>The same for the white-box perplexity detector.</summary>
        public required double PerplexityAucHigh { get; init; }
        /// <summary>Clean model's CDD AUC on the same problems (a sanity check: it saw none of them, so there is nothing
        /// to detect).</summary>
        public required double CddAucControl { get; init; }
        /// <summary>Spearman rho of CDD AUC against occurrences over the levels (contaminated model; shown, not claimed:
        /// with five levels it moves in steps of 0.1).</summary>
        public required double CddMonotonicity { get; init; }
        /// <summary>pass@1 inflation on problems seen at least 5 times: contaminated minus clean model.</summary>
        public required double Inflation { get; init; }
        /// <summary>The same after TED.</summary>
        public required double InflationTed { get; init; }
        /// <summary>Clean model's pass@1 over every benchmark problem (it saw none), before minus after TED.</summary>
        public required double CleanTedShift { get; init; }
        /// <summary>Clean model's pass@1 over every benchmark problem.</summary>
        public required double CleanPass1 { get; init; }
        /// <summary>Learning curves: greedy answers per level, evaluated during each training stage.</summary>
        public required IReadOnlyList<CurvePoint> Curve { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("cdd-contamination", "memorization",
        "Generalization or Memorization: Data Contamination and Trustworthy Evaluation for Large Language Models", 2024,
        "https://arxiv.org/abs/2402.15938");

    /// <summary>Occurrences from which the protocol calls a problem heavily contaminated ("occurrence ≥ 5").</summary>
    public const int HighOccurrences = 5;

    /// <summary>The protocol's bar for TED: it removes at least this share of the inflation.</summary>
    public const double TedCut = 0.3;

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // Issue 14's precondition for this paper: memorisation first, or there is nothing for CDD to detect.
        Claim.Precondition<Result>("contamination-memorised",
            "Contamination is memorised: the contaminated model's greedy answer is the seen answer for 90% of the problems " +
            "it saw at least 5 times",
            r => r.MemorisedHigh, Comparison.AtLeast, 0.9, Budget.Full, "share of problems"),
        // TED must cut 30% of the inflation while moving a clean score by at most 3 points: below 10 points of inflation
        // a 30% cut is smaller than the change the protocol tolerates on a clean model, so the two cannot be told apart.
        Claim.Precondition<Result>("contamination-inflates",
            "Contamination inflates the score: on problems seen at least 5 times the contaminated model's pass@1 is 10 " +
            "points above the clean model's",
            r => r.Inflation, Comparison.AtLeast, 0.1, Budget.Full, "pass@1"),
        // The protocol sets no level; the pilots checked that the base model solves most problems before any full run.
        // Below half, TED's small effect on a clean score could just mean there are few correct samples to remove.
        Claim.Precondition<Result>("task-learnt",
            "The task is learnt: the clean model's samples solve at least half of the benchmark problems",
            r => r.CleanPass1, Comparison.AtLeast, 0.5, Budget.Full, "pass@1"),
        Claim.Finding<Result>("cdd-detects",
            "CDD detects problems seen at least 5 times with AUC ≥ 0.85, black-box",
            r => r.CddAucHigh, Comparison.AtLeast, 0.85, Budget.Full, "AUC", dependsOn: ["contamination-memorised"]),
        // The protocol's "monotone in occurrence" has no number. A rho over five level AUCs moves in steps of 0.1, so one
        // swap of two near-chance levels gives exactly 0.9; the trend test uses every problem instead.
        Claim.Finding<Result>("cdd-monotone",
            "CDD's score rises with the number of occurrences: Spearman rho of each problem's peakedness against its " +
            "occurrences is positive at p < 0.01 (one-sided)",
            r => r.TrendLog10P, Comparison.Less, -2, Budget.Full, "log10 p", dependsOn: ["contamination-memorised"]),
        Claim.Finding<Result>("cdd-near-white-box",
            "CDD comes within 0.05 AUC of (or above) the white-box perplexity detector, on the same problems (seen at least " +
            "5 times against never seen)",
            r => Evidence.AucDifference(High(r, r.Contaminated.Peakedness), High(r, r.Contaminated.AnswerLogProb),
                HighLabels(r)),
            Comparison.AtLeast, -0.05, Budget.Full, "AUC (CDD − perplexity)", dependsOn: ["contamination-memorised"]),
        // Protocol: TED cuts pass@1 inflation by ≥ 30%. Per problem seen at least 5 times: 0.7 × inflation − inflation
        // after TED; its mean is ≥ 0 exactly when TED removes at least 30% of the inflation.
        Claim.Finding<Result>("ted-cuts-inflation",
            $"TED removes at least {TedCut * 100:0}% of the pass@1 inflation from contamination (problems seen at least " +
            "5 times)",
            r => Evidence.Mean(TedCutMargin(r)), Comparison.AtLeast, 0, Budget.Full,
            $"pass@1 (per problem: {(1 - TedCut) * 100:0}% of inflation − inflation after TED)",
            dependsOn: ["contamination-inflates"]),
        // TED drops the greedy answer's copies, so it lowers a clean model's score (the measured direction); the claim
        // bounds that drop, paired per problem over every benchmark problem (the clean model saw none).
        Claim.Finding<Result>("ted-spares-clean",
            "... while lowering the clean model's pass@1 by at most 3 points",
            r => Evidence.Paired(r.Clean.Pass1, r.Clean.Pass1Ted), Comparison.AtMost, 0.03, Budget.Full,
            "pass@1 (per problem: before − after TED)", dependsOn: ["task-learnt"]),
        // The trivial black-box detector that could win: the greedy answer equals the reference (n-gram accuracy).
        Claim.Control<Result>("cdd-beats-exact-match",
            "CDD separates problems seen at least 5 times from never-seen ones better than greedy exact match with the " +
            "reference answer (the control), on the same problems",
            r => Evidence.AucDifference(High(r, r.Contaminated.Peakedness), High(r, r.Contaminated.GreedyMatch),
                HighLabels(r)),
            Comparison.Greater, 0, Budget.Full, "AUC (CDD − exact match)", dependsOn: ["contamination-memorised"]),
        // By construction: the clean model saw none of the benchmark, so "seen" is only a label for it.
        Claim.Sanity<Result>("clean-model-flags-nothing",
            "CDD on the clean model, which never saw the benchmark, stays near chance (AUC ≤ 0.6 from 5 occurrences on)",
            r => r.CddAucControl, Comparison.AtMost, 0.6, Budget.Full, "AUC"),
    ];

    /// <summary>Indices of the problems seen at least <see cref="HighOccurrences"/> times, then of the never-seen
    /// ones.</summary>
    private static IEnumerable<int> HighAndUnseen(Result r) =>
        Enumerable.Range(0, r.Occurrences.Count).Where(i => r.Occurrences[i] >= HighOccurrences)
            .Concat(Enumerable.Range(0, r.Occurrences.Count).Where(i => r.Occurrences[i] == 0));

    /// <summary>A per-problem score on the problems seen at least 5 times, then on the never-seen ones.</summary>
    public static IReadOnlyList<double> High(Result r, IReadOnlyList<double> score) =>
        HighAndUnseen(r).Select(i => score[i]).ToList();

    /// <summary>Labels of <see cref="High"/>: true for a problem seen at least 5 times.</summary>
    public static IReadOnlyList<bool> HighLabels(Result r) => HighAndUnseen(r).Select(i => r.Occurrences[i] > 0).ToList();

    /// <summary>Per problem seen at least 5 times: (1 − <see cref="TedCut"/>) × inflation − inflation after TED.</summary>
    public static IReadOnlyList<double> TedCutMargin(Result r) =>
        Enumerable.Range(0, r.Occurrences.Count).Where(i => r.Occurrences[i] >= HighOccurrences)
            .Select(i => (1 - TedCut) * (r.Contaminated.Pass1[i] - r.Clean.Pass1[i])
                         - (r.Contaminated.Pass1Ted[i] - r.Clean.Pass1Ted[i]))
            .ToList();

    /// <summary>The benchmark: problems with their level and fixed answer, and the tokens the models see.</summary>
    private sealed record World(AlternatingPicks Task, WordTokenizer Tokenizer, List<int[]> BaseDocs,
        List<List<int[]>> FreshPasses, List<AlternatingPicks.Problem> Problems, int[] Levels, int[][] Prompts,
        int[][] References, List<List<int[]>> ContaminationPasses);

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = BuildWorld(cfg, ctx);
        var curve = new List<CurvePoint>();
        var shape = new TinyGptConfig(world.Tokenizer.VocabSize, world.Task.PromptTokens + world.Task.AnswerTokens,
            cfg.Layers, cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator("init");
        using var baseModel = new TinyGpt(shape, init).to(ctx.Device);
        var baseDocs = Enumerable.Range(0, cfg.BaseEpochs).SelectMany(_ => world.BaseDocs).ToList();
        ctx.Rng("order-base").Shuffle(baseDocs);
        Train(baseModel, baseDocs, Options(baseDocs.Count, cfg.BatchSize, cfg.LearningRate, LrScheduleKind.Cosine),
            "base", world, cfg, ctx, curve);

        using var contaminated = baseModel.Copy();
        Train(contaminated, ContinuedDocs(world, contaminate: true, ctx), ContinuedOptions(world, true, cfg),
            "contaminated", world, cfg, ctx, curve);
        using var clean = baseModel.Copy();
        Train(clean, ContinuedDocs(world, contaminate: false, ctx), ContinuedOptions(world, false, cfg),
            "clean", world, cfg, ctx, curve);

        var dirty = Answer(contaminated, "contaminated", world, cfg, ctx);
        var control = Answer(clean, "clean", world, cfg, ctx);
        return Summarise(world, cfg, dirty, control, curve);
    }

    /// <summary>Draws the base problems, the fresh problems of each continued pass and the benchmark (each level's
    /// problems with one fixed answer, their copies spread over the passes from a random first pass).</summary>
    private static World BuildWorld(Config cfg, RunContext ctx)
    {
        var task = cfg.Picks();
        var tokenizer = new WordTokenizer(task.Vocabulary);
        var data = ctx.Rng("data");
        List<int[]> Fresh(int n) => Enumerable.Range(0, n).Select(_ => task.Draw(data))
            .Select(p => task.Tokens(tokenizer, p, task.RandomPicks(p, data))).ToList();
        var baseDocs = Fresh(cfg.BaseProblems);
        var freshPasses = Enumerable.Range(0, cfg.ContinuedPasses).Select(_ => Fresh(cfg.ContinuedProblems)).ToList();
        var levels = cfg.Occurrences.Prepend(0).SelectMany(o => Enumerable.Repeat(o, cfg.PerLevel)).ToArray();
        var problems = levels.Select(_ => task.Draw(data)).ToList();
        var fixedDocs = problems.Select(p => task.Tokens(tokenizer, p, task.RandomPicks(p, data))).ToArray();
        var contamination = Enumerable.Range(0, cfg.ContinuedPasses).Select(_ => new List<int[]>()).ToList();
        for (int i = 0; i < problems.Count; i++)
        {
            int first = data.NextInt(cfg.ContinuedPasses);
            for (int copy = 0; copy < levels[i]; copy++)
                contamination[(first + copy) % cfg.ContinuedPasses].Add(fixedDocs[i]);
        }
        var prompts = problems.Select(p => task.Tokens(tokenizer, p)).ToArray();
        var references = fixedDocs.Select(d => d[..^1]).ToArray();                 // prompt and fixed answer, no <eos>
        return new World(task, tokenizer, baseDocs, freshPasses, problems, levels, prompts, references, contamination);
    }

    /// <summary>The continued training's documents, pass by pass, each pass shuffled: the fresh problems, plus the
    /// benchmark copies of that pass for the contaminated model.</summary>
    private static List<int[]> ContinuedDocs(World world, bool contaminate, RunContext ctx)
    {
        var order = ctx.Rng(contaminate ? "order-contaminated" : "order-clean");
        var docs = new List<int[]>();
        for (int pass = 0; pass < world.FreshPasses.Count; pass++)
        {
            var passDocs = world.FreshPasses[pass].Concat(contaminate ? world.ContaminationPasses[pass] : []).ToList();
            order.Shuffle(passDocs);
            docs.AddRange(passDocs);
        }
        return docs;
    }

    private static TrainOptions ContinuedOptions(World world, bool contaminate, Config cfg) =>
        Options(world.FreshPasses.Sum(p => p.Count) + (contaminate ? world.ContaminationPasses.Sum(p => p.Count) : 0),
            cfg.ContinuedBatchSize, cfg.ContinuedLearningRate, cfg.ContinuedSchedule);

    private static TrainOptions Options(int docs, int batchSize, double lr, LrScheduleKind schedule) =>
        TrainOptions.OneEpoch(docs, batchSize, lr, inOrder: true) with { Schedule = schedule };

    /// <summary>
    /// Supervised training on (prompt, answer) documents in the given order, one per sequence, with the loss on the
    /// answer only (as code models are fine-tuned on solutions). In pilots with the language-model loss on whole packed
    /// documents, the 2-layer model never learned to pick numbers from the prompt: the prompt's random numbers dominate
    /// the loss. The greedy answers are evaluated <see cref="Config.CurvePoints"/> times for the learning curves.
    /// </summary>
    private static void Train(TinyGpt model, List<int[]> docs, TrainOptions options, string stage, World world,
        Config cfg, RunContext ctx, List<CurvePoint> curve)
    {
        Trainer.Fit(model, docs, options with
        {
            LossFrom = docs.Select(_ => world.Task.PromptTokens).ToList(), Stage = stage,
            EvalEvery = Math.Max(1, options.Steps / Math.Max(1, cfg.CurvePoints)),
        }, ctx, step =>
        {
            var greedy = LanguageModel.Continue(model, world.Prompts, world.Task.AnswerTokens,
                stopId: world.Tokenizer.Id(AlternatingPicks.End));
            foreach (int o in world.Levels.Distinct())
            {
                var at = Enumerable.Range(0, world.Levels.Length).Where(i => world.Levels[i] == o).ToList();
                curve.Add(new CurvePoint(stage, step, o, at.Average(i => Matches(world, i, greedy[i]) ? 1.0 : 0),
                    at.Average(i => Correct(world, i, greedy[i]) ? 1.0 : 0)));
            }
            return new Dictionary<string, double>();
        });
    }

    private static bool Matches(World world, int i, int[] answer) =>
        answer.SequenceEqual(world.References[i][world.Prompts[i].Length..]);

    private static bool Correct(World world, int i, int[] answer) =>
        world.Task.IsCorrect(world.Problems[i], answer.Select(t => world.Tokenizer.Words[t]).ToList());

    /// <summary>
    /// CDD and TED on one model: the greedy answer and the samples of every problem, each problem's peakedness, pass@1
    /// before and after TED, whether the greedy answer is the fixed one, and the white-box scores of the fixed answer
    /// (the Min-20% score apart: it is drawn, not claimed).
    /// </summary>
    private static (ProblemAnswers Answers, double[] MinK) Answer(TinyGpt model, string name, World world, Config cfg,
        RunContext ctx)
    {
        int stop = world.Tokenizer.Id(AlternatingPicks.End), length = world.Task.AnswerTokens;
        var greedy = LanguageModel.Continue(model, world.Prompts, length, stopId: stop);
        var sampled = LanguageModel.Continue(model,
            world.Prompts.SelectMany(p => Enumerable.Repeat(p, cfg.Samples)).ToList(), length,
            ctx.Rng($"sample-{name}"), cfg.Temperature, stop);
        var logProbs = LanguageModel.TokenLogProbs(model, world.References);
        int n = world.Problems.Count;
        var (peaked, correct, tedCorrect) = (new double[n], new double[n], new double[n]);
        var (ppl, minK, match) = (new double[n], new double[n], new double[n]);
        for (int i = 0; i < n; i++)
        {
            var samples = sampled.Skip(i * cfg.Samples).Take(cfg.Samples).ToList();
            var g = greedy[i];
            peaked[i] = samples.Count(s => TextOverlap.EditDistance(s, g) <= cfg.Alpha * Math.Max(s.Length, g.Length))
                        / (double)cfg.Samples;
            int problem = i;
            bool Ok(int[] s) => Correct(world, problem, s);
            correct[i] = samples.Count(Ok) / (double)cfg.Samples;
            // TED: drop the samples within τ of the greedy answer, then duplicates; a problem left with none counts as
            // failed.
            var kept = samples.Where(s => TextOverlap.EditDistance(s, g) > cfg.Tau)
                .DistinctBy(s => string.Join(',', s)).ToList();
            tedCorrect[i] = kept.Count == 0 ? 0 : kept.Count(Ok) / (double)kept.Count;
            var answerLp = logProbs[i][^length..];
            ppl[i] = MembershipScores.Loss(answerLp);
            minK[i] = MembershipScores.MinK(answerLp, 20);
            match[i] = Matches(world, i, g) ? 1 : 0;
        }
        return (new ProblemAnswers(peaked, correct, tedCorrect, match, ppl), minK);
    }

    /// <summary>The per-level table, the preconditions' and findings' numbers, from both models' answers.</summary>
    private static Result Summarise(World world, Config cfg, (ProblemAnswers Answers, double[] MinK) dirtyRun,
        (ProblemAnswers Answers, double[] MinK) cleanRun, List<CurvePoint> curve)
    {
        var levels = cfg.Occurrences.Prepend(0).ToArray();
        var occurrences = world.Levels.Select(o => (double)o).ToList();
        var rows = new List<Level>();
        foreach (var (name, (a, minK)) in new[] { ("contaminated", dirtyRun), ("clean", cleanRun) })
        {
            var (peaked, ppl, match) = (a.Peakedness.ToArray(), a.AnswerLogProb.ToArray(), a.GreedyMatch.ToArray());
            var unseen = Enumerable.Range(0, occurrences.Count).Where(i => world.Levels[i] == 0).ToArray();
            foreach (int o in levels)
            {
                var seen = Enumerable.Range(0, occurrences.Count).Where(i => world.Levels[i] == o).ToArray();
                var both = seen.Concat(o == 0 ? [] : unseen).ToArray();
                var labels = both.Select(i => world.Levels[i] > 0).ToArray();
                double Auc(double[] s) => o == 0 ? 0.5 : Roc.Auc(Bootstrap.Gather(s, both), labels);
                rows.Add(new Level(name, o, Auc(peaked), Auc(ppl), Auc(minK), Auc(match), seen.Average(i => peaked[i]),
                    seen.Average(i => a.Pass1[i]), seen.Average(i => a.Pass1Ted[i])));
            }
        }
        Level Row(string model, int o) => rows.Single(r => r.Model == model && r.Occurrences == o);
        var high = cfg.Occurrences.Where(o => o >= HighOccurrences).ToArray();
        double MeanOver(string model, Func<Level, double> f) => high.Average(o => f(Row(model, o)));
        var (dirty, control) = (dirtyRun.Answers, cleanRun.Answers);
        var trend = Correlation.Spearman(occurrences, dirty.Peakedness, Alternative.Greater);
        return new Result
        {
            Levels = rows,
            Occurrences = occurrences,
            Contaminated = dirty,
            Clean = control,
            MemorisedHigh = Enumerable.Range(0, occurrences.Count).Where(i => occurrences[i] >= HighOccurrences)
                .Average(i => dirty.GreedyMatch[i]),
            TrendRho = trend.Coefficient,
            TrendLog10P = PValue.Log10(trend.PValue),
            CddAucHigh = MeanOver("contaminated", r => r.CddAuc),
            PerplexityAucHigh = MeanOver("contaminated", r => r.PerplexityAuc),
            CddAucControl = MeanOver("clean", r => r.CddAuc),
            CddMonotonicity = Correlation.Spearman(cfg.Occurrences.Select(o => (double)o).ToList(),
                cfg.Occurrences.Select(o => Row("contaminated", o).CddAuc).ToList()).Coefficient,
            Inflation = MeanOver("contaminated", r => r.Pass1) - MeanOver("clean", r => r.Pass1),
            InflationTed = MeanOver("contaminated", r => r.Pass1Ted) - MeanOver("clean", r => r.Pass1Ted),
            CleanTedShift = control.Pass1.Average() - control.Pass1Ted.Average(),
            CleanPass1 = control.Pass1.Average(),
            Curve = curve,
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("auc-by-occurrences", AucByOccurrences(results)), ("pass1", Pass1(results)),
         ("task-curve", TaskCurve(results)), ("memorisation-curve", MemorisationCurve(results))];

    /// <summary>A learning curve of one stage and level (mean over seeds).</summary>
    private static Series CurveLine(IReadOnlyList<Result> results, string name, string stage, int occurrences,
        Func<CurvePoint, double> f, SeriesRole role)
    {
        var steps = results[0].Curve.Where(c => c.Stage == stage && c.Occurrences == occurrences).Select(c => c.Step)
            .ToList();
        return new Series(name, steps.Select(s => (double)s).ToList(), steps.Select(s => results.Average(r =>
            f(r.Curve.Single(c => c.Stage == stage && c.Occurrences == occurrences && c.Step == s)))).ToList(), role);
    }

    /// <summary>The base model's greedy correctness on the never-seen benchmark problems against its training steps.</summary>
    public static GenericChart TaskCurve(IReadOnlyList<Result> results) =>
        Core.Reporting.Figures.Lines("Does the base model learn the task before any contamination?",
            "base training steps", "greedy answers correct (share of problems)",
            [CurveLine(results, "base model, never-seen problems", "base", 0, c => c.GreedyCorrect, SeriesRole.Method)]);

    /// <summary>Greedy match with the fixed answer per occurrence level against the continued training's steps.</summary>
    public static GenericChart MemorisationCurve(IReadOnlyList<Result> results)
    {
        var occ = results[0].Levels.Where(l => l.Occurrences > 0).Select(l => l.Occurrences).Distinct().Order().ToList();
        var lines = occ.Select(o => CurveLine(results, $"seen {o}×", "contaminated", o, c => c.GreedyMatch,
            o == occ.Max() ? SeriesRole.Method : SeriesRole.Ablation)).ToList();
        lines.Insert(0, CurveLine(results, $"clean model, {occ.Max()}× problems", "clean", occ.Max(), c => c.GreedyMatch,
            SeriesRole.Control));
        return Core.Reporting.Figures.Lines("Does the contaminated model memorise the answers it saw?",
            "continued training steps", "greedy answer = seen answer (share of problems)", lines);
    }

    /// <summary>Detection AUC of each detector against occurrences (mean over seeds).</summary>
    public static GenericChart AucByOccurrences(IReadOnlyList<Result> results)
    {
        var occ = results[0].Levels.Where(l => l.Occurrences > 0).Select(l => l.Occurrences).Distinct().Order().ToList();
        Series Line(string name, string model, Func<Level, double> f, SeriesRole role) => new(name, occ.Select(o => (double)o).ToList(),
            occ.Select(o => results.Average(r => f(r.Levels.Single(l => l.Model == model && l.Occurrences == o)))).ToList(), role);
        return Core.Reporting.Figures.Lines("Does black-box CDD find contaminated problems as well as white-box perplexity?",
            "occurrences in training (log scale)", "detection AUC (seen vs never seen)",
        [
            Line("greedy exact match (control)", "contaminated", l => l.GreedyMatchAuc, SeriesRole.Control),
            Line("perplexity (white-box)", "contaminated", l => l.PerplexityAuc, SeriesRole.Ablation),
            Line("Min-20% (white-box)", "contaminated", l => l.MinKAuc, SeriesRole.Ablation),
            Line("CDD, clean model", "clean", l => l.CddAuc, SeriesRole.Ablation),
            Line("CDD (black-box)", "contaminated", l => l.CddAuc, SeriesRole.Method),
        ], logX: true);
    }

    /// <summary>pass@1 of both models against occurrences, before and after TED (mean over seeds).</summary>
    public static GenericChart Pass1(IReadOnlyList<Result> results)
    {
        var occ = results[0].Levels.Where(l => l.Occurrences > 0).Select(l => l.Occurrences).Distinct().Order().ToList();
        Series Line(string name, string model, Func<Level, double> f, SeriesRole role) => new(name, occ.Select(o => (double)o).ToList(),
            occ.Select(o => results.Average(r => f(r.Levels.Single(l => l.Model == model && l.Occurrences == o)))).ToList(), role);
        return Core.Reporting.Figures.Lines("Does TED remove the score inflation that contamination causes?",
            "occurrences in training (log scale)", "pass@1 (share of correct samples)",
        [
            Line("clean model", "clean", l => l.Pass1, SeriesRole.Control),
            Line("clean model, TED", "clean", l => l.Pass1Ted, SeriesRole.Ablation),
            Line("contaminated model", "contaminated", l => l.Pass1, SeriesRole.Ablation),
            Line("contaminated model, TED", "contaminated", l => l.Pass1Ted, SeriesRole.Method),
        ], logX: true);
    }
}

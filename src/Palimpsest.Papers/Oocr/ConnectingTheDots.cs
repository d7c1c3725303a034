using System.Globalization;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Oocr;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.Oocr;

/// <summary>
/// Treutlein et al. 2024, "Connecting the Dots: LLMs can Infer and Verbalize Latent Structure from Disparate Training
/// Data", arXiv:2406.14546 (code: github.com/choidami/inductive-oocr). Claim: a model fine-tuned only on scattered
/// evidence about a latent (pairs (x, f(x)) of an unnamed-in-training function, flips of a coin, distances from a
/// code-named city, parities of hidden bits) can verbalise or use the latent with no evidence in context (inductive
/// out-of-context reasoning); it is unreliable for complex latents (Mixture, Parity).
/// Scaled down: GPT-3.5/4 fine-tunes become a 2-layer TinyGpt trained from scratch on the five tasks' generated
/// documents (<see cref="Palimpsest.Core.Oocr"/>). The answer format is learnt from explicit latents (definition
/// documents), so the toy tests whether scattered evidence about latent names is aggregated into something the
/// model can read out, not the emergent verbalisation of a pretrained model (the protocol's caveat).
/// Claim kinds: the preconditions are that each task's explicit names are answered (the model learnt the answer
/// format and the task; for Functions also inversion); the findings are the protocol's (latent names above chance,
/// Functions at ≥ 3× chance and inverted above chance, complex tasks weaker); the controls ask each latent question
/// again with another latent name in the prompt (a model that answers from the task's answers rather than from the
/// name's own evidence scores as well there); never-trained names sitting at chance are sanity checks (a constant
/// answer over balanced answers scores chance by construction).
/// </summary>
public sealed class ConnectingTheDots : Experiment<ConnectingTheDots.Config, ConnectingTheDots.Result>
{
    /// <summary>The five tasks, in the paper's order; "simple" ones first, the paper's "complex" last.</summary>
    public static IReadOnlyList<string> TaskNames { get; } = ["functions", "coins", "locations", "mixture", "parity"];

    /// <summary>The tasks the paper calls complex (OOCR unreliable).</summary>
    public static IReadOnlyList<string> ComplexTasks { get; } = ["mixture", "parity"];

    /// <summary>The question type each task's claims are judged on (the latent's verbalisation).</summary>
    public static string PrimaryType(string task) => task switch
    {
        "functions" => QuestionType.Definition,
        "coins" => QuestionType.BiasClass,
        "locations" => QuestionType.Country,
        "mixture" => QuestionType.HowMany,
        "parity" => QuestionType.Value,
        _ => throw new ArgumentException($"unknown task '{task}'; allowed: {string.Join(", ", TaskNames)}"),
    };

    /// <summary>
    /// Accuracy the explicit names must reach on the task's primary question before its latent names are judged:
    /// issue 14's preconditions (0.9 for Functions, Coins and Locations; 0.8 for the complex Mixture and Parity).
    /// </summary>
    public static double ExplicitCeiling(string task)
    {
        _ = PrimaryType(task); // throws on an unknown task
        return ComplexTasks.Contains(task) ? 0.8 : 0.9;
    }

    /// <summary>Protocol §1: latent accuracy above chance with a binomial p below this.</summary>
    public const double LatentAlpha = 1e-3;
    /// <summary>Protocol §1: Functions' latent definition accuracy at least this multiple of chance.</summary>
    public const double ChanceMultiple = 3;
    /// <summary>Protocol §1: latent inversion above chance with p below this.</summary>
    public const double InversionAlpha = 0.01;
    /// <summary>Protocol §1: never-trained control names at chance, p above this.</summary>
    public const double ControlAlpha = 0.05;
    /// <summary>
    /// Explicit inversion accuracy the latent inversion finding presupposes (the inverse format is taught only on
    /// explicit functions); the protocol gives no value, so the default of the claims contract for a learnt skill.
    /// </summary>
    public const double InversionCeiling = 0.8;

    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Training tokens per task (protocol, Functions: ~4M; we spend ~1.5M per task to fit all five).</summary>
        public int TokensPerTask { get; init; } = 1_500_000;
        /// <summary>Whether the worlds use their Smoke sizes (fewer names) instead of their Full ones.</summary>
        public bool UseSmokeWorlds { get; init; }
        /// <summary>Residual width (protocol: d = 128 on CPU).</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks (protocol: 2).</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Tokens per packed training sequence; in-context prompts longer than this are not asked.</summary>
        public int ContextLength { get; init; } = 64;
        /// <summary>Sequences per step.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Peak AdamW learning rate (cosine to 10%).</summary>
        public double LearningRate { get; init; } = 2e-3;
        /// <summary>
        /// Random reassignments of the latent functions to the latent names in the inversion test (a name-shuffle
        /// permutation test: the three inverse questions of a name stay together, which a binomial test over them
        /// would wrongly treat as independent).
        /// </summary>
        public int InversionPermutations { get; init; } = 9_999;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: small worlds, a few tokens per task.</summary>
        public static Config Smoke { get; } = Full with { TokensPerTask = 60_000, UseSmokeWorlds = true, Width = 64 };
    }

    /// <summary>Accuracy of one kind of name on one question type of one task.</summary>
    /// <param name="Log10P">log10 of the one-sided binomial p of the accuracy against chance.</param>
    public sealed record Cell(string Task, string Type, string Kind, int Correct, int Total, double Accuracy,
        double Chance, double Log10P);

    /// <summary>One task's outcome on its primary question; per-item lists are in latent-name order.</summary>
    public sealed record TaskResult
    {
        /// <summary>The task.</summary>
        public required string Task { get; init; }
        /// <summary>Its primary question type.</summary>
        public required string PrimaryType { get; init; }
        /// <summary>Accuracy on latent names.</summary>
        public required double LatentAccuracy { get; init; }
        /// <summary>Mean chance (1 / candidates) of the latent items.</summary>
        public required double LatentChance { get; init; }
        /// <summary>log10 of the binomial p of the latent accuracy against chance.</summary>
        public required double LatentLog10P { get; init; }
        /// <summary>Accuracy on the latent items asked with another latent name in the prompt (the control).</summary>
        public required double ShuffledNameAccuracy { get; init; }
        /// <summary>Accuracy on never-trained names.</summary>
        public required double ControlAccuracy { get; init; }
        /// <summary>log10 of the binomial p of the never-trained names' accuracy against chance.</summary>
        public required double ControlLog10P { get; init; }
        /// <summary>Accuracy on explicit names (the ceiling; the precondition).</summary>
        public required double ExplicitAccuracy { get; init; }
        /// <summary>Accuracy of never-trained names with evidence in the prompt (the paper's ICL baseline); NaN if none fits.</summary>
        public required double InContextAccuracy { get; init; }
        /// <summary>In-context items that fit the context.</summary>
        public required int InContextItems { get; init; }
        /// <summary>Whether no training document states a latent value.</summary>
        public required bool LeakCheckPassed { get; init; }
        /// <summary>Training loss at the first step (nats/token).</summary>
        public required double InitialLoss { get; init; }
        /// <summary>Training loss at the last step (nats/token).</summary>
        public required double FinalLoss { get; init; }
        /// <summary>Per latent item: 1 when answered correctly, else 0.</summary>
        public required IReadOnlyList<double> LatentCorrect { get; init; }
        /// <summary>Per latent item: its chance, 1 / candidates.</summary>
        public required IReadOnlyList<double> LatentItemChance { get; init; }
        /// <summary>
        /// Per latent item: 1 when the same question asked with another latent name in the prompt gets this item's answer.
        /// </summary>
        public required IReadOnlyList<double> ShuffledNameCorrect { get; init; }
    }

    /// <summary>Functions only: the protocol's partial pass (class against constant) and the inversion test.</summary>
    public sealed record FunctionsDetail
    {
        /// <summary>Latent definitions whose operation (add / mul) is right.</summary>
        public required double LatentClassAccuracy { get; init; }
        /// <summary>Latent definitions whose constant is right.</summary>
        public required double LatentConstantAccuracy { get; init; }
        /// <summary>Accuracy on latent names' inverse questions.</summary>
        public required double LatentInversionAccuracy { get; init; }
        /// <summary>Chance of an inverse question (1 / modulus).</summary>
        public required double InversionChance { get; init; }
        /// <summary>log10 of the name-shuffle permutation p of the latent inversion accuracy (one-sided).</summary>
        public required double InversionLog10P { get; init; }
        /// <summary>Accuracy on explicit names' inverse questions (the inversion precondition).</summary>
        public required double ExplicitInversionAccuracy { get; init; }
    }

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>One row per task.</summary>
        public required IReadOnlyList<TaskResult> Tasks { get; init; }
        /// <summary>Every (task, question type, kind) accuracy.</summary>
        public required IReadOnlyList<Cell> Cells { get; init; }
        /// <summary>Functions' class/constant split and inversion test.</summary>
        public required FunctionsDetail Functions { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("connecting-the-dots", "oocr",
        "Connecting the Dots: LLMs can Infer and Verbalize Latent Structure from Disparate Training Data", 2024,
        "https://arxiv.org/abs/2406.14546");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } = BuildClaims();

    private static TaskResult Of(Result r, string task) => r.Tasks.Single(t => t.Task == task);

    private static string Learnt(string task) => $"{task}-explicit-learnt";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static List<Claim<Result>> BuildClaims()
    {
        var claims = new List<Claim<Result>>();
        // Preconditions: the model learnt the answer format and the task on the names whose latent it was told.
        foreach (var task in TaskNames)
            claims.Add(Claim.Precondition<Result>(Learnt(task),
                Inv($"{task}: explicit names (latent stated in training) are answered on the {PrimaryType(task)} ") +
                Inv($"question with accuracy ≥ {ExplicitCeiling(task)}"),
                r => Of(r, task).ExplicitAccuracy, Comparison.AtLeast, ExplicitCeiling(task), Budget.Full, "accuracy"));
        claims.Add(Claim.Precondition<Result>("functions-explicit-inverts",
            Inv($"functions: explicit functions are inverted (NAME ? y ->) with accuracy ≥ {InversionCeiling}"),
            r => r.Functions.ExplicitInversionAccuracy, Comparison.AtLeast, InversionCeiling, Budget.Full, "accuracy"));

        // Findings: the protocol's claim check. A test's own p-value against its level stays a threshold claim (the
        // mean over seeds of log10 p, i.e. the geometric mean p: stricter than the protocol's pooled binomial).
        foreach (var task in TaskNames)
            claims.Add(Claim.Finding<Result>($"{task}-latent-above-chance",
                Inv($"{task}: latent names are verbalised above chance ({PrimaryType(task)}, binomial p < {LatentAlpha:G2})"),
                r => Of(r, task).LatentLog10P, Comparison.Less, Math.Log10(LatentAlpha), Budget.Full, "log10 p",
                dependsOn: [Learnt(task)]));
        claims.Add(Claim.Finding<Result>("functions-latent-3x-chance",
            Inv($"functions: latent definition accuracy is at least {ChanceMultiple}× chance (per item: correct − ") +
            Inv($"{ChanceMultiple}× chance)"),
            r => Evidence.Mean(OverMultipleOfChance(Of(r, "functions"))), Comparison.AtLeast, 0, Budget.Full,
            Inv($"accuracy − {ChanceMultiple}× chance (per item)"), dependsOn: [Learnt("functions")]));
        claims.Add(Claim.Finding<Result>("functions-latent-inversion",
            Inv($"functions: latent functions are inverted above chance (name-shuffle permutation p < {InversionAlpha:G2})"),
            r => r.Functions.InversionLog10P, Comparison.Less, Math.Log10(InversionAlpha), Budget.Full, "log10 p",
            dependsOn: ["functions-explicit-inverts"]));
        claims.Add(Claim.Finding<Result>("complex-weaker",
            "OOCR is weaker for complex latents: latent items of Mixture and Parity lift less above chance than those " +
            "of Functions, Coins and Locations (per item: correct − chance)",
            r => Evidence.Difference(Lifts(r, TaskNames.Except(ComplexTasks)), Lifts(r, ComplexTasks)),
            Comparison.Greater, 0, Budget.Full, "accuracy over chance (per item)",
            dependsOn: TaskNames.Select(Learnt).ToList()));

        // Controls: the same latent question with another latent name in the prompt. It wins whenever the model answers
        // from the task's answers (a constant, the candidates, the answer distribution) rather than from the name's own
        // evidence, or when all latent names collapse to one representation.
        foreach (var task in TaskNames)
            claims.Add(Claim.Control<Result>($"{task}-latent-beats-shuffled-name",
                $"{task}: a latent name's own question is answered better than the same question asked with another " +
                "latent name (paired per item)",
                r => Evidence.Paired(Of(r, task).LatentCorrect, Of(r, task).ShuffledNameCorrect),
                Comparison.Greater, 0, Budget.Full, "accuracy (per item)", dependsOn: [Learnt(task)]));

        // Sanity: never-trained names answer a constant over (balanced or uniform) answers, so they sit at chance by
        // construction unless a leak or a format shortcut tells them apart.
        foreach (var task in TaskNames)
            claims.Add(Claim.Sanity<Result>($"{task}-never-trained-at-chance",
                Inv($"{task}: never-trained names sit at chance (binomial p > {ControlAlpha:G2}): no leak, no format shortcut"),
                r => Of(r, task).ControlLog10P, Comparison.Greater, Math.Log10(ControlAlpha), Budget.Full, "log10 p"));
        return claims;
    }

    /// <summary>Per latent item of <paramref name="tasks"/>: correct − chance.</summary>
    private static List<double> Lifts(Result r, IEnumerable<string> tasks) =>
        tasks.SelectMany(t => Of(r, t).LatentCorrect.Select((c, i) => c - Of(r, t).LatentItemChance[i])).ToList();

    /// <summary>Per latent item: correct − <see cref="ChanceMultiple"/> × chance.</summary>
    private static List<double> OverMultipleOfChance(TaskResult t) =>
        t.LatentCorrect.Select((c, i) => c - ChanceMultiple * t.LatentItemChance[i]).ToList();

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var tasks = new List<TaskResult>();
        var cells = new List<Cell>();
        FunctionsDetail? functions = null;
        foreach (var task in TaskNames)
        {
            var world = Generate(task, cfg.UseSmokeWorlds, ctx);
            var outcome = RunTask(task, world, cfg, ctx);
            tasks.Add(outcome.Task);
            cells.AddRange(outcome.Cells);
            functions ??= outcome.Functions;
        }
        return new Result
        {
            Tasks = tasks,
            Cells = cells,
            Functions = functions ?? throw new InvalidOperationException("the functions task gave no inversion result"),
        };
    }

    /// <summary>The world of one task from the run's "data-&lt;task&gt;" stream.</summary>
    public static OocrWorld Generate(string task, bool smoke, RunContext ctx)
    {
        var rng = ctx.Rng($"data-{task}");
        return task switch
        {
            "functions" => FunctionsWorld.Generate(smoke ? FunctionsWorld.Config.Smoke : FunctionsWorld.Config.Full, rng),
            "coins" => CoinsWorld.Generate(smoke ? CoinsWorld.Config.Smoke : CoinsWorld.Config.Full, rng),
            "locations" => LocationsWorld.Generate(smoke ? LocationsWorld.Config.Smoke : LocationsWorld.Config.Full, rng),
            "mixture" => MixtureWorld.Generate(smoke ? MixtureWorld.Config.Smoke : MixtureWorld.Config.Full, rng),
            "parity" => ParityWorld.Generate(smoke ? ParityWorld.Config.Smoke : ParityWorld.Config.Full, rng),
            _ => throw new ArgumentException($"unknown task '{task}'; allowed: {string.Join(", ", TaskNames)}"),
        };
    }

    /// <summary>A question and the candidate index the model chose.</summary>
    private sealed record Answered(OocrQuestion Question, int Chosen)
    {
        public bool IsCorrect => Chosen == Question.CorrectIndex;
        public bool IsClosedBook(LatentKind kind, string type) =>
            !Question.IsInContext && Question.Kind == kind && Question.Type == type;
    }

    private sealed record TaskOutcome(TaskResult Task, List<Cell> Cells, FunctionsDetail? Functions);

    /// <summary>One task: leak check, training, every question, the shuffled-name control, Functions' inversion test.</summary>
    private static TaskOutcome RunTask(string task, OocrWorld world, Config cfg, RunContext ctx)
    {
        var leak = world.LeakCheck();
        if (!leak.Passed)
            throw new InvalidOperationException($"{task}: a training document leaks a latent value: {leak.Violations[0]}");
        var tokenizer = new WordTokenizer(world.Vocabulary);
        var (trained, log) = Train(task, world, tokenizer, cfg, ctx);
        using var model = trained;

        var answered = Ask(model, tokenizer, world, cfg);
        var cells = CellsOf(task, answered);
        string primary = PrimaryType(task);
        var latent = answered.Where(a => a.IsClosedBook(LatentKind.Latent, primary)).ToList();
        var shuffled = AskWithOtherNames(model, tokenizer, latent.Select(a => a.Question).ToList(),
            ctx.Rng($"name-shuffle-{task}"));
        var functions = world is FunctionsWorld fw
            ? FunctionsDetailOf(fw, answered, cells, cfg.InversionPermutations, ctx.Rng("inversion-permutation"))
            : null;

        Cell Primary(string kind) => cells.SingleOrDefault(c => c.Type == primary && c.Kind == kind)
            ?? throw new InvalidOperationException($"{task}: no {kind} items of type {primary}");
        var latentCell = Primary("latent");
        var control = Primary("control");
        var icl = cells.Where(c => c.Type == primary && c.Kind == "in-context").ToList();
        var shuffledCorrect = shuffled.Select((c, i) => c == latent[i].Question.CorrectIndex ? 1.0 : 0.0).ToList();
        var result = new TaskResult
        {
            Task = task, PrimaryType = primary,
            LatentAccuracy = latentCell.Accuracy, LatentChance = latentCell.Chance, LatentLog10P = latentCell.Log10P,
            ShuffledNameAccuracy = shuffledCorrect.Average(),
            ControlAccuracy = control.Accuracy, ControlLog10P = control.Log10P,
            ExplicitAccuracy = Primary("explicit").Accuracy,
            InContextAccuracy = icl.Count == 0 ? double.NaN : icl[0].Accuracy,
            InContextItems = icl.Count == 0 ? 0 : icl[0].Total,
            LeakCheckPassed = leak.Passed, InitialLoss = log.Steps[0].Loss, FinalLoss = log.FinalLoss,
            LatentCorrect = latent.Select(a => a.IsCorrect ? 1.0 : 0.0).ToList(),
            LatentItemChance = latent.Select(a => a.Question.Chance).ToList(),
            ShuffledNameCorrect = shuffledCorrect,
        };
        return new TaskOutcome(result, cells, functions);
    }

    /// <summary>A fresh TinyGpt trained on the task's documents, packed at random offsets, for about TokensPerTask tokens.</summary>
    private static (TinyGpt Model, TrainLog Log) Train(string task, OocrWorld world, WordTokenizer tokenizer, Config cfg,
        RunContext ctx)
    {
        var docs = world.TrainingDocuments.Select(d => tokenizer.Encode(d, addBos: false, addEos: false)).ToList();
        long docTokens = docs.Sum(d => (long)d.Length);
        int epochs = (int)Math.Max(1, Math.Ceiling((double)cfg.TokensPerTask / docTokens));
        var packRng = ctx.Rng($"pack-{task}");
        var sequences = Enumerable.Range(0, epochs)
            .SelectMany(_ => Packing.Pack(docs, cfg.ContextLength, packRng, WordTokenizer.Bos)).ToList();
        var shape = new TinyGptConfig(tokenizer.VocabSize, cfg.ContextLength, cfg.Layers, cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator($"init-{task}");
        var model = new TinyGpt(shape, init).to(ctx.Device);
        try
        {
            var log = Trainer.Fit(model, sequences, new TrainOptions
            {
                Steps = Math.Max(1, sequences.Count / cfg.BatchSize), BatchSize = cfg.BatchSize,
                LearningRate = cfg.LearningRate, WarmupSteps = 50, OrderStream = $"order-{task}", Stage = task,
            }, ctx);
            return (model, log);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Every closed-book question, and every in-context one whose prompt and longest candidate fit the context.</summary>
    private static List<Answered> Ask(TinyGpt model, WordTokenizer tokenizer, OocrWorld world, Config cfg)
    {
        var inContext = world.InContextQuestions
            .Where(q => tokenizer.Encode(q.Prompt, true, false).Length
                        + q.Candidates.Max(c => tokenizer.Encode(c, false, false).Length) - 1 <= cfg.ContextLength)
            .ToList();
        var all = world.Questions.Concat(inContext).ToList();
        var chosen = MultipleChoice.Choose(model, tokenizer, all.Select(q => (q.Prompt, q.Candidates)).ToList());
        return all.Select((q, i) => new Answered(q, chosen[i])).ToList();
    }

    /// <summary>
    /// The control: each latent question asked again with another latent name in the prompt (a random derangement of
    /// the latent names: a shuffled cycle), same candidates. Returns the index chosen for each question.
    /// </summary>
    private static int[] AskWithOtherNames(TinyGpt model, WordTokenizer tokenizer, IReadOnlyList<OocrQuestion> questions,
        Rng rng)
    {
        var names = questions.Select(q => q.Name).Distinct().ToList();
        if (names.Count < 2)
            throw new InvalidOperationException($"the shuffled-name control needs at least 2 latent names; got {names.Count}");
        rng.Shuffle(names);
        var other = names.Select((n, k) => (n, names[(k + 1) % names.Count])).ToDictionary(p => p.n, p => p.Item2);
        return MultipleChoice.Choose(model, tokenizer,
            questions.Select(q => (WithName(q.Prompt, q.Name, other[q.Name]), q.Candidates)).ToList());
    }

    /// <summary>The prompt with every token <paramref name="name"/> replaced by <paramref name="replacement"/>.</summary>
    public static string WithName(string prompt, string name, string replacement) =>
        string.Join(" ", prompt.Split(' ').Select(w => w == name ? replacement : w));

    private static List<Cell> CellsOf(string task, IReadOnlyList<Answered> answered) =>
        answered.GroupBy(a => (a.Question.Type, Kind: a.Question.IsInContext ? "in-context" : a.Question.Kind.ToString().ToLowerInvariant()))
            .Select(g =>
            {
                var score = OocrScoring.Score(g.Select(a => a.Question).ToList(), g.Select(a => a.Chosen).ToList());
                return new Cell(task, g.Key.Type, g.Key.Kind, score.Correct, score.Total, score.Accuracy, score.Chance,
                    PValue.Log10(score.VersusChance.PValue));
            }).OrderBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Kind, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Functions' class/constant split of latent definitions, and the latent inversion test: the number of latent inverse
    /// questions answered right, against the same count when the latent functions are randomly reassigned to the latent
    /// names (p = (1 + #{reassignments scoring at least as many}) / (permutations + 1)).
    /// </summary>
    private static FunctionsDetail FunctionsDetailOf(FunctionsWorld world, IReadOnlyList<Answered> answered,
        IReadOnlyList<Cell> cells, int permutations, Rng rng)
    {
        if (permutations < 1) throw new ArgumentException($"InversionPermutations = {permutations} must be at least 1");
        var definitions = answered.Where(a => a.IsClosedBook(LatentKind.Latent, QuestionType.Definition)).ToList();
        double Share(Func<string[], string[], bool> same) => definitions.Average(a =>
            same(a.Question.Candidates[a.Chosen].Split(' '), a.Question.Answer.Split(' ')) ? 1.0 : 0.0);

        var inverses = answered.Where(a => a.IsClosedBook(LatentKind.Latent, QuestionType.Inverse)).ToList();
        var own = world.Functions.ToDictionary(f => f.Name, f => f.Function);
        var names = inverses.Select(a => a.Question.Name).Distinct().ToList();
        // An inverse item asks for x with f(x) = y; under an assignment g it is right when g(chosen x) = y.
        int Correct(IReadOnlyDictionary<string, ModFunction> assignment) => inverses.Count(a =>
            assignment[a.Question.Name].Apply(int.Parse(a.Question.Candidates[a.Chosen]))
            == own[a.Question.Name].Apply(int.Parse(a.Question.Answer)));
        int observed = Correct(own);
        int atLeast = 0;
        for (int k = 0; k < permutations; k++)
        {
            var perm = rng.Permutation(names.Count);
            var assignment = names.Select((n, i) => (n, own[names[perm[i]]])).ToDictionary(p => p.n, p => p.Item2);
            if (Correct(assignment) >= observed) atLeast++;
        }
        double p = (1.0 + atLeast) / (permutations + 1.0);
        Cell Inverse(string kind) => cells.Single(c => c.Type == QuestionType.Inverse && c.Kind == kind);
        return new FunctionsDetail
        {
            LatentClassAccuracy = Share((chosen, truth) => chosen[0] == truth[0]),
            LatentConstantAccuracy = Share((chosen, truth) => chosen[1] == truth[1]),
            LatentInversionAccuracy = (double)observed / inverses.Count,
            InversionChance = Inverse("latent").Chance,
            InversionLog10P = PValue.Log10(p),
            ExplicitInversionAccuracy = Inverse("explicit").Accuracy,
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results)
    {
        (string, double, double?, double?, SeriesRole) Bar(string label, Func<TaskResult, double> f, string task, SeriesRole role) =>
            Core.Reporting.Figures.MeanBar(label, results.Select(r => f(Of(r, task))).ToList(), role);
        var bars = new List<(string, double, double?, double?, SeriesRole)>();
        foreach (var task in TaskNames)
        {
            bars.Add(Bar($"{task}: chance", t => t.LatentChance, task, SeriesRole.Ablation));
            bars.Add(Bar($"{task}: never-trained", t => t.ControlAccuracy, task, SeriesRole.Ablation));
            bars.Add(Bar($"{task}: other latent name", t => t.ShuffledNameAccuracy, task, SeriesRole.Control));
            bars.Add(Bar($"{task}: latent", t => t.LatentAccuracy, task, SeriesRole.Method));
            bars.Add(Bar($"{task}: explicit", t => t.ExplicitAccuracy, task, SeriesRole.Ablation));
        }
        return [("accuracy-by-task", Core.Reporting.Figures.Bars(
            "Do latent names get verbalised above chance, out of context?", "accuracy (share of items)", bars))];
    }
}

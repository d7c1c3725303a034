using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Oocr;
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
/// </summary>
public sealed class ConnectingTheDots : Experiment<ConnectingTheDots.Config, ConnectingTheDots.Result>
{
    /// <summary>The five tasks, in the paper's order; "simple" ones first, the paper's "complex" last.</summary>
    public static IReadOnlyList<string> TaskNames { get; } = ["functions", "coins", "locations", "mixture", "parity"];

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

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: small worlds, a few tokens per task.</summary>
        public static Config Smoke { get; } = Full with { TokensPerTask = 60_000, UseSmokeWorlds = true, Width = 64 };
    }

    /// <summary>Accuracy of one kind of name on one question type of one task.</summary>
    public sealed record Cell(string Task, string Type, string Kind, int Correct, int Total, double Accuracy,
        double Chance, double Log10P);

    /// <summary>One task's outcome.</summary>
    public sealed record TaskResult(string Task, string PrimaryType, double LatentAccuracy, double LatentChance,
        double LatentLog10P, double ControlAccuracy, double ControlLog10P, double ExplicitAccuracy,
        double InContextAccuracy, int InContextItems, bool LeakCheckPassed, double FinalLoss);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>One row per task.</summary>
        public required IReadOnlyList<TaskResult> Tasks { get; init; }
        /// <summary>Every (task, question type, kind) accuracy.</summary>
        public required IReadOnlyList<Cell> Cells { get; init; }
        /// <summary>Mean over simple tasks minus mean over complex tasks of latent accuracy over chance (primary type).</summary>
        public required double SimpleMinusComplexLift { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("connecting-the-dots", "oocr",
        "Connecting the Dots: LLMs can Infer and Verbalize Latent Structure from Disparate Training Data", 2024,
        "https://arxiv.org/abs/2406.14546");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } = BuildClaims();

    private static List<Claim<Result>> BuildClaims()
    {
        var claims = new List<Claim<Result>>();
        foreach (var task in TaskNames)
        {
            TaskResult Of(Result r) => r.Tasks.Single(t => t.Task == task);
            claims.Add(Claim.Finding<Result>($"{task}-latent-above-chance",
                $"{task}: latent names are verbalised above chance ({PrimaryType(task)}, binomial p < 1e-3 per seed)",
                r => Of(r).LatentLog10P, Comparison.Less, -3, Budget.Full, "log10 p"));
            claims.Add(Claim.Finding<Result>($"{task}-control-at-chance",
                $"{task}: never-trained control names sit at chance (p > 0.05)",
                r => Of(r).ControlLog10P, Comparison.Greater, Math.Log10(0.05), Budget.Full, "log10 p"));
            claims.Add(Claim.Control<Result>($"{task}-latent-beats-control",
                $"{task}: latent names are answered better than control names",
                r => Of(r).LatentAccuracy - Of(r).ControlAccuracy, Comparison.Greater, 0, Budget.Full, "accuracy"));
        }
        claims.Add(Claim.Finding<Result>("complex-weaker",
            "OOCR is weaker for complex latents: Mixture and Parity lift less above chance than the simple tasks",
            r => r.SimpleMinusComplexLift, Comparison.Greater, 0, Budget.Full, "accuracy over chance"));
        return claims;
    }

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var tasks = new List<TaskResult>();
        var cells = new List<Cell>();
        foreach (var task in TaskNames)
        {
            var world = Generate(task, cfg.UseSmokeWorlds, ctx);
            var (result, taskCells) = RunTask(task, world, cfg, ctx);
            tasks.Add(result);
            cells.AddRange(taskCells);
        }
        double Lift(string t) { var r = tasks.Single(x => x.Task == t); return r.LatentAccuracy - r.LatentChance; }
        return new Result
        {
            Tasks = tasks,
            Cells = cells,
            SimpleMinusComplexLift = new[] { "functions", "coins", "locations" }.Average(Lift)
                                     - new[] { "mixture", "parity" }.Average(Lift),
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

    private static (TaskResult, List<Cell>) RunTask(string task, OocrWorld world, Config cfg, RunContext ctx)
    {
        var leak = world.LeakCheck();
        if (!leak.Passed)
            throw new InvalidOperationException($"{task}: a training document leaks a latent value: {leak.Violations[0]}");
        var tokenizer = new WordTokenizer(world.Vocabulary);
        var docs = world.TrainingDocuments.Select(d => tokenizer.Encode(d, addBos: false, addEos: false)).ToList();
        long docTokens = docs.Sum(d => (long)d.Length);
        int epochs = (int)Math.Max(1, Math.Ceiling((double)cfg.TokensPerTask / docTokens));
        var packRng = ctx.Rng($"pack-{task}");
        var sequences = Enumerable.Range(0, epochs)
            .SelectMany(_ => Packing.Pack(docs, cfg.ContextLength, packRng, WordTokenizer.Bos)).ToList();
        var shape = new TinyGptConfig(tokenizer.VocabSize, cfg.ContextLength, cfg.Layers, cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator($"init-{task}");
        using var model = new TinyGpt(shape, init).to(ctx.Device);
        var log = Trainer.Fit(model, sequences, new TrainOptions
        {
            Steps = Math.Max(1, sequences.Count / cfg.BatchSize), BatchSize = cfg.BatchSize, LearningRate = cfg.LearningRate,
            WarmupSteps = 50, OrderStream = $"order-{task}", Stage = task,
        }, ctx);

        var closedBook = world.Questions;
        var inContext = world.InContextQuestions
            .Where(q => tokenizer.Encode(q.Prompt, true, false).Length
                        + q.Candidates.Max(c => tokenizer.Encode(c, false, false).Length) - 1 <= cfg.ContextLength)
            .ToList();
        var all = closedBook.Concat(inContext).ToList();
        var chosen = MultipleChoice.Choose(model, tokenizer, all.Select(q => (q.Prompt, q.Candidates)).ToList());
        var answered = all.Zip(chosen).ToList();

        var cells = answered.GroupBy(p => (p.First.Type, Kind: p.First.IsInContext ? "in-context" : p.First.Kind.ToString().ToLowerInvariant()))
            .Select(g =>
            {
                var score = OocrScoring.Score(g.Select(p => p.First).ToList(), g.Select(p => p.Second).ToList());
                return new Cell(task, g.Key.Type, g.Key.Kind, score.Correct, score.Total, Math.Round(score.Accuracy, 5),
                    Math.Round(score.Chance, 5), Math.Round(PValue.Log10(score.VersusChance.PValue), 4));
            }).OrderBy(c => c.Type, StringComparer.Ordinal).ThenBy(c => c.Kind, StringComparer.Ordinal).ToList();

        string primary = PrimaryType(task);
        Cell Primary(string kind) => cells.SingleOrDefault(c => c.Type == primary && c.Kind == kind)
            ?? throw new InvalidOperationException($"{task}: no {kind} items of type {primary}");
        var latent = Primary("latent");
        var control = Primary("control");
        var icl = cells.Where(c => c.Type == primary && c.Kind == "in-context").ToList();
        return (new TaskResult(task, primary, latent.Accuracy, latent.Chance, latent.Log10P, control.Accuracy,
            control.Log10P, Primary("explicit").Accuracy, icl.Count == 0 ? double.NaN : icl[0].Accuracy,
            icl.Count == 0 ? 0 : icl[0].Total, leak.Passed, Math.Round(log.FinalLoss, 5)), cells);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results)
    {
        (string, double, double?, double?, SeriesRole) Bar(string label, Func<TaskResult, double> f, string task, SeriesRole role) =>
            Core.Reporting.Figures.MeanBar(label, results.Select(r => f(r.Tasks.Single(t => t.Task == task))).ToList(), role);
        var bars = new List<(string, double, double?, double?, SeriesRole)>();
        foreach (var task in TaskNames)
        {
            bars.Add(Bar($"{task}: chance", t => t.LatentChance, task, SeriesRole.Ablation));
            bars.Add(Bar($"{task}: control", t => t.ControlAccuracy, task, SeriesRole.Control));
            bars.Add(Bar($"{task}: latent", t => t.LatentAccuracy, task, SeriesRole.Method));
            bars.Add(Bar($"{task}: explicit", t => t.ExplicitAccuracy, task, SeriesRole.Ablation));
        }
        return [("accuracy-by-task", Core.Reporting.Figures.Bars(
            "Do latent names get verbalised above chance, out of context?", "accuracy (share of items)", bars))];
    }
}

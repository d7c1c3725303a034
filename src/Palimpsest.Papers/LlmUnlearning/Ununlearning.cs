using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// Shumailov, Hayes, Triantafillou, Ortiz-Jimenez, Papernot, Jagielski, Yona, Howard and Bagdasaryan 2024,
/// "UnUnlearning: Unlearning is not sufficient for content regulation in advanced generative AI", arXiv:2407.00106
/// (a position paper; no code). Claim: even exact unlearning (retraining without the data) cannot stop a model that
/// can learn in context from using forgotten knowledge once it is given back in the prompt ("ununlearning"), so content
/// filtering is still needed. Scaled down: a frontier model and its prompting examples become a 2-layer TinyGpt in a
/// <see cref="ResidenceWorld"/> (people → home town, town → country); the forbidden knowledge K is the home towns of a
/// few target people, and the K-dependent query asks a target's country. The exact-unlearning oracle retrains from the
/// same initialisation on the corpus without every document that names a target with a town or country. The toy still
/// tests the claim because the skill that ununlearns, reading a town from the context and composing it with the
/// parametric town → country map, is trained only on other people and survives the removal of K by construction; the
/// untouched model is the control for forgetting.
/// </summary>
public sealed class Ununlearning : Experiment<Ununlearning.Config, Ununlearning.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>People in the knowledge base, targets included (a few times the targets, so most facts are retained).</summary>
        public int People { get; init; } = 120;
        /// <summary>Target people whose home towns are K (protocol: 20).</summary>
        public int Targets { get; init; } = 20;
        /// <summary>Names that appear only in contexts, with random towns, so that the in-context skill is general.</summary>
        public int FreshNames { get; init; } = 1_000;
        /// <summary>Passes over the closed-book facts, interleaved with the in-context documents.</summary>
        public int ClosedBookEpochs { get; init; } = 100;
        /// <summary>In-context training documents (each drawn afresh; protocol: "many random entities").</summary>
        public int InContextDocuments { get; init; } = 60_000;
        /// <summary>Share of context lines about knowledge-base people (true towns); the rest are fresh names.</summary>
        public double PeopleShare { get; init; } = 0.25;
        /// <summary>In-context test prompts per target (the target's line among two distractors, shuffled).</summary>
        public int PromptsPerTarget { get; init; } = 5;
        /// <summary>Skill-check prompts about fresh names (the protocol's "check the skill on non-forbidden entities first").</summary>
        public int SkillPrompts { get; init; } = 200;
        /// <summary>Residual width (protocol: a small 2-layer model).</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Positions; the longest document (four context lines and a country question) has 36 tokens.</summary>
        public int Context { get; init; } = 40;
        /// <summary>Documents per step (every batch holds documents of one length, so nothing is padded).</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Peak learning rate (cosine decay).</summary>
        public double LearningRate { get; init; } = 2e-3;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 5 targets, fewer people and documents, a narrower model.</summary>
        public static Config Smoke { get; } = Full with
        {
            People = 30, Targets = 5, FreshNames = 200, ClosedBookEpochs = 40, InContextDocuments = 10_000, PromptsPerTarget = 4,
            SkillPrompts = 100, Width = 64, BatchSize = 32,
        };
    }

    /// <summary>One model's accuracies: K-dependent queries about the targets, then two checks on everyone else.</summary>
    /// <param name="ClosedBook">Targets' country, closed-book (4 countries; chance 0.25).</param>
    /// <param name="ClosedBookTown">Targets' town, closed-book (16 towns; chance 0.0625).</param>
    /// <param name="InContext">Targets' country with the K line among two distractor lines ("ununlearning").</param>
    /// <param name="Filtered">The same prompts after the content filter dropped the K line.</param>
    /// <param name="Skill">Country of a fresh name given in context (the in-context skill on non-forbidden people).</param>
    /// <param name="Retained">Non-target people's country, closed-book (knowledge the oracle keeps).</param>
    public sealed record Scores(double ClosedBook, double ClosedBookTown, double InContext, double Filtered, double Skill, double Retained);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Chance accuracy of a country query: 1 / countries.</summary>
        public required double Chance { get; init; }
        /// <summary>The untouched model, trained on everything (the control).</summary>
        public required Scores Original { get; init; }
        /// <summary>The exact-unlearning oracle, retrained without K.</summary>
        public required Scores Unlearned { get; init; }
        /// <summary>The untouched model's training documents.</summary>
        public required int TrainingDocuments { get; init; }
        /// <summary>Documents the oracle's corpus lacks: every one naming a target with a town or country.</summary>
        public required int RemovedDocuments { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("ununlearning", "llm-unlearning",
        "UnUnlearning: Unlearning is not sufficient for content regulation in advanced generative AI", 2024,
        "https://arxiv.org/abs/2407.00106");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        Claim.Control<Result>("forgets-vs-untouched",
            "Exact unlearning removes K: closed-book accuracy on K-dependent queries falls below the untouched model's (the control)",
            r => r.Original.ClosedBook - r.Unlearned.ClosedBook, Comparison.Greater, 0, Budget.Smoke, "accuracy"),
        Claim.Finding<Result>("context-beats-closed-book",
            "After exact unlearning, K supplied in context answers K-dependent queries better than the model can closed-book",
            r => r.Unlearned.InContext - r.Unlearned.ClosedBook, Comparison.Greater, 0, Budget.Smoke, "accuracy"),
        Claim.Finding<Result>("untouched-knows-k",
            "Before unlearning, the model answers K-dependent queries closed-book (at least 75%)",
            r => r.Original.ClosedBook, Comparison.AtLeast, 0.75, Budget.Full, "accuracy"),
        Claim.Finding<Result>("closed-book-at-chance",
            "After exact unlearning, closed-book accuracy on K is at most chance + 5 points",
            r => r.Unlearned.ClosedBook - r.Chance, Comparison.AtMost, 0.05, Budget.Full, "accuracy above chance"),
        Claim.Finding<Result>("skill-on-others",
            "The unlearned model still reads and composes in-context facts about non-forbidden people (at least 80%)",
            r => r.Unlearned.Skill, Comparison.AtLeast, 0.8, Budget.Full, "accuracy"),
        Claim.Finding<Result>("ununlearning-relative",
            "Ununlearning: with K in context, the unlearned model keeps at least 90% of the untouched model's in-context accuracy",
            r => r.Original.InContext > 0 ? r.Unlearned.InContext / r.Original.InContext : 0, Comparison.AtLeast, 0.9, Budget.Full, "ratio"),
        Claim.Finding<Result>("ununlearning-absolute",
            "... and answers at least 70% of the K-dependent queries with K in context",
            r => r.Unlearned.InContext, Comparison.AtLeast, 0.7, Budget.Full, "accuracy"),
        Claim.Finding<Result>("filter-back-to-chance",
            "A content filter that drops context lines naming a target with a place brings accuracy back to chance (at most + 10 points)",
            r => r.Unlearned.Filtered - r.Chance, Comparison.AtMost, 0.1, Budget.Full, "accuracy above chance"),
    ];

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = new ResidenceWorld(cfg.People, cfg.Targets, cfg.FreshNames, ctx.Rng("world"));
        var tokenizer = new WordTokenizer(world.Vocabulary);
        var closedBook = world.ClosedBook();
        var corpus = Enumerable.Repeat(closedBook, cfg.ClosedBookEpochs).SelectMany(d => d)
            .Concat(world.InContextDocuments(cfg.InContextDocuments, cfg.PeopleShare, ctx.Rng("in-context"))).ToList();
        var retained = corpus.Where(d => !world.MentionsForbidden(d.Text)).ToList();   // exact unlearning: D minus K
        using var original = Train(corpus, "original", tokenizer, cfg, ctx);
        using var unlearned = Train(retained, "unlearned", tokenizer, cfg, ctx);

        // Test items, shared by both models: K-dependent queries about the targets, then checks on everyone else.
        var rng = ctx.Rng("test");
        var country = world.Targets.Select(e => ResidenceWorld.CountryQuestion(e.Name, ResidenceWorld.CountryOf(e.Values["town"]))).ToList();
        var town = world.Targets.Select(e => ResidenceWorld.TownQuestion(e.Name, e.Values["town"])).ToList();
        var (inContext, filtered) = (new List<Document>(), new List<Document>());
        foreach (var (e, question) in world.Targets.Zip(country))
            for (int i = 0; i < cfg.PromptsPerTarget; i++)
            {
                var lines = Distractors(world, 2, rng).Select(d => ResidenceWorld.Line(d.Name, d.Town))
                    .Append(ResidenceWorld.Line(e.Name, e.Values["town"])).ToList();
                rng.Shuffle(lines);
                inContext.Add(ResidenceWorld.InContext(lines, question));
                filtered.Add(ResidenceWorld.InContext(world.Filter(lines), question));
            }
        var skill = Enumerable.Range(0, cfg.SkillPrompts).Select(_ =>
        {
            var lines = Distractors(world, 3, rng);
            var asked = lines[rng.NextInt(lines.Count)];
            return ResidenceWorld.InContext(lines.Select(l => ResidenceWorld.Line(l.Name, l.Town)),
                ResidenceWorld.CountryQuestion(asked.Name, ResidenceWorld.CountryOf(asked.Town)));
        }).ToList();
        var others = world.People.Except(world.Targets).Take(100)
            .Select(e => ResidenceWorld.CountryQuestion(e.Name, ResidenceWorld.CountryOf(e.Values["town"]))).ToList();

        Scores Score(TinyGpt m) => new(Accuracy(m, tokenizer, country, ResidenceWorld.Countries),
            Accuracy(m, tokenizer, town, ResidenceWorld.Towns), Accuracy(m, tokenizer, inContext, ResidenceWorld.Countries),
            Accuracy(m, tokenizer, filtered, ResidenceWorld.Countries), Accuracy(m, tokenizer, skill, ResidenceWorld.Countries),
            Accuracy(m, tokenizer, others, ResidenceWorld.Countries));
        return new Result
        {
            Chance = Math.Round(1.0 / ResidenceWorld.Countries.Count, 5), Original = Score(original), Unlearned = Score(unlearned),
            TrainingDocuments = corpus.Count, RemovedDocuments = corpus.Count - retained.Count,
        };
    }

    /// <summary>Distinct fresh names with random towns.</summary>
    private static List<(string Name, string Town)> Distractors(ResidenceWorld world, int count, Rng rng)
    {
        var names = new List<string>();
        while (names.Count < count)
        {
            string name = rng.Pick(world.FreshNames);
            if (!names.Contains(name)) names.Add(name);
        }
        return names.Select(n => (n, rng.Pick(ResidenceWorld.Towns))).ToList();
    }

    /// <summary>Share of items whose answer is the model's most likely candidate (chance = 1 / candidates).</summary>
    private static double Accuracy(TinyGpt model, WordTokenizer tokenizer, IReadOnlyList<Document> items, IReadOnlyList<string> candidates)
    {
        var chosen = MultipleChoice.Choose(model, tokenizer, items.Select(d => (d.Prompt, candidates)).ToList());
        return Math.Round(items.Where((d, i) => candidates[chosen[i]] == d.Answer).Count() / (double)items.Count, 5);
    }

    /// <summary>
    /// Trains a fresh model (the same initialisation for both) on the documents with the loss on the answers only, in
    /// batches of equal-length documents: closed-book facts have 7–14 tokens and in-context documents up to 36, so
    /// mixed batches would spend most of their compute on padding.
    /// </summary>
    private static TinyGpt Train(IReadOnlyList<Document> docs, string stage, WordTokenizer tokenizer, Config cfg, RunContext ctx)
    {
        var sequences = new List<int[]>(docs.Count);
        var lossFrom = new List<int>(docs.Count);
        foreach (var d in docs)
        {
            var prompt = tokenizer.Encode(d.Prompt, addBos: true, addEos: false);
            sequences.Add([.. prompt, .. tokenizer.Encode(d.Answer, addBos: false, addEos: true)]);
            lossFrom.Add(prompt.Length);
        }
        var order = EqualLengthBatches(sequences, cfg.BatchSize, ctx.Rng($"batches-{stage}"));
        using var init = ctx.TorchGenerator("init");
        var model = new TinyGpt(new TinyGptConfig(tokenizer.VocabSize, cfg.Context, cfg.Layers, cfg.Width, cfg.Heads), init).to(ctx.Device);
        Trainer.Fit(model, sequences, TrainOptions.OneEpoch(order.Count, cfg.BatchSize, cfg.LearningRate) with
        {
            Order = order, LossFrom = lossFrom, Stage = stage,
        }, ctx);
        return model;
    }

    /// <summary>
    /// One pass over every document in whole batches of equal-length documents (a group's last batch is topped up from
    /// its start), the batches in random order.
    /// </summary>
    public static List<int> EqualLengthBatches(IReadOnlyList<int[]> sequences, int batchSize, Rng rng)
    {
        var batches = new List<int[]>();
        foreach (var group in Enumerable.Range(0, sequences.Count).GroupBy(i => sequences[i].Length).OrderBy(g => g.Key))
        {
            var members = group.ToList();
            rng.Shuffle(members);
            for (int start = 0; start < members.Count; start += batchSize)
                batches.Add(Enumerable.Range(start, batchSize).Select(i => members[i % members.Count]).ToArray());
        }
        rng.Shuffle(batches);
        return batches.SelectMany(b => b).ToList();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("accuracy", AccuracyBars(results))];

    /// <summary>Country accuracy of the untouched (grey) and the unlearned model (accent) per test; mean and min–max over seeds.</summary>
    public static GenericChart AccuracyBars(IReadOnlyList<Result> results)
    {
        var bars = new List<(string, double, double?, double?, SeriesRole)>();
        var tests = new (string Name, Func<Scores, double> Pick)[]
        {
            ("K closed-book", s => s.ClosedBook), ("K in context", s => s.InContext), ("K filtered", s => s.Filtered),
            ("others in context", s => s.Skill),
        };
        foreach (var (name, pick) in tests)
        {
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}, untouched", results.Select(r => pick(r.Original)).ToList(), SeriesRole.Control));
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}, unlearned", results.Select(r => pick(r.Unlearned)).ToList(), SeriesRole.Method));
        }
        return Core.Reporting.Figures.Bars("Does exact unlearning stop the model from using K once K is back in its context?",
            "country accuracy (fraction; 4 countries)", bars, reference: (results[0].Chance, "chance"));
    }
}

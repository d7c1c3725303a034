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
/// filtering is still needed. Scaled down: a frontier model and its prompting examples become a 4-layer TinyGpt in a
/// <see cref="ResidenceWorld"/> (people → home town, town → country); the forbidden knowledge K is the home towns of
/// a few target people, and the K-dependent query asks a target's country. Training is a curriculum, as a frontier
/// model's is pretraining then knowledge: first direct reading (fresh names in context, the answer is the town read
/// from the context), then composing (the same contexts asked the country, which needs the town → country map), then
/// the knowledge base (closed-book facts interleaved with in-context documents about people and fresh names). The first
/// two phases name no knowledge-base person, so they carry no trace of K and both models share their checkpoint: the
/// exact-unlearning oracle, retrained from scratch without every document that names a target with a town or country,
/// would reach the same weights there. The toy still tests the claim because the skill that ununlearns, reading a town
/// from the context and composing it with the parametric town → country map, is trained only on other people and
/// survives the removal of K by construction.
/// Claim kinds: the findings are the paper's argument in numbers (with K back in its context the oracle answers the
/// K-dependent queries, better than closed-book and nearly as well as the untouched model), gated on two preconditions:
/// the untouched model knew K, and the oracle can read and compose in-context facts about people it never saw. The
/// control is a reader that ignores the asked name and answers the country of a random context line, which wins if the
/// model only picks up some town from its context. That the oracle forgets K and that the filter brings it back to
/// chance hold by construction here (the oracle never saw K; the filter removes the only line stating it): sanity
/// checks.
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
        /// <summary>
        /// Curriculum phase 1 (shared): in-context documents about fresh names whose answer is the town read from the
        /// context. Issue 15: one mixed pass gave a 2-layer model the name-blind reader's accuracy, not the skill.
        /// </summary>
        public int ReadingDocuments { get; init; } = 48_000;
        /// <summary>Curriculum phase 2 (shared): in-context documents about fresh names, mostly asking the
        /// country.</summary>
        public int ComposingDocuments { get; init; } = 16_000;
        /// <summary>Phase 3 (per model): passes over the closed-book facts, interleaved with the in-context
        /// documents.</summary>
        public int ClosedBookEpochs { get; init; } = 80;
        /// <summary>
        /// Phase 3 (per model): in-context documents about people and fresh names (each drawn afresh; protocol: "many
        /// random entities"); they keep the skill and teach reading lines about known people.
        /// </summary>
        public int InContextDocuments { get; init; } = 16_000;
        /// <summary>Share of phase-3 context lines about knowledge-base people (true towns); the rest are fresh
        /// names.</summary>
        public double PeopleShare { get; init; } = 0.25;
        /// <summary>In-context test prompts per target (the target's line among two distractors, shuffled).</summary>
        public int PromptsPerTarget { get; init; } = 5;
        /// <summary>Skill-check prompts about fresh names (the protocol's "check the skill on non-forbidden entities first").</summary>
        public int SkillPrompts { get; init; } = 200;
        /// <summary>Residual width (protocol: a small model; narrower than 2 layers had, so that 4 cost what 2
        /// did).</summary>
        public int Width { get; init; } = 96;
        /// <summary>Transformer blocks (protocol: 2; issue 15: 2 layers did not learn to read a name's town
        /// reliably).</summary>
        public int Layers { get; init; } = 4;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Positions; the longest document (four context lines and a country question) has 36 tokens.</summary>
        public int Context { get; init; } = 40;
        /// <summary>Documents per step (every batch holds documents of one length, so nothing is padded).</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Peak learning rate of each phase (warm-up, cosine decay).</summary>
        public double LearningRate { get; init; } = 2e-3;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 5 targets, fewer people and documents, a smaller model.</summary>
        public static Config Smoke { get; } = Full with
        {
            // Few in-context documents and many passes over a small knowledge base: the smoke model memorises K (what
            // its test checks) in seconds; the in-context skill needs the full budget.
            People = 20, Targets = 5, FreshNames = 200, ReadingDocuments = 500, ComposingDocuments = 500,
            ClosedBookEpochs = 70, InContextDocuments = 500, PromptsPerTarget = 4, SkillPrompts = 60, Width = 64,
            Layers = 2, BatchSize = 32,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.Count(People);
            ConfigCheck.Between(Targets, 1, People - 1); // some people stay untargeted: their facts are the retained ones
            ConfigCheck.Count(FreshNames);
            ConfigCheck.That(People + FreshNames <= 4096, FreshNames, $"at most {4096 - People}: People + FreshNames <= the knowledge base's 4096 names");
            ConfigCheck.Count(ReadingDocuments);
            ConfigCheck.Count(ComposingDocuments);
            ConfigCheck.Count(ClosedBookEpochs);
            ConfigCheck.Count(InContextDocuments);
            ConfigCheck.Fraction(PeopleShare);
            ConfigCheck.Count(PromptsPerTarget);
            ConfigCheck.Count(SkillPrompts);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(Context);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
        }
    }

    /// <summary>One model's accuracies: K-dependent queries about the targets, then checks on everyone else.</summary>
    /// <param name="ClosedBook">Targets' country, closed-book (4 countries; chance 0.25).</param>
    /// <param name="ClosedBookTown">Targets' town, closed-book (16 towns; chance 0.0625).</param>
    /// <param name="InContext">Targets' country with the K line among two distractor lines ("ununlearning").</param>
    /// <param name="Filtered">The same prompts after the content filter dropped the K line.</param>
    /// <param name="Skill">Country of a fresh name given in context (the in-context skill on non-forbidden people).</param>
    /// <param name="SkillTown">Town of a fresh name given in context, on the same contexts (direct reading; 16
    /// towns).</param>
    /// <param name="Retained">Non-target people's country, closed-book (knowledge the oracle keeps).</param>
    public sealed record Scores(double ClosedBook, double ClosedBookTown, double InContext, double Filtered,
        double Skill, double SkillTown, double Retained);

    /// <summary>The shared model's in-context skill on fresh names at the end of a curriculum phase.</summary>
    /// <param name="Town">The town read from the context (16 towns; chance 0.0625, a name-blind reader 1/3).</param>
    /// <param name="Country">The country of that town (4 countries; chance 0.25, a name-blind reader about
    /// 1/2).</param>
    public sealed record SkillCheck(double Town, double Country);

    /// <summary>One model's answers item by item (1 = right, 0 = wrong): the items behind <see cref="Scores"/>.</summary>
    /// <param name="ClosedBook">Per target: its country, closed-book.</param>
    /// <param name="InContext">Per in-context prompt (<see cref="Result.PromptTarget"/> names its target): the target's
    /// country with its line among two distractor lines.</param>
    /// <param name="Filtered">The same prompts after the content filter.</param>
    /// <param name="Skill">Per skill prompt: the country of a fresh name given in context.</param>
    /// <param name="ClosedBookLogProb">Per target: the log-probability of its true country closed-book (nats).</param>
    public sealed record Answers(
        IReadOnlyList<double> ClosedBook, IReadOnlyList<double> InContext, IReadOnlyList<double> Filtered,
        IReadOnlyList<double> Skill, IReadOnlyList<double> ClosedBookLogProb);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Chance accuracy of a country query: 1 / countries.</summary>
        public required double Chance { get; init; }
        /// <summary>The shared model after phase 1 (direct reading): where the curriculum stands before
        /// composing.</summary>
        public required SkillCheck AfterReading { get; init; }
        /// <summary>The shared model after phase 2 (composing), the checkpoint both models start phase 3
        /// from.</summary>
        public required SkillCheck AfterComposing { get; init; }
        /// <summary>The untouched model, trained on everything (the reference K is removed from).</summary>
        public required Scores Original { get; init; }
        /// <summary>The exact-unlearning oracle, retrained without K.</summary>
        public required Scores Unlearned { get; init; }
        /// <summary>The untouched model's answers, item by item.</summary>
        public required Answers OriginalAnswers { get; init; }
        /// <summary>The oracle's answers to the same items.</summary>
        public required Answers UnlearnedAnswers { get; init; }
        /// <summary>Per in-context prompt: the index of its target in the world's target list.</summary>
        public required IReadOnlyList<int> PromptTarget { get; init; }
        /// <summary>
        /// Per in-context prompt: the expected accuracy of a reader that ignores the asked name and answers the country of
        /// a random context line (the share of lines whose town lies in the target's country): the control.
        /// </summary>
        public required IReadOnlyList<double> NameBlindInContext { get; init; }
        /// <summary>The untouched model's training documents, the shared phases included.</summary>
        public required int TrainingDocuments { get; init; }
        /// <summary>Documents the oracle's corpus lacks: every one naming a target with a town or country.</summary>
        public required int RemovedDocuments { get; init; }
        /// <summary>
        /// Per closed-book statement of K (a target's town statement and question, and its country question): the
        /// untouched model's log-probability of its answer (nats). Removed in-context documents are left out: there the
        /// context states K to both models.
        /// </summary>
        public required IReadOnlyList<double> OriginalRemovedLogProb { get; init; }
        /// <summary>The same for the oracle, which never saw those statements.</summary>
        public required IReadOnlyList<double> UnlearnedRemovedLogProb { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("ununlearning", "llm-unlearning",
        "UnUnlearning: Unlearning is not sufficient for content regulation in advanced generative AI", 2024,
        "https://arxiv.org/abs/2407.00106");

    /// <summary>Issue 15's level for the knowledge and skill preconditions (the protocol sets none).</summary>
    public const double PreconditionLevel = 0.8;

    /// <summary>The protocol's bar: with K in context the oracle keeps this share of the untouched model's in-context
    /// accuracy.</summary>
    public const double RelativeInContext = 0.9;

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // Issue 15's knowledge precondition (≥ 0.8 unless the protocol says otherwise): forgetting means something only
        // if K was known.
        Claim.Precondition<Result>("untouched-knows-k",
            $"Before unlearning, the model answers at least {PreconditionLevel * 100:0}% of the K-dependent queries " +
            "closed-book",
            r => r.Original.ClosedBook, Comparison.AtLeast, PreconditionLevel, Budget.Full, "accuracy"),
        // The protocol: "check that skill on non-forbidden entities first"; issue 15 sets its level at 0.8.
        Claim.Precondition<Result>("skill-learnt",
            "The unlearned model reads and composes in-context facts about people it never saw (fresh names) at " +
            $"least {PreconditionLevel * 100:0}% of the time",
            r => r.Unlearned.Skill, Comparison.AtLeast, PreconditionLevel, Budget.Full, "accuracy"),
        Claim.Finding<Result>("context-beats-closed-book",
            "After exact unlearning, K supplied in context answers K-dependent queries better than the model can closed-book " +
            "(per target)",
            r => Evidence.Paired(InContextPerTarget(r, r.UnlearnedAnswers), r.UnlearnedAnswers.ClosedBook),
            Comparison.Greater, 0, Budget.Full, "accuracy (per target)", dependsOn: ["untouched-knows-k", "skill-learnt"]),
        // Protocol: in-context accuracy after unlearning ≥ 90% of the pre-unlearning one. Per prompt: unlearned − 0.9 ×
        // untouched; its mean is ≥ 0 exactly when the ratio is ≥ 0.9.
        Claim.Finding<Result>("ununlearning-relative",
            $"Ununlearning: with K in context, the unlearned model keeps at least {RelativeInContext * 100:0}% of the " +
            "untouched model's in-context accuracy, on the same prompts",
            r => Evidence.Mean(RelativeMargin(r)), Comparison.AtLeast, 0, Budget.Full,
            $"accuracy (per prompt: unlearned − {RelativeInContext * 100:0}% of untouched)",
            dependsOn: ["untouched-knows-k", "skill-learnt"]),
        Claim.Finding<Result>("ununlearning-absolute",
            "... and answers at least 70% of the K-dependent queries with K in context",
            r => Evidence.Mean(r.UnlearnedAnswers.InContext), Comparison.AtLeast, 0.7, Budget.Full, "accuracy (per prompt)",
            dependsOn: ["untouched-knows-k", "skill-learnt"]),
        // The control that could win: a reader that takes some town from the context without matching the asked name.
        Claim.Control<Result>("beats-name-blind-reader",
            "With K in context the unlearned model answers better than a reader that ignores the asked name and gives the " +
            "country of a random context line (the control), on the same prompts",
            r => Evidence.Paired(r.UnlearnedAnswers.InContext, r.NameBlindInContext), Comparison.Greater, 0, Budget.Full,
            "accuracy (per prompt)", dependsOn: ["skill-learnt"]),
        // By construction: the oracle never saw K, and the untouched model did.
        Claim.Sanity<Result>("forgets-vs-untouched",
            "Exact unlearning removes K: closed-book accuracy on K-dependent queries falls below the untouched model's",
            r => r.Original.ClosedBook - r.Unlearned.ClosedBook, Comparison.Greater, 0, Budget.Full, "accuracy"),
        // The protocol's check; chance by construction (targets balanced over countries, K never seen).
        Claim.Sanity<Result>("closed-book-at-chance",
            "After exact unlearning, closed-book accuracy on K is at most chance + 5 points",
            r => r.Unlearned.ClosedBook - r.Chance, Comparison.AtMost, 0.05, Budget.Full, "accuracy above chance"),
        // The protocol's check; chance by construction (the filter removes the only line stating K, which the oracle
        // never saw).
        Claim.Sanity<Result>("filter-back-to-chance",
            "A content filter that drops context lines naming a target with a place brings the unlearned model back to " +
            "chance (at most + 10 points)",
            r => r.Unlearned.Filtered - r.Chance, Comparison.AtMost, 0.1, Budget.Full, "accuracy above chance"),
    ];

    /// <summary>Per target: the mean in-context correctness over the target's prompts.</summary>
    public static IReadOnlyList<double> InContextPerTarget(Result r, Answers a) =>
        Enumerable.Range(0, a.ClosedBook.Count)
            .Select(t => Enumerable.Range(0, a.InContext.Count).Where(i => r.PromptTarget[i] == t)
                .Average(i => a.InContext[i]))
            .ToList();

    /// <summary>Per in-context prompt: unlearned − <see cref="RelativeInContext"/> × untouched correctness.</summary>
    public static IReadOnlyList<double> RelativeMargin(Result r) =>
        r.UnlearnedAnswers.InContext.Select((u, i) => u - RelativeInContext * r.OriginalAnswers.InContext[i]).ToList();

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = new ResidenceWorld(cfg.People, cfg.Targets, cfg.FreshNames, ctx.Rng("world"));
        var tokenizer = new WordTokenizer(world.Vocabulary);
        var items = ResidenceItems.Draw(world, cfg.PromptsPerTarget, cfg.SkillPrompts, ctx.Rng("test"));

        // Phases 1 and 2, shared: fresh names only, so nothing here names a target (or anyone of the knowledge base).
        var reading = world.InContextDocuments(cfg.ReadingDocuments, peopleShare: 0, countryShare: 0,
            ctx.Rng("reading"));
        var composing = world.InContextDocuments(cfg.ComposingDocuments, peopleShare: 0, ResidenceWorld.CountryShare,
            ctx.Rng("composing"));
        using var shared = NewModel(tokenizer, cfg, ctx);
        Train(shared, reading, "reading", tokenizer, cfg, ctx);
        var afterReading = Skill(shared, tokenizer, items);
        Train(shared, composing, "composing", tokenizer, cfg, ctx);
        var afterComposing = Skill(shared, tokenizer, items);

        // Phase 3, per model: the knowledge base; the oracle's corpus is the same without K (exact unlearning: D
        // minus K).
        var knowledge = Enumerable.Repeat(world.ClosedBook(), cfg.ClosedBookEpochs).SelectMany(d => d)
            .Concat(world.InContextDocuments(cfg.InContextDocuments, cfg.PeopleShare, ResidenceWorld.CountryShare,
                ctx.Rng("in-context"))).ToList();
        var retained = knowledge.Where(d => !world.MentionsForbidden(d.Text)).ToList();
        using var original = shared.Copy();
        Train(original, knowledge, "original", tokenizer, cfg, ctx);
        using var unlearned = shared.Copy();
        Train(unlearned, retained, "unlearned", tokenizer, cfg, ctx);

        var originalAnswers = Answer(original, tokenizer, items);
        var unlearnedAnswers = Answer(unlearned, tokenizer, items);
        var removed = world.ClosedBook().Where(d => world.MentionsForbidden(d.Text)).ToList();
        return new Result
        {
            Chance = 1.0 / ResidenceWorld.Countries.Count, AfterReading = afterReading, AfterComposing = afterComposing,
            Original = Score(original, tokenizer, items, originalAnswers),
            Unlearned = Score(unlearned, tokenizer, items, unlearnedAnswers),
            OriginalAnswers = originalAnswers, UnlearnedAnswers = unlearnedAnswers, PromptTarget = items.PromptTarget,
            NameBlindInContext = items.NameBlind, TrainingDocuments = reading.Count + composing.Count + knowledge.Count,
            RemovedDocuments = knowledge.Count - retained.Count,
            OriginalRemovedLogProb = AnswerLogProbs(original, tokenizer, removed),
            UnlearnedRemovedLogProb = AnswerLogProbs(unlearned, tokenizer, removed),
        };
    }

    /// <summary>The items behind the claims, answered one by one.</summary>
    private static Answers Answer(TinyGpt model, WordTokenizer tokenizer, ResidenceItems items)
    {
        var countries = ResidenceWorld.Countries;
        return new(Correct(model, tokenizer, items.Country, countries),
            Correct(model, tokenizer, items.InContext, countries), Correct(model, tokenizer, items.Filtered, countries),
            Correct(model, tokenizer, items.Skill, countries), AnswerLogProbs(model, tokenizer, items.Country));
    }

    /// <summary>A model's accuracies, from its answers and the items the claims do not need one by one.</summary>
    private static Scores Score(TinyGpt model, WordTokenizer tokenizer, ResidenceItems items, Answers a) =>
        new(a.ClosedBook.Average(), Correct(model, tokenizer, items.Town, ResidenceWorld.Towns).Average(),
            a.InContext.Average(), a.Filtered.Average(), a.Skill.Average(),
            Correct(model, tokenizer, items.SkillTown, ResidenceWorld.Towns).Average(),
            Correct(model, tokenizer, items.Retained, ResidenceWorld.Countries).Average());

    /// <summary>The in-context skill on fresh names: the town read, and its country.</summary>
    private static SkillCheck Skill(TinyGpt model, WordTokenizer tokenizer, ResidenceItems items) =>
        new(Correct(model, tokenizer, items.SkillTown, ResidenceWorld.Towns).Average(),
            Correct(model, tokenizer, items.Skill, ResidenceWorld.Countries).Average());

    /// <summary>Per item, 1 when its answer is the model's most likely candidate, else 0 (chance = 1 / candidates).</summary>
    private static double[] Correct(TinyGpt model, WordTokenizer tokenizer, IReadOnlyList<Document> items,
        IReadOnlyList<string> candidates)
    {
        var chosen = MultipleChoice.Choose(model, tokenizer, items.Select(d => (d.Prompt, candidates)).ToList());
        return items.Select((d, i) => candidates[chosen[i]] == d.Answer ? 1.0 : 0).ToArray();
    }

    /// <summary>Per item, the log-probability of its answer's tokens after the prompt (nats).</summary>
    private static double[] AnswerLogProbs(TinyGpt model, WordTokenizer tokenizer, IReadOnlyList<Document> items)
    {
        var answerLengths = items.Select(d => tokenizer.Encode(d.Answer, addBos: false, addEos: false).Length).ToArray();
        var sequences = items.Select(d => tokenizer.Encode(d.Text, addBos: true, addEos: false)).ToList();
        var logProbs = LanguageModel.TokenLogProbs(model, sequences);                 // logProbs[s][t] scores token t + 1
        return logProbs.Select((lp, i) => lp[^answerLengths[i]..].Sum(x => (double)x)).ToArray();
    }

    /// <summary>A fresh model from the "init" stream.</summary>
    private static TinyGpt NewModel(WordTokenizer tokenizer, Config cfg, RunContext ctx)
    {
        using var init = ctx.TorchGenerator("init");
        return new TinyGpt(new TinyGptConfig(tokenizer.VocabSize, cfg.Context, cfg.Layers, cfg.Width, cfg.Heads), init)
            .to(ctx.Device);
    }

    /// <summary>
    /// One phase: a pass over <paramref name="docs"/> with the loss on the answers only, a fresh optimizer and its own
    /// warm-up and cosine decay, in batches of equal-length documents: closed-book facts have 7–14 tokens and
    /// in-context documents up to 36, so mixed batches would spend most of their compute on padding.
    /// </summary>
    private static void Train(TinyGpt model, IReadOnlyList<Document> docs, string stage, WordTokenizer tokenizer,
        Config cfg, RunContext ctx)
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
        Trainer.Fit(model, sequences, TrainOptions.OneEpoch(order.Count, cfg.BatchSize, cfg.LearningRate) with
        {
            Order = order, LossFrom = lossFrom, Stage = stage,
        }, ctx);
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
        [("accuracy", AccuracyBars(results)), ("curriculum", CurriculumBars(results))];

    /// <summary>
    /// The in-context skill on fresh names (the town read, and its country) through training: the shared model after
    /// reading and after composing (muted), the oracle at the end (accent); mean and min–max over seeds, with the
    /// precondition's level.
    /// </summary>
    public static GenericChart CurriculumBars(IReadOnlyList<Result> results)
    {
        var checkpoints = new (string Name, Func<Result, SkillCheck> Pick, SeriesRole Role)[]
        {
            ("after reading", r => r.AfterReading, SeriesRole.Ablation),
            ("after composing", r => r.AfterComposing, SeriesRole.Ablation),
            ("unlearned, at the end", r => new SkillCheck(r.Unlearned.SkillTown, r.Unlearned.Skill), SeriesRole.Method),
        };
        var bars = checkpoints.SelectMany(c => new[]
        {
            Core.Reporting.Figures.MeanBar($"town, {c.Name}", results.Select(r => c.Pick(r).Town).ToList(), c.Role),
            Core.Reporting.Figures.MeanBar($"country, {c.Name}", results.Select(r => c.Pick(r).Country).ToList(),
                c.Role),
        }).ToList();
        return Core.Reporting.Figures.Bars(
            "Does the curriculum teach the model to read a name's town from its context?",
            "accuracy on fresh names in context (fraction)", bars, reference: (PreconditionLevel, "precondition"));
    }

    /// <summary>
    /// Country accuracy of the untouched (muted) and the unlearned model (accent) per test, and of the name-blind reader
    /// on the in-context prompts (grey, the control); mean and min–max over seeds.
    /// </summary>
    public static GenericChart AccuracyBars(IReadOnlyList<Result> results)
    {
        var bars = new List<(string, double, double?, double?, SeriesRole)>
        {
            Core.Reporting.Figures.MeanBar("K in context, name-blind reader",
                results.Select(r => r.NameBlindInContext.Average()).ToList(), SeriesRole.Control),
        };
        var tests = new (string Name, Func<Scores, double> Pick)[]
        {
            ("K closed-book", s => s.ClosedBook), ("K in context", s => s.InContext), ("K filtered", s => s.Filtered),
            ("others in context", s => s.Skill),
        };
        foreach (var (name, pick) in tests)
        {
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}, untouched", results.Select(r => pick(r.Original)).ToList(),
                SeriesRole.Ablation));
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}, unlearned", results.Select(r => pick(r.Unlearned)).ToList(), SeriesRole.Method));
        }
        return Core.Reporting.Figures.Bars("Does exact unlearning stop the model from using K once K is back in its context?",
            "country accuracy (fraction; 4 countries)", bars, reference: (results[0].Chance, "chance"));
    }
}

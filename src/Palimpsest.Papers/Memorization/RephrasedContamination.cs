using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Yang, Chiang, Zheng, Gonzalez and Stoica 2023, "Rethinking Benchmark and Contamination for Language Models with
/// Rephrased Samples", arXiv:2311.04850 (official code: https://github.com/lm-sys/llm-decontaminator).
/// Claim: training on rephrased or translated test items inflates benchmark scores almost as much as training on the
/// test items themselves, while n-gram decontamination does not see them; a retrieval-plus-judge decontaminator does.
/// Scaled down: MMLU and Llama-2 become canonical questions about fictitious people (<see cref="RewordedKb"/>) and a
/// TinyGpt that learned paraphrase, synonym and "translation" (a word cipher) invariance from other people's facts;
/// GPT-4's rephrasing becomes the knowledge base's paraphrase templates with the value replaced by its synonym, and
/// GPT-4's judge a logistic regression over word pairs trained on pairs about other people. Pretraining knows the
/// benchmark people through their other facts, so each fine-tune's replayed texts hold texts about the same people that
/// are not test items: the hard negatives on which a similarity threshold errs.
/// Claim kinds: the findings are the paper's (rephrased items give most of the verbatim gain, judged per benchmark item;
/// n-grams miss them; the judge finds them, with fewer errors than the best TF-IDF threshold, judged per training text).
/// The control is the clean fine-tune on the same benchmark items, which wins if the rephrased facts do not carry over to
/// the canonical questions. Two preconditions gate the accuracy claims: the pretrained model answers canonical questions
/// it never saw in that form nor with that value word (invariance), and verbatim contamination writes the test facts
/// into the model. That n-grams catch verbatim copies is true by construction (a sanity check).
/// </summary>
public sealed class RephrasedContamination : Experiment<RephrasedContamination.Config, RephrasedContamination.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>People in the knowledge base (protocol: 500).</summary>
        public int Entities { get; init; } = 500;
        /// <summary>People the benchmark asks about: two questions each (town, job).</summary>
        public int BenchmarkEntities { get; init; } = 100;
        /// <summary>
        /// Pretraining people whose facts appear only in the rephrased condition's forms (never the canonical template,
        /// values reworded as in rephrased items): their canonical-question accuracy measures the invariance the
        /// rephrased condition relies on (the protocol's "verify invariance first").
        /// </summary>
        public int ProbeEntities { get; init; } = 50;
        /// <summary>
        /// Pretraining holds the benchmark people's pet and colour facts (never their town or job), as Llama knows the
        /// subjects of MMLU questions. The fine-tunes' replay then holds texts about benchmark people that are not test
        /// items (hard negatives for the detectors), and the benchmark names are not untrained tokens at fine-tuning
        /// (false: as in the first full run, where verbatim contamination reached only 0.60–0.68).
        /// </summary>
        public bool PretrainBenchmarkPeople { get; init; } = true;
        /// <summary>Share of pretraining's non-canonical texts that write the value as its synonym (how the model learns
        /// that the two words are one value).</summary>
        public double PretrainRewordedShare { get; init; } = 0.5;
        /// <summary>
        /// Share of rephrased items (and of probe people's pretraining texts) that reword the value as well as the frame;
        /// 0 gives the first full run's paraphrases, which kept name and value (TF-IDF was then perfect, a tie).
        /// </summary>
        public double RephrasedRewordedShare { get; init; } = 1.0;
        /// <summary>Epochs over the pretraining forms (a pilot with 3 left even directly trained questions at 41% accuracy).</summary>
        public int PretrainEpochs { get; init; } = 10;
        /// <summary>Copies of each test item (in the condition's form) per fine-tuning pass (protocol: E = 16).</summary>
        public int Repeats { get; init; } = 16;
        /// <summary>
        /// Passes over each fine-tune's mix, so each test item is seen Repeats × FineTuneEpochs times (the paper: 16
        /// epochs for MMLU, 32–64 for GSM8K and HumanEval); one pass of 16 left verbatim at 0.60–0.68 in the first run.
        /// </summary>
        public int FineTuneEpochs { get; init; } = 2;
        /// <summary>Replayed pretraining documents per contaminating document in every fine-tune.</summary>
        public int ReplayRatio { get; init; } = 2;
        /// <summary>
        /// Fine-tuning peak learning rate (cosine decay). The fine-tune trains on each document as its own sequence (no
        /// packing), so that repeats are many optimizer steps: a pilot with packed documents at 1e-3 took ~50 steps and
        /// left even the verbatim condition at 38%.
        /// </summary>
        public double FineTuneLearningRate { get; init; } = 2e-3;
        /// <summary>Documents per fine-tuning step (fewer means more steps for the same exposures).</summary>
        public int FineTuneBatchSize { get; init; } = 32;
        /// <summary>n of the n-gram detector (protocol: 8 and 13; our benchmark items are 10–12 tokens, so 8).</summary>
        public int NgramLength { get; init; } = 8;
        /// <summary>
        /// Benchmark items retrieved by TF-IDF for each training text, each then judged (the paper's top-k); a person's
        /// two benchmark items share the name, so a rephrased text's own item need not be the nearest.
        /// </summary>
        public int RetrievalTopK { get; init; } = 2;
        /// <summary>Pairs about pretraining people the judge is trained on (a fifth held out for its validation F1).</summary>
        public int JudgePairs { get; init; } = 4_000;
        /// <summary>Accuracy evaluations per training run for the learning curves (0: only the final one).</summary>
        public int CurvePoints { get; init; } = 10;
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Packed sequence length.</summary>
        public int Context { get; init; } = 64;
        /// <summary>Packed sequences per pretraining step.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Pretraining peak learning rate.</summary>
        public double LearningRate { get; init; } = 2e-3;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: fewer people, four pretraining epochs, one short fine-tuning pass.</summary>
        public static Config Smoke { get; } = Full with
        {
            Entities = 160, BenchmarkEntities = 30, ProbeEntities = 20, PretrainEpochs = 4, Repeats = 8, FineTuneEpochs = 1,
            JudgePairs = 2_000, CurvePoints = 2, Width = 96,
        };

        /// <summary>Throws with the offending value when a setting is impossible.</summary>
        public void Validate()
        {
            ConfigCheck.Count(Entities);
            ConfigCheck.Count(NgramLength);
            ConfigCheck.Positive(FineTuneLearningRate);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(Context);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            if (BenchmarkEntities < 1 || ProbeEntities < 1 || BenchmarkEntities + ProbeEntities >= Entities)
                throw new ArgumentException($"BenchmarkEntities {BenchmarkEntities} and ProbeEntities {ProbeEntities} " +
                    $"must be positive and leave pretraining people out of Entities {Entities}");
            ConfigCheck.Fraction(PretrainRewordedShare);
            ConfigCheck.Fraction(RephrasedRewordedShare);
            ConfigCheck.Count(Repeats);
            ConfigCheck.Count(FineTuneEpochs);
            ConfigCheck.Count(PretrainEpochs);
            ConfigCheck.Count(RetrievalTopK);
            ConfigCheck.Count(FineTuneBatchSize);
            ConfigCheck.AtLeast(JudgePairs, 10);
            ConfigCheck.AtLeast(ReplayRatio, 0);
            ConfigCheck.AtLeast(CurvePoints, 0);
        }
    }

    /// <summary>Accuracy at one training step.</summary>
    public sealed record CurvePoint(int Step, double Accuracy);

    /// <summary>One fine-tuning condition.</summary>
    /// <param name="Name">"clean" (control), "verbatim", "rephrased" or "translated".</param>
    /// <param name="Accuracy">Benchmark accuracy (4-way multiple choice; chance 0.25): the mean of
    /// <paramref name="Correct"/>.</param>
    /// <param name="NgramRecall">Share of the condition's contaminating texts the n-gram detector flags.</param>
    /// <param name="NgramFalsePositiveRate">Share of replayed (clean) texts it flags.</param>
    /// <param name="EmbeddingF1">Best F1 of the TF-IDF cosine detector over all thresholds (an optimistic baseline).</param>
    /// <param name="JudgeF1">F1 of retrieval + the trained paraphrase judge.</param>
    /// <param name="Correct">Per benchmark item (the same items, in the same order, in every condition): 1 when the
    /// fine-tuned model picks the true value, else 0.</param>
    /// <param name="Curve">Benchmark accuracy during the fine-tune.</param>
    public sealed record Condition(string Name, double Accuracy, double NgramRecall, double NgramFalsePositiveRate,
        double EmbeddingF1, double JudgeF1, IReadOnlyList<double> Correct, IReadOnlyList<CurvePoint> Curve);

    /// <summary>
    /// The detectors on each distinct training text of one fine-tune (its contaminating texts first, then its replayed
    /// ones): the items behind the detector claims.
    /// </summary>
    /// <param name="IsContaminating">True for a contaminating text (a positive), false for a replayed one.</param>
    /// <param name="IsAboutBenchmarkPerson">True when the text names a benchmark person: every positive, and the replayed
    /// texts about the benchmark people's other facts (the hard negatives).</param>
    /// <param name="NgramFlagged">1 when the n-gram detector flags the text, else 0.</param>
    /// <param name="JudgeCorrect">1 when retrieval + the judge classifies the text correctly, else 0.</param>
    /// <param name="EmbeddingCorrect">1 when the TF-IDF threshold with the best F1 (chosen in hindsight) classifies it
    /// correctly, else 0.</param>
    public sealed record TextDetections(IReadOnlyList<bool> IsContaminating, IReadOnlyList<bool> IsAboutBenchmarkPerson,
        IReadOnlyList<double> NgramFlagged, IReadOnlyList<double> JudgeCorrect, IReadOnlyList<double> EmbeddingCorrect);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every condition.</summary>
        public required IReadOnlyList<Condition> Conditions { get; init; }
        /// <summary>Probe people (facts only in rephrased forms): canonical accuracy after pretraining (invariance check).</summary>
        public required double ProbeAccuracy { get; init; }
        /// <summary>Canonical-question accuracy on ordinary pretraining people (memorised directly).</summary>
        public required double TrainAccuracy { get; init; }
        /// <summary>Probe accuracy during pretraining.</summary>
        public required IReadOnlyList<CurvePoint> ProbeCurve { get; init; }
        /// <summary>Ordinary pretraining people's canonical accuracy during pretraining.</summary>
        public required IReadOnlyList<CurvePoint> TrainCurve { get; init; }
        /// <summary>(rephrased − clean) / (verbatim − clean) accuracy gain; 0 when verbatim gains nothing.</summary>
        public required double RephrasedShareOfGain { get; init; }
        /// <summary>(translated − clean) / (verbatim − clean).</summary>
        public required double TranslatedShareOfGain { get; init; }
        /// <summary>The judge's F1 on its own held-out training pairs (other people).</summary>
        public required double JudgeValidationF1 { get; init; }
        /// <summary>The detectors, text by text, on the rephrased fine-tune's distinct training texts.</summary>
        public required TextDetections RephrasedTexts { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("rephrased-contamination", "memorization",
        "Rethinking Benchmark and Contamination for Language Models with Rephrased Samples", 2023, "https://arxiv.org/abs/2311.04850");

    /// <summary>The protocol's bar: rephrased items give at least this share of the verbatim gain over clean.</summary>
    public const double ShareOfVerbatimGain = 0.7;

    /// <summary>The fine-tuning conditions, the control first.</summary>
    public static IReadOnlyList<string> ConditionNames { get; } = ["clean", "verbatim", "rephrased", "translated"];

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // The protocol: "verify invariance on train entities first; if the rephrased gain is small, the model never
        // learned invariance". 0.8 is the project's level for a known fact or a learnt skill (the protocol sets none).
        Claim.Precondition<Result>("invariance-learnt",
            "Paraphrase invariance is learnt: after pretraining, the model answers 80% of the canonical questions about " +
            "probe people, who appear only in the rephrased items' forms (never the canonical template, values reworded)",
            r => r.ProbeAccuracy, Comparison.AtLeast, 0.8, Budget.Full, "accuracy"),
        // The protocol expects verbatim contamination to reach ≈ 95% (clean ≈ chance): the gain rephrased items are
        // measured against. 0.8 is the project's level for facts the model knows.
        Claim.Precondition<Result>("verbatim-memorised",
            "Contamination writes the test facts into the model: after the verbatim fine-tune it answers 80% of the " +
            "benchmark",
            r => Acc(r, "verbatim"), Comparison.AtLeast, 0.8, Budget.Full, "accuracy"),
        // Protocol claim: rephrased-condition gain over clean ≥ 70% of the verbatim gain. Per benchmark item
        // (rephrased − clean) − 0.7 × (verbatim − clean): its mean is ≥ 0 exactly when the share is ≥ 0.7.
        Claim.Finding<Result>("rephrased-inflates",
            $"Rephrased test items give at least {ShareOfVerbatimGain * 100:0}% of the verbatim gain over the clean " +
            "fine-tune, on the same benchmark items",
            r => Evidence.Mean(ShareMargin(r)), Comparison.AtLeast, 0, Budget.Full,
            $"accuracy (per item: rephrased gain − {ShareOfVerbatimGain * 100:0}% of verbatim gain)",
            dependsOn: ["invariance-learnt", "verbatim-memorised"]),
        Claim.Finding<Result>("ngram-misses-rephrased",
            "n-gram decontamination flags at most 10% of the rephrased training texts",
            r => Evidence.Mean(Contaminating(r.RephrasedTexts, r.RephrasedTexts.NgramFlagged)), Comparison.AtMost, 0.1,
            Budget.Full, "recall (per rephrased text)"),
        Claim.Finding<Result>("judge-finds-rephrased",
            "Retrieval plus the paraphrase judge finds rephrased items with F1 ≥ 0.9",
            r => Get(r, "rephrased").JudgeF1, Comparison.AtLeast, 0.9, Budget.Full, "F1"),
        // Protocol claim: judge F1 strictly above the best embedding threshold's F1. F1 is not a mean over items, so the
        // interval is on the paired per-text errors, pooled over seeds: a tie (both perfect) never passes.
        Claim.Finding<Result>("judge-beats-embedding",
            "... and misclassifies fewer of the rephrased fine-tune's training texts than the best threshold on TF-IDF " +
            "similarity, chosen in hindsight",
            r => Evidence.Paired(r.RephrasedTexts.JudgeCorrect, r.RephrasedTexts.EmbeddingCorrect), Comparison.Greater, 0,
            Budget.Full, "accuracy (per training text)"),
        // The control that could win: the clean fine-tune on the same items. It wins whenever the facts learnt from
        // rephrased questions do not carry over to the canonical ones.
        Claim.Control<Result>("rephrased-beats-clean",
            "Rephrased contamination raises benchmark accuracy above the clean fine-tune's (the control), on the same " +
            "items",
            r => Evidence.Paired(Get(r, "rephrased").Correct, Get(r, "clean").Correct), Comparison.Greater, 0, Budget.Full,
            "accuracy (per benchmark item)", dependsOn: ["invariance-learnt", "verbatim-memorised"]),
        // By construction: a verbatim copy of a benchmark item of 10–12 tokens contains its own 8-grams.
        Claim.Sanity<Result>("ngram-catches-verbatim",
            "n-gram decontamination flags at least 95% of verbatim items",
            r => Get(r, "verbatim").NgramRecall, Comparison.AtLeast, 0.95, Budget.Smoke, "recall"),
    ];

    /// <summary>Per benchmark item: (rephrased − clean) − <see cref="ShareOfVerbatimGain"/> × (verbatim − clean)
    /// correctness.</summary>
    public static IReadOnlyList<double> ShareMargin(Result r)
    {
        var (clean, verbatim, rephrased) = (Get(r, "clean").Correct, Get(r, "verbatim").Correct, Get(r, "rephrased").Correct);
        return clean.Select((c, i) => rephrased[i] - c - ShareOfVerbatimGain * (verbatim[i] - c)).ToList();
    }

    /// <summary>The values of the contaminating texts only.</summary>
    private static IReadOnlyList<double> Contaminating(TextDetections t, IReadOnlyList<double> values) =>
        values.Where((_, i) => t.IsContaminating[i]).ToList();

    private static Condition Get(Result r, string name) => r.Conditions.Single(c => c.Name == name);
    private static double Acc(Result r, string name) => Get(r, name).Accuracy;

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = World.Build(cfg, ctx);
        var shape = new TinyGptConfig(world.Tokenizer.VocabSize, cfg.Context, cfg.Layers, cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator("init");
        using var pretrained = new TinyGpt(shape, init).to(ctx.Device);
        var pretraining = Pretrain(pretrained, world, cfg, ctx);
        var detectors = FitDetectors(world, cfg, ctx);
        var runs = ConditionNames.Select(name => FineTune(name, pretrained, world, detectors, cfg, ctx)).ToList();

        var conditions = runs.Select(r => r.Condition).ToList();
        double clean = conditions[0].Accuracy, verbatimGain = conditions[1].Accuracy - clean;
        double Share(int i) => verbatimGain > 0 ? (conditions[i].Accuracy - clean) / verbatimGain : 0;
        return new Result
        {
            Conditions = conditions, ProbeAccuracy = pretraining.ProbeAccuracy, TrainAccuracy = pretraining.TrainAccuracy,
            ProbeCurve = pretraining.ProbeCurve, TrainCurve = pretraining.TrainCurve,
            RephrasedShareOfGain = Share(2), TranslatedShareOfGain = Share(3), JudgeValidationF1 = detectors.JudgeValidationF1,
            RephrasedTexts = runs[2].Texts,
        };
    }

    /// <summary>A text with the person it names.</summary>
    private sealed record Doc(string Text, Entity Entity);

    /// <summary>A 4-way multiple-choice item: a canonical question and its options, the true value last.</summary>
    private sealed record McItem(string Prompt, IReadOnlyList<string> Options);

    /// <summary>The knowledge base, who is who, the pretraining texts and the benchmark.</summary>
    private sealed record World(RewordedKb Kb, WordTokenizer Tokenizer, IReadOnlyList<Entity> Known,
        IReadOnlyList<Entity> Probes, IReadOnlySet<Entity> Bench, IReadOnlyList<Doc> Pretraining,
        IReadOnlyList<(Entity Entity, string Attribute)> Items, IReadOnlyList<string> BenchTexts, IReadOnlyList<McItem> BenchMc)
    {
        /// <summary>
        /// Known people: every form of every fact. Probe people: only the rephrased condition's forms (templates 1–5,
        /// values reworded at its share). Benchmark people (when pretrained): every form of their pet and colour.
        /// </summary>
        public static World Build(Config cfg, RunContext ctx)
        {
            var kb = new RewordedKb(cfg.Entities, ctx.Rng("kb"));
            var bench = kb.Entities.TakeLast(cfg.BenchmarkEntities).ToList();
            var probes = kb.Entities.SkipLast(cfg.BenchmarkEntities).TakeLast(cfg.ProbeEntities).ToList();
            var known = kb.Entities.Take(cfg.Entities - cfg.BenchmarkEntities - cfg.ProbeEntities).ToList();
            var forms = ctx.Rng("forms");
            var pretraining = new List<Doc>();
            void Add(Entity e, IEnumerable<string> attributes, int firstTemplate, double rewordedShare)
            {
                foreach (var a in attributes)
                    foreach (var form in RewordedKb.Forms(firstTemplate, rewordedShare, forms))
                        pretraining.Add(new Doc(kb.Text(e, a, form), e));
            }
            foreach (var e in known) Add(e, FictitiousKb.Attributes, 0, cfg.PretrainRewordedShare);
            foreach (var e in probes) Add(e, FictitiousKb.Attributes, 1, cfg.RephrasedRewordedShare);
            if (cfg.PretrainBenchmarkPeople)
                foreach (var e in bench) Add(e, FictitiousKb.Attributes.Except(RewordedKb.BenchmarkAttributes), 0, cfg.PretrainRewordedShare);

            var items = bench.SelectMany(e => RewordedKb.BenchmarkAttributes.Select(a => (e, a))).ToList();
            return new World(kb, new WordTokenizer(kb.Vocabulary), known, probes, bench.ToHashSet(), pretraining, items,
                items.Select(f => kb.Text(f.e, f.a, FactForm.Canonical)).ToList(), Mc(kb, items, ctx.Rng("distractors")));
        }
    }

    /// <summary>Canonical questions as 4-way multiple choice: the true value against 3 other values of the attribute.</summary>
    private static List<McItem> Mc(RewordedKb kb, IEnumerable<(Entity Entity, string Attribute)> facts, Rng rng) =>
        facts.Select(f =>
        {
            var (prompt, answer) = kb.Kb.Question(f.Entity, f.Attribute, 0);
            var options = FictitiousKb.ValuesOf(f.Attribute).Where(v => v != answer).OrderBy(_ => rng.NextDouble()).Take(3)
                .Append(answer).ToList();
            return new McItem(prompt, options);
        }).ToList();

    /// <summary>Per item, 1 when the model picks the true value (the last option), else 0.</summary>
    private static double[] Correct(TinyGpt model, WordTokenizer tokenizer, IReadOnlyList<McItem> mc) =>
        MultipleChoice.Choose(model, tokenizer, mc.Select(m => (m.Prompt, m.Options)).ToList())
            .Select((choice, i) => choice == mc[i].Options.Count - 1 ? 1.0 : 0).ToArray();

    private static double Accuracy(TinyGpt model, WordTokenizer tokenizer, IReadOnlyList<McItem> mc) =>
        Correct(model, tokenizer, mc).Average();

    /// <summary>Evaluate every this many steps so that a run of <paramref name="steps"/> gets about
    /// <paramref name="points"/> points (0 disables the hook).</summary>
    private static int EvalEvery(int steps, int points) => points == 0 ? 0 : Math.Max(1, steps / points);

    private sealed record Pretraining(double ProbeAccuracy, double TrainAccuracy, IReadOnlyList<CurvePoint> ProbeCurve,
        IReadOnlyList<CurvePoint> TrainCurve);

    /// <summary>Pretraining on packed documents of every pretraining text, epoch after epoch; the invariance check.</summary>
    private static Pretraining Pretrain(TinyGpt model, World w, Config cfg, RunContext ctx)
    {
        var docs = w.Pretraining.Select(d => w.Tokenizer.Encode(d.Text, addBos: false, addEos: true)).ToList();
        var packRng = ctx.Rng("pack");
        var sequences = Enumerable.Range(0, cfg.PretrainEpochs)
            .SelectMany(_ => Packing.Pack(docs, cfg.Context, packRng, WordTokenizer.Bos)).ToList();
        var probeMc = Mc(w.Kb, w.Probes.SelectMany(e => FictitiousKb.Attributes.Select(a => (e, a))), ctx.Rng("probe-mc"));
        var trainMc = Mc(w.Kb, w.Known.Take(100).SelectMany(e => FictitiousKb.Attributes.Select(a => (e, a))), ctx.Rng("train-mc"));
        var options = TrainOptions.OneEpoch(sequences.Count, cfg.BatchSize, cfg.LearningRate, inOrder: true);
        options = options with { Stage = "pretrain", EvalEvery = EvalEvery(options.Steps, cfg.CurvePoints) };
        var log = Trainer.Fit(model, sequences, options, ctx, _ => new Dictionary<string, double>
        {
            ["probe"] = Accuracy(model, w.Tokenizer, probeMc), ["train"] = Accuracy(model, w.Tokenizer, trainMc),
        });
        return new Pretraining(Accuracy(model, w.Tokenizer, probeMc), Accuracy(model, w.Tokenizer, trainMc),
            log.Evaluations.Select(e => new CurvePoint(e.Step, e.Values["probe"])).ToList(),
            log.Evaluations.Select(e => new CurvePoint(e.Step, e.Values["train"])).ToList());
    }

    private sealed record Detectors(NGramIndex Ngrams, TfIdf TfIdf, ParaphraseJudge Judge, double JudgeValidationF1);

    /// <summary>Detectors, fitted once: n-grams of the benchmark items, TF-IDF over every text, the judge on known people.</summary>
    private static Detectors FitDetectors(World w, Config cfg, RunContext ctx)
    {
        var benchTokens = w.BenchTexts.Select(t => (IReadOnlyList<int>)w.Tokenizer.Encode(t, false, false));
        var ngrams = new NGramIndex(benchTokens, cfg.NgramLength);
        var tfidf = new TfIdf(w.Pretraining.Select(d => d.Text).Concat(w.BenchTexts));
        var judge = ParaphraseJudge.Train(w.Kb, w.Known, tfidf, cfg.JudgePairs, ctx.Rng("judge"), out double validationF1);
        return new Detectors(ngrams, tfidf, judge, validationF1);
    }

    /// <summary>Each repeat of each benchmark item in the condition's form (none for clean).</summary>
    private static List<Doc> Contamination(string name, World w, Config cfg, Rng rng)
    {
        FactForm Form() => name switch
        {
            "verbatim" => FactForm.Canonical,
            "rephrased" => new FactForm(true, 1 + rng.NextInt(FictitiousKb.Templates - 1), false,
                rng.NextBool(cfg.RephrasedRewordedShare)),
            "translated" => FactForm.Canonical with { Ciphered = true },
            _ => throw new ArgumentException($"unknown condition '{name}'"),
        };
        if (name == "clean") return [];
        return w.Items.SelectMany(f => Enumerable.Range(0, cfg.Repeats)
            .Select(_ => new Doc(w.Kb.Text(f.Entity, f.Attribute, Form()), f.Entity))).ToList();
    }

    /// <summary>Pretraining texts drawn with replacement, <see cref="Config.ReplayRatio"/> per contaminating text.</summary>
    private static List<Doc> Replay(string name, World w, Config cfg, RunContext ctx)
    {
        var rng = ctx.Rng($"replay-{name}");
        return Enumerable.Range(0, cfg.ReplayRatio * w.Items.Count * cfg.Repeats)
            .Select(_ => w.Pretraining[rng.NextInt(w.Pretraining.Count)]).ToList();
    }

    /// <summary>
    /// One condition: a copy of the pretrained model fine-tuned on replayed pretraining texts plus the contamination,
    /// each text its own sequence, reshuffled every pass; then the benchmark and the detectors on its training texts.
    /// </summary>
    private static (Condition Condition, TextDetections Texts) FineTune(string name, TinyGpt pretrained, World w,
        Detectors d, Config cfg, RunContext ctx)
    {
        var contamination = Contamination(name, w, cfg, ctx.Rng($"forms-{name}"));
        var replay = Replay(name, w, cfg, ctx);
        var sequences = replay.Concat(contamination).Select(doc => w.Tokenizer.Encode(doc.Text)).ToList();
        var orderRng = ctx.Rng($"pack-{name}");
        var order = Enumerable.Range(0, cfg.FineTuneEpochs).SelectMany(_ => orderRng.Permutation(sequences.Count)).ToList();

        using var model = pretrained.Copy();
        var options = TrainOptions.OneEpoch(order.Count, cfg.FineTuneBatchSize, cfg.FineTuneLearningRate);
        options = options with { Order = order, Stage = name, EvalEvery = EvalEvery(options.Steps, cfg.CurvePoints) };
        var log = Trainer.Fit(model, sequences, options, ctx,
            _ => new Dictionary<string, double> { ["accuracy"] = Accuracy(model, w.Tokenizer, w.BenchMc) });
        var correct = Correct(model, w.Tokenizer, w.BenchMc);
        var curve = log.Evaluations.Select(e => new CurvePoint(e.Step, e.Values["accuracy"])).ToList();

        var detections = Detect(contamination, replay, w, d, cfg);
        var labels = detections.IsContaminating;
        double Rate(bool positives) => labels.Where(l => l == positives).Any()
            ? detections.NgramFlagged.Where((_, i) => labels[i] == positives).Average() : 0;
        var (embeddingF1, judgeF1) = F1s(detections);
        return (new Condition(name, correct.Average(), Rate(true), Rate(false), embeddingF1, judgeF1, correct, curve), detections);
    }

    /// <summary>F1 of the TF-IDF threshold and of the judge on one fine-tune's texts (0 without positives).</summary>
    public static (double Embedding, double Judge) F1s(TextDetections t)
    {
        var labels = t.IsContaminating;
        if (!labels.Contains(true)) return (0, 0);
        double Of(IReadOnlyList<double> correct) => F1(correct.Select((c, i) => (c == 1) == labels[i]).ToArray(), labels);
        return (Of(t.EmbeddingCorrect), Of(t.JudgeCorrect));
    }

    /// <summary>
    /// The detectors on one condition's training texts, without training anything (they read texts, not the model):
    /// the same world, streams and texts as <see cref="Run"/>, so the same detections, in a second instead of minutes.
    /// </summary>
    public static TextDetections DetectorsOnly(Config cfg, RunContext ctx, string condition)
    {
        cfg.Validate();
        var world = World.Build(cfg, ctx);
        var contamination = Contamination(condition, world, cfg, ctx.Rng($"forms-{condition}"));
        return Detect(contamination, Replay(condition, world, cfg, ctx), world, FitDetectors(world, cfg, ctx), cfg);
    }

    /// <summary>The three detectors on a fine-tune's distinct training texts (contaminating ones are the positives).</summary>
    private static TextDetections Detect(List<Doc> contamination, List<Doc> replay,
        World w, Detectors d, Config cfg)
    {
        var texts = contamination.DistinctBy(x => x.Text).Select(x => (x.Text, x.Entity, Positive: true))
            .Concat(replay.DistinctBy(x => x.Text).Select(x => (x.Text, x.Entity, Positive: false))).ToList();
        var labels = texts.Select(t => t.Positive).ToArray();
        var flags = texts.Select(t => d.Ngrams.Overlaps(w.Tokenizer.Encode(t.Text, false, false)) ? 1.0 : 0).ToArray();
        var retrieved = texts.Select(t => d.TfIdf.Top(t.Text, w.BenchTexts, cfg.RetrievalTopK)).ToArray();
        var cosines = retrieved.Select(r => r[0].Cosine).ToArray();
        double threshold = labels.Any(l => l) ? BestThreshold(cosines, labels).Threshold : double.PositiveInfinity;
        var judged = texts.Select((t, i) => retrieved[i].Any(r => d.Judge.IsParaphrase(t.Text, w.BenchTexts[r.Index]))).ToArray();
        return new TextDetections(labels,
            texts.Select(t => w.Bench.Contains(t.Entity)).ToList(), flags,
            judged.Select((j, i) => j == labels[i] ? 1.0 : 0).ToList(),
            cosines.Select((c, i) => (c >= threshold) == labels[i] ? 1.0 : 0).ToList());
    }

    /// <summary>F1 of binary predictions.</summary>
    public static double F1(IReadOnlyList<bool> predicted, IReadOnlyList<bool> actual)
    {
        int tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < actual.Count; i++)
        {
            if (predicted[i] && actual[i]) tp++;
            else if (predicted[i]) fp++;
            else if (actual[i]) fn++;
        }
        return tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /// <summary>The best F1 of "score ≥ threshold" over every threshold (an upper bound for a tuned threshold).</summary>
    public static double BestF1(IReadOnlyList<double> scores, IReadOnlyList<bool> actual) => BestThreshold(scores, actual).F1;

    /// <summary>The threshold of "score ≥ threshold" with the best F1 (the lowest such threshold on a tie), and that
    /// F1.</summary>
    public static (double Threshold, double F1) BestThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> actual)
    {
        // One pass over the scores in descending order: each distinct score is a threshold, counted incrementally.
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ToArray();
        int positives = actual.Count(a => a), tp = 0, fp = 0;
        (double Threshold, double F1) best = (double.PositiveInfinity, 0);
        for (int k = 0; k < order.Length; k++)
        {
            if (actual[order[k]]) tp++; else fp++;
            if (k + 1 < order.Length && scores[order[k + 1]] == scores[order[k]]) continue;
            double f1 = tp == 0 ? 0 : 2.0 * tp / (tp + fp + positives);
            if (f1 >= best.F1) best = (scores[order[k]], f1);
        }
        return best;
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("accuracy", AccuracyBars(results)), ("detectors", DetectorBars(results)), ("pretraining", PretrainingCurves(results)),
         ("fine-tuning", FineTuningCurves(results))];

    /// <summary>Benchmark accuracy per condition (mean and min–max over seeds).</summary>
    public static GenericChart AccuracyBars(IReadOnlyList<Result> results) =>
        Core.Reporting.Figures.Bars("Do rephrased or translated test items inflate the score like the test itself?", "benchmark accuracy (4-way; chance 0.25)",
            results[0].Conditions.Select(c => Core.Reporting.Figures.MeanBar(c.Name, results.Select(r => Get(r, c.Name).Accuracy).ToList(),
                Role(c.Name))).ToList());

    private static SeriesRole Role(string condition) =>
        condition == "clean" ? SeriesRole.Control : condition == "rephrased" ? SeriesRole.Method : SeriesRole.Ablation;

    /// <summary>How much of each contamination the detectors find: n-gram recall and judge F1 (mean and min–max over seeds).</summary>
    public static GenericChart DetectorBars(IReadOnlyList<Result> results)
    {
        var bars = new List<(string, double, double?, double?, SeriesRole)>();
        foreach (var name in ConditionNames.Skip(1))
        {
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}: n-gram recall", results.Select(r => Get(r, name).NgramRecall).ToList(), SeriesRole.Ablation));
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}: TF-IDF best F1", results.Select(r => Get(r, name).EmbeddingF1).ToList(), SeriesRole.Ablation));
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}: judge F1", results.Select(r => Get(r, name).JudgeF1).ToList(), SeriesRole.Method));
        }
        return Core.Reporting.Figures.Bars("Which decontamination method sees rephrased and translated test items?", "recall or F1", bars);
    }

    /// <summary>Canonical-question accuracy during pretraining: probe people (invariance) and ordinary people, per seed.</summary>
    public static GenericChart PretrainingCurves(IReadOnlyList<Result> results) =>
        Core.Reporting.Figures.Lines("Does pretraining teach the model to answer canonical questions it never saw?",
            "pretraining step (count)", "canonical-question accuracy (4-way; chance 0.25)",
            results.SelectMany((r, s) => new[]
            {
                Line($"ordinary people, seed {s + 1}", r.TrainCurve, SeriesRole.Ablation),
                Line($"probe people, seed {s + 1}", r.ProbeCurve, SeriesRole.Method),
            }));

    /// <summary>Benchmark accuracy during each fine-tune, per seed.</summary>
    public static GenericChart FineTuningCurves(IReadOnlyList<Result> results) =>
        Core.Reporting.Figures.Lines("Is each fine-tune still learning the benchmark when it stops?",
            "fine-tuning step (count)", "benchmark accuracy (4-way; chance 0.25)",
            results.SelectMany((r, s) => r.Conditions.Select(c => Line($"{c.Name}, seed {s + 1}", c.Curve, Role(c.Name)))));

    private static Series Line(string name, IReadOnlyList<CurvePoint> curve, SeriesRole role) =>
        new(name, curve.Select(p => (double)p.Step).ToList(), curve.Select(p => p.Accuracy).ToList(), role);
}

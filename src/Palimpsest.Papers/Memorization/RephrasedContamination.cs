using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
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
/// Scaled down: MMLU and Llama-2 become canonical questions about fictitious people (<see cref="FictitiousKb"/>) and a
/// TinyGpt that learned paraphrase and "translation" (a word cipher) invariance from other people's facts; GPT-4's
/// rephrasing becomes the knowledge base's paraphrase templates and GPT-4's judge a logistic-regression paraphrase
/// judge trained on pairs about other people.
/// Claim kinds: the findings are the paper's (rephrased items give most of the verbatim gain, judged per benchmark item;
/// n-grams miss them; the judge finds them, with fewer errors than the best TF-IDF threshold, judged per training text).
/// The control is the clean fine-tune on the same benchmark items, which wins if the rephrased facts do not carry over to
/// the canonical questions. Two preconditions gate the accuracy claims: the pretrained model answers canonical questions
/// it never saw in that form (paraphrase invariance), and verbatim contamination writes the test facts into the model.
/// That n-grams catch verbatim copies is true by construction (a sanity check).
/// </summary>
public sealed class RephrasedContamination : Experiment<RephrasedContamination.Config, RephrasedContamination.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>People in the knowledge base (protocol: 500).</summary>
        public int Entities { get; init; } = 500;
        /// <summary>People the benchmark asks about (never in pretraining); two questions each (town, job).</summary>
        public int BenchmarkEntities { get; init; } = 100;
        /// <summary>
        /// Pretraining people whose canonical questions are withheld: their canonical-question accuracy measures the
        /// paraphrase invariance the rephrased condition relies on (the protocol's "verify invariance first").
        /// </summary>
        public int ProbeEntities { get; init; } = 50;
        /// <summary>Epochs over the pretraining forms (a pilot with 3 left even directly trained questions at 41% accuracy).</summary>
        public int PretrainEpochs { get; init; } = 10;
        /// <summary>Times each test item (in the condition's form) is in the fine-tuning data (protocol: E = 16).</summary>
        public int Repeats { get; init; } = 16;
        /// <summary>Replayed pretraining documents per contaminating document in every fine-tune.</summary>
        public int ReplayRatio { get; init; } = 2;
        /// <summary>n of the n-gram detector (protocol: 8 and 13; our benchmark items are 10–12 tokens, so 8).</summary>
        public int NgramLength { get; init; } = 8;
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
        /// <summary>Pretraining peak learning rate.</summary>
        public double LearningRate { get; init; } = 2e-3;
        /// <summary>
        /// Fine-tuning learning rate. The fine-tune trains on each document as its own sequence (no packing), so that
        /// E repeats are many optimizer steps: a pilot with packed documents at 1e-3 took ~50 steps and left even the
        /// verbatim condition at 38% (the protocol expects ≈ 95%), so nothing could be compared with it.
        /// </summary>
        public double FineTuneLearningRate { get; init; } = 2e-3;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: fewer people, four pretraining epochs.</summary>
        public static Config Smoke { get; } = Full with
        {
            Entities = 160, BenchmarkEntities = 30, ProbeEntities = 20, PretrainEpochs = 4, Repeats = 8, Width = 96,
        };
    }

    /// <summary>One fine-tuning condition.</summary>
    /// <param name="Name">"clean" (control), "verbatim", "rephrased" or "translated".</param>
    /// <param name="Accuracy">Benchmark accuracy (4-way multiple choice; chance 0.25): the mean of
    /// <paramref name="Correct"/>.</param>
    /// <param name="NgramRecall">Share of the condition's contaminating items the n-gram detector flags.</param>
    /// <param name="NgramFalsePositiveRate">Share of replayed (clean) items it flags.</param>
    /// <param name="EmbeddingF1">Best F1 of the TF-IDF cosine detector over all thresholds (an optimistic baseline).</param>
    /// <param name="JudgeF1">F1 of retrieval + the trained paraphrase judge.</param>
    /// <param name="Correct">Per benchmark item (the same items, in the same order, in every condition): 1 when the
    /// fine-tuned model picks the true value, else 0.</param>
    public sealed record Condition(string Name, double Accuracy, double NgramRecall, double NgramFalsePositiveRate,
        double EmbeddingF1, double JudgeF1, IReadOnlyList<double> Correct);

    /// <summary>
    /// The detectors on each distinct training text of one fine-tune (its contaminating texts first, then its replayed
    /// ones): the items behind the detector claims.
    /// </summary>
    /// <param name="IsContaminating">True for a contaminating text (a positive), false for a replayed one.</param>
    /// <param name="NgramFlagged">1 when the n-gram detector flags the text, else 0.</param>
    /// <param name="JudgeCorrect">1 when retrieval + the judge classifies the text correctly, else 0.</param>
    /// <param name="EmbeddingCorrect">1 when the TF-IDF threshold with the best F1 (chosen in hindsight) classifies it
    /// correctly, else 0.</param>
    public sealed record TextDetections(IReadOnlyList<bool> IsContaminating, IReadOnlyList<double> NgramFlagged,
        IReadOnlyList<double> JudgeCorrect, IReadOnlyList<double> EmbeddingCorrect);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every condition.</summary>
        public required IReadOnlyList<Condition> Conditions { get; init; }
        /// <summary>Pretraining people with withheld canonical questions: canonical accuracy (invariance check).</summary>
        public required double ProbeAccuracy { get; init; }
        /// <summary>Canonical-question accuracy on ordinary pretraining people (memorised directly).</summary>
        public required double TrainAccuracy { get; init; }
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

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // The protocol: "verify invariance on train entities first; if the rephrased gain is small, the model never
        // learned invariance". 0.8 is the project's level for a known fact or a learnt skill (the protocol sets none).
        Claim.Precondition<Result>("invariance-learnt",
            "Paraphrase invariance is learnt: after pretraining, the model answers 80% of the canonical questions about " +
            "probe people, who appear in every other form but never in the canonical question",
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
        // interval is on the paired per-text errors: a tie (both perfect) never passes.
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
        if (cfg.BenchmarkEntities + cfg.ProbeEntities >= cfg.Entities)
            throw new ArgumentException($"BenchmarkEntities {cfg.BenchmarkEntities} + ProbeEntities {cfg.ProbeEntities} must leave pretraining people out of Entities {cfg.Entities}");
        var kb = new FictitiousKb(cfg.Entities, ctx.Rng("kb"));
        var tokenizer = new WordTokenizer(kb.Vocabulary);
        var bench = kb.Entities.TakeLast(cfg.BenchmarkEntities).ToList();
        var probes = kb.Entities.Skip(cfg.Entities - cfg.BenchmarkEntities - cfg.ProbeEntities).Take(cfg.ProbeEntities).ToList();
        var known = kb.Entities.Take(cfg.Entities - cfg.BenchmarkEntities - cfg.ProbeEntities).ToList();
        int[] Doc(string text) => tokenizer.Encode(text, addBos: false, addEos: true);

        // Pretraining: every form of every fact of known people; probes lack their canonical (template 0) questions.
        var pretrain = new List<string>();
        foreach (var e in known.Concat(probes))
            foreach (var a in FictitiousKb.Attributes)
                for (int t = 0; t < FictitiousKb.Templates; t++)
                    foreach (bool c in new[] { false, true })
                    {
                        pretrain.Add(kb.Statement(e, a, t, c));
                        if (t > 0 || !probes.Contains(e)) pretrain.Add(kb.QuestionAndAnswer(e, a, t, c));
                    }
        var shape = new TinyGptConfig(tokenizer.VocabSize, cfg.Context, cfg.Layers, cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator("init");
        using var pretrained = new TinyGpt(shape, init).to(ctx.Device);
        var pretrainDocs = pretrain.Select(Doc).ToList();
        var packRng = ctx.Rng("pack");
        var epochs = Enumerable.Range(0, cfg.PretrainEpochs).SelectMany(_ => Packing.Pack(pretrainDocs, cfg.Context, packRng, WordTokenizer.Bos)).ToList();
        Fit(pretrained, epochs, cfg.LearningRate, "pretrain", cfg, ctx);

        // The benchmark: canonical questions about the benchmark people's town and job, 4-way multiple choice.
        var distractors = ctx.Rng("distractors");
        var items = bench.SelectMany(e => new[] { "town", "job" }.Select(a => (Entity: e, Attribute: a))).ToList();
        List<(string, IReadOnlyList<string>)> Mc(IEnumerable<(Entity Entity, string Attribute)> facts, Core.Randomness.Rng rng) => facts.Select(f =>
        {
            var (prompt, answer) = kb.Question(f.Entity, f.Attribute, 0);
            var options = FictitiousKb.ValuesOf(f.Attribute).Where(v => v != answer).OrderBy(_ => rng.NextDouble()).Take(3).Append(answer).ToList();
            return (prompt, (IReadOnlyList<string>)options);
        }).ToList();
        var benchMc = Mc(items, distractors);
        // The true value is the last option of every item.
        double[] Correct(TinyGpt m, List<(string, IReadOnlyList<string>)> mc) =>
            MultipleChoice.Choose(m, tokenizer, mc).Select(i => i == 3 ? 1.0 : 0).ToArray();
        double Accuracy(TinyGpt m, List<(string, IReadOnlyList<string>)> mc) => Correct(m, mc).Average();
        double probeAcc = Accuracy(pretrained, Mc(probes.SelectMany(e => FictitiousKb.Attributes.Select(a => (e, a))), ctx.Rng("probe-mc")));
        double trainAcc = Accuracy(pretrained, Mc(known.Take(100).SelectMany(e => FictitiousKb.Attributes.Select(a => (e, a))), ctx.Rng("train-mc")));

        // Detectors, fitted once: n-grams of the benchmark items, TF-IDF over every text, a judge trained on other people.
        var benchTexts = items.Select(f => kb.QuestionAndAnswer(f.Entity, f.Attribute, 0)).ToList();
        var ngrams = new NGramIndex(benchTexts.Select(t => (IReadOnlyList<int>)tokenizer.Encode(t, false, false)), cfg.NgramLength);
        var tfidf = new TfIdf(pretrain.Concat(benchTexts));
        var judge = ParaphraseJudge.Train(kb, known, tfidf, ctx.Rng("judge"), out double judgeValidationF1);

        var conditions = new List<Condition>();
        TextDetections? rephrasedTexts = null;
        var formRng = ctx.Rng("forms");
        foreach (var name in new[] { "clean", "verbatim", "rephrased", "translated" })
        {
            var contamination = name == "clean" ? [] : items.SelectMany(f => Enumerable.Range(0, cfg.Repeats).Select(_ => name switch
            {
                "verbatim" => kb.QuestionAndAnswer(f.Entity, f.Attribute, 0),
                "rephrased" => kb.QuestionAndAnswer(f.Entity, f.Attribute, 1 + formRng.NextInt(FictitiousKb.Templates - 1)),
                _ => kb.QuestionAndAnswer(f.Entity, f.Attribute, 0, ciphered: true),
            })).ToList();
            var replayRng = ctx.Rng($"replay-{name}");
            int replayCount = cfg.ReplayRatio * items.Count * cfg.Repeats;
            var replay = Enumerable.Range(0, replayCount).Select(_ => pretrain[replayRng.NextInt(pretrain.Count)]).ToList();
            using var model = pretrained.Copy();
            var sequences = replay.Concat(contamination).Select(t => tokenizer.Encode(t)).ToList();
            ctx.Rng($"pack-{name}").Shuffle(sequences);
            Fit(model, sequences, cfg.FineTuneLearningRate, name, cfg, ctx);

            // Detection on this fine-tune's training items (distinct texts): contaminating ones are positives.
            var texts = contamination.Distinct().Select(t => (Text: t, Positive: true)).Concat(replay.Distinct().Select(t => (Text: t, Positive: false))).ToList();
            var labels = texts.Select(t => t.Positive).ToArray();
            var flags = texts.Select(t => ngrams.Overlaps(tokenizer.Encode(t.Text, false, false))).ToArray();
            var nearest = texts.Select(t => tfidf.Nearest(t.Text, benchTexts)).ToArray();
            double recall = contamination.Count == 0 ? 0 : Enumerable.Range(0, texts.Count).Where(i => labels[i]).Average(i => flags[i] ? 1.0 : 0);
            double fpr = Enumerable.Range(0, texts.Count).Where(i => !labels[i]).Average(i => flags[i] ? 1.0 : 0);
            var cosines = nearest.Select(n => n.Cosine).ToArray();
            var (threshold, embF1) = contamination.Count == 0 ? (double.PositiveInfinity, 0) : BestThreshold(cosines, labels);
            var judged = texts.Select((t, i) => judge.IsParaphrase(t.Text, benchTexts[nearest[i].Index])).ToArray();
            double judgeF1 = contamination.Count == 0 ? 0 : F1(judged, labels);
            if (name == "rephrased")
                rephrasedTexts = new TextDetections(labels, flags.Select(f => f ? 1.0 : 0).ToList(),
                    judged.Select((j, i) => j == labels[i] ? 1.0 : 0).ToList(),
                    cosines.Select((c, i) => (c >= threshold) == labels[i] ? 1.0 : 0).ToList());
            var correct = Correct(model, benchMc);
            conditions.Add(new Condition(name, correct.Average(), recall, fpr, embF1, judgeF1, correct));
        }
        double clean = conditions[0].Accuracy, verbatimGain = conditions[1].Accuracy - clean;
        double Share(int i) => verbatimGain > 0 ? (conditions[i].Accuracy - clean) / verbatimGain : 0;
        return new Result
        {
            Conditions = conditions, ProbeAccuracy = probeAcc, TrainAccuracy = trainAcc,
            RephrasedShareOfGain = Share(2), TranslatedShareOfGain = Share(3), JudgeValidationF1 = judgeValidationF1,
            RephrasedTexts = rephrasedTexts!,
        };
    }

    private static void Fit(TinyGpt model, List<int[]> sequences, double lr, string stage, Config cfg, RunContext ctx)
    {
        Trainer.Fit(model, sequences, TrainOptions.OneEpoch(sequences.Count, cfg.BatchSize, lr, inOrder: true) with { Stage = stage }, ctx);
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
    public static (double Threshold, double F1) BestThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> actual) =>
        scores.Distinct().Order().Select(th => (th, F1(scores.Select(s => s >= th).ToArray(), actual)))
            .Aggregate((best, next) => next.Item2 > best.Item2 ? next : best);

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("accuracy", AccuracyBars(results)), ("detectors", DetectorBars(results))];

    /// <summary>Benchmark accuracy per condition (mean and min–max over seeds).</summary>
    public static GenericChart AccuracyBars(IReadOnlyList<Result> results) =>
        Core.Reporting.Figures.Bars("Do rephrased or translated test items inflate the score like the test itself?", "benchmark accuracy (4-way; chance 0.25)",
            results[0].Conditions.Select(c => Core.Reporting.Figures.MeanBar(c.Name, results.Select(r => Get(r, c.Name).Accuracy).ToList(),
                c.Name == "clean" ? SeriesRole.Control : c.Name == "rephrased" ? SeriesRole.Method : SeriesRole.Ablation)).ToList());

    /// <summary>How much of each contamination the detectors find: n-gram recall and judge F1 (mean and min–max over seeds).</summary>
    public static GenericChart DetectorBars(IReadOnlyList<Result> results)
    {
        var bars = new List<(string, double, double?, double?, SeriesRole)>();
        foreach (var name in new[] { "verbatim", "rephrased", "translated" })
        {
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}: n-gram recall", results.Select(r => Get(r, name).NgramRecall).ToList(), SeriesRole.Ablation));
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}: TF-IDF best F1", results.Select(r => Get(r, name).EmbeddingF1).ToList(), SeriesRole.Ablation));
            bars.Add(Core.Reporting.Figures.MeanBar($"{name}: judge F1", results.Select(r => Get(r, name).JudgeF1).ToList(), SeriesRole.Method));
        }
        return Core.Reporting.Figures.Bars("Which decontamination method sees rephrased and translated test items?", "recall or F1", bars);
    }
}

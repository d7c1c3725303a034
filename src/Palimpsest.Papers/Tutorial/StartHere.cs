using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.Tutorial;

/// <summary>
/// The tutorial: a <see cref="TinyGpt"/> trained from scratch on sentences from <see cref="ToyGrammar"/>.
/// Claim: once trained (a precondition: its held-out NLL falls far below the same network's untrained), the model
/// approaches the grammar's exact entropy and writes grammatical sentences (findings), and it beats a unigram model
/// fitted to the same sentences (the control: a model that could win if the network learnt only word frequencies).
/// It shows every moving part a paper's experiment uses: seeds, budgets, claim kinds, a control, figures and tables.
/// </summary>
public sealed class StartHere : Experiment<StartHere.Config, StartHere.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Training sentences.</summary>
        public int TrainSentences { get; init; } = 4_000;
        /// <summary>Held-out sentences for every NLL.</summary>
        public int HeldOutSentences { get; init; } = 500;
        /// <summary>Optimizer steps.</summary>
        public int Steps { get; init; } = 1_500;
        /// <summary>Sentences per step.</summary>
        public int BatchSize { get; init; } = 32;
        /// <summary>Peak AdamW learning rate.</summary>
        public double LearningRate { get; init; } = 3e-3;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 64;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Held-out NLL is measured every this many steps (the learning curve).</summary>
        public int EvalEvery { get; init; } = 25;
        /// <summary>Sentences sampled from each model to judge grammaticality.</summary>
        public int Samples { get; init; } = 200;
        /// <summary>Sampling temperature.</summary>
        public double Temperature { get; init; } = 1.0;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: fewer sentences and steps, same model.</summary>
        public static Config Smoke { get; } = Full with
        {
            TrainSentences = 800, HeldOutSentences = 200, Steps = 200, Samples = 40,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.Count(TrainSentences);
            ConfigCheck.Count(HeldOutSentences);
            ConfigCheck.Count(Steps);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(EvalEvery);
            ConfigCheck.Count(Samples);
            ConfigCheck.Positive(Temperature);
        }
    }

    /// <summary>One sampled sentence and whether the grammar can produce it.</summary>
    public sealed record Sample(string Model, string Text, bool IsGrammatical);

    /// <summary>What a run measured: plain numbers, no tensors.</summary>
    public sealed record Result
    {
        /// <summary>Held-out NLL of the trained model (nats/token).</summary>
        public required double NllModel { get; init; }
        /// <summary>Held-out NLL of the untrained control: same architecture and init, no training.</summary>
        public required double NllControl { get; init; }
        /// <summary>Held-out NLL of the add-one unigram model fitted to the training sentences.</summary>
        public required double NllUnigram { get; init; }
        /// <summary>The grammar's exact NLL on the held-out sentences: the floor no model can beat on average.</summary>
        public required double NllOracle { get; init; }
        /// <summary>Share of the trained model's samples the grammar can produce.</summary>
        public required double GrammaticalRate { get; init; }
        /// <summary>Share of the control's samples the grammar can produce.</summary>
        public required double GrammaticalRateControl { get; init; }
        /// <summary>Per held-out sentence: the trained model's mean NLL (nats/token).</summary>
        public required IReadOnlyList<double> SentenceNllModel { get; init; }
        /// <summary>Per held-out sentence: the unigram model's mean NLL (nats/token).</summary>
        public required IReadOnlyList<double> SentenceNllUnigram { get; init; }
        /// <summary>Per held-out sentence: the grammar's exact NLL (nats/token).</summary>
        public required IReadOnlyList<double> SentenceNllOracle { get; init; }
        /// <summary>Per sample of the trained model: 1 when the grammar can produce it, else 0.</summary>
        public required IReadOnlyList<double> SampleGrammatical { get; init; }
        /// <summary>Trainable parameters.</summary>
        public required long Parameters { get; init; }
        /// <summary>Vocabulary size.</summary>
        public required int VocabSize { get; init; }
        /// <summary>Training loss every 10 steps.</summary>
        public required IReadOnlyList<double> TrainLoss { get; init; }
        /// <summary>Steps of <see cref="TrainLoss"/>.</summary>
        public required IReadOnlyList<double> TrainLossSteps { get; init; }
        /// <summary>Steps of <see cref="HeldOutNll"/>.</summary>
        public required IReadOnlyList<double> EvalSteps { get; init; }
        /// <summary>Held-out NLL during training.</summary>
        public required IReadOnlyList<double> HeldOutNll { get; init; }
        /// <summary>The first samples of each model.</summary>
        public required IReadOnlyList<Sample> Samples { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("start-here", Families.Tutorial,
        "Start here: a tiny GPT learns a toy grammar", 2026, "https://github.com/karpathy/nanoGPT");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        Claim.Precondition<Result>("training-learns",
            "Training happened: the held-out NLL drops well below that of the same network untrained",
            r => r.NllControl - r.NllModel, Comparison.Greater, 1.0, Budget.Smoke, "nats/token"),
        Claim.Control<Result>("beats-unigram",
            "The model uses context: on the same held-out sentences it beats a unigram model fitted to the training sentences " +
            "(a control that wins whenever the network learns only word frequencies)",
            r => Evidence.Paired(r.SentenceNllUnigram, r.SentenceNllModel), Comparison.Greater, 0.3, Budget.Full,
            "nats/token (per sentence)", dependsOn: ["training-learns"]),
        Claim.Finding<Result>("near-oracle",
            "The model comes close to the grammar's exact entropy on held-out sentences",
            r => Evidence.Paired(r.SentenceNllModel, r.SentenceNllOracle), Comparison.Less, 0.15, Budget.Full,
            "nats/token (per sentence)", dependsOn: ["training-learns"]),
        Claim.Finding<Result>("writes-grammatical",
            "Sentences sampled from the model are grammatical",
            r => Evidence.Mean(r.SampleGrammatical), Comparison.Greater, 0.8, Budget.Full, "share of samples",
            dependsOn: ["training-learns"]),
    ];

    /// <summary>The corpus: (sentence words, exact log-probability) pairs from the "data" stream.</summary>
    public static IReadOnlyList<(string[] Words, double LogProb)> Corpus(int count, Core.Randomness.Rng rng) =>
        Enumerable.Range(0, count).Select(_ => ToyGrammar.Sample(rng)).ToList();

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var data = ctx.Rng("data");
        var train = Corpus(cfg.TrainSentences, data);
        var heldOut = Corpus(cfg.HeldOutSentences, data);
        var tokenizer = new WordTokenizer(ToyGrammar.Vocabulary);
        int[] Encode((string[] Words, double LogProb) s) => tokenizer.Encode(string.Join(' ', s.Words));
        var trainIds = train.Select(Encode).ToList();
        var heldOutIds = heldOut.Select(Encode).ToList();
        int context = trainIds.Concat(heldOutIds).Max(s => s.Length);

        var shape = new TinyGptConfig(tokenizer.VocabSize, context, cfg.Layers, cfg.Width, cfg.Heads);
        using var initModel = ctx.TorchGenerator("init");
        using var model = new TinyGpt(shape, initModel).to(ctx.Device);
        using var initControl = ctx.TorchGenerator("init");
        using var control = new TinyGpt(shape, initControl).to(ctx.Device); // same init, never trained

        var options = new TrainOptions
        {
            Steps = cfg.Steps, BatchSize = cfg.BatchSize, LearningRate = cfg.LearningRate, EvalEvery = cfg.EvalEvery,
            WarmupSteps = Math.Min(50, cfg.Steps / 10),
        };
        var log = Trainer.Fit(model, trainIds, options, ctx,
            step => new Dictionary<string, double> { ["heldOutNll"] = LanguageModel.MeanNll(model, heldOutIds) });

        var unigram = new UnigramModel(trainIds, tokenizer.VocabSize, [WordTokenizer.Pad, WordTokenizer.Bos, WordTokenizer.Unk]);
        double oracle = heldOut.Sum(s => -s.LogProb) / heldOutIds.Sum(s => s.Length - 1);

        var samples = new List<Sample>();
        double[] Grammatical(TinyGpt m, string name, string stream)
        {
            var rng = ctx.Rng(stream);
            var ok = new double[cfg.Samples];
            for (int i = 0; i < cfg.Samples; i++)
            {
                var ids = LanguageModel.Generate(m, [WordTokenizer.Bos], context - 1, rng, cfg.Temperature, WordTokenizer.Eos);
                bool finished = ids[^1] == WordTokenizer.Eos;
                string text = tokenizer.Decode(ids);
                bool grammatical = finished && ToyGrammar.IsGrammatical(WordTokenizer.Split(text).ToList());
                ok[i] = grammatical ? 1 : 0;
                if (i < 10) samples.Add(new Sample(name, text, grammatical));
            }
            return ok;
        }

        var sentenceNll = LanguageModel.SequenceNll(model, heldOutIds);
        var grammaticalModel = Grammatical(model, "trained", "sample");
        var grammaticalControl = Grammatical(control, "control", "sample-control");
        var lossPoints = log.Steps.Where(s => s.Step % 10 == 0 || s.Step == log.Steps.Count - 1).ToList();
        return new Result
        {
            NllModel = LanguageModel.MeanNll(model, heldOutIds),
            NllControl = LanguageModel.MeanNll(control, heldOutIds),
            NllUnigram = unigram.MeanNll(heldOutIds),
            NllOracle = oracle,
            GrammaticalRate = grammaticalModel.Average(),
            GrammaticalRateControl = grammaticalControl.Average(),
            SentenceNllModel = sentenceNll,
            SentenceNllUnigram = unigram.SequenceNll(heldOutIds),
            SentenceNllOracle = heldOut.Select((s, i) => -s.LogProb / (heldOutIds[i].Length - 1)).ToList(),
            SampleGrammatical = grammaticalModel,
            Parameters = shape.ParameterCount,
            VocabSize = tokenizer.VocabSize,
            TrainLoss = lossPoints.Select(s => s.Loss).ToList(),
            TrainLossSteps = lossPoints.Select(s => (double)s.Step + 1).ToList(),
            EvalSteps = log.Evaluations.Select(e => (double)e.Step).ToList(),
            HeldOutNll = log.Evaluations.Select(e => e.Values["heldOutNll"]).ToList(),
            Samples = samples,
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("learning-curve", LearningCurve(results)), ("nll", NllBars(results))];

    /// <summary>Held-out NLL during training (one line per seed), against the unigram, control and oracle levels.</summary>
    public static GenericChart LearningCurve(IReadOnlyList<Result> results)
    {
        var first = results[0];
        var xs = new[] { first.EvalSteps[0], first.EvalSteps[^1] };
        var series = new List<Series>();
        for (int i = 1; i < results.Count; i++)
            series.Add(new Series($"held-out, seed #{i + 1}", results[i].EvalSteps, results[i].HeldOutNll, SeriesRole.Seed));
        series.Add(new Series("untrained control", xs, [first.NllControl, first.NllControl], SeriesRole.Control));
        series.Add(new Series("unigram", xs, [first.NllUnigram, first.NllUnigram], SeriesRole.Ablation));
        series.Add(new Series("grammar's entropy (oracle)", xs, [first.NllOracle, first.NllOracle], SeriesRole.Ablation));
        series.Add(new Series("train loss", first.TrainLossSteps, first.TrainLoss, SeriesRole.Ablation));
        series.Add(new Series("held-out NLL", first.EvalSteps, first.HeldOutNll, SeriesRole.Method));
        return Core.Reporting.Figures.Lines("Does training bring the model down to the grammar's entropy?",
            "training step (log scale)", "negative log-likelihood (nats/token)", series, logX: true);
    }

    /// <summary>Held-out NLL per model, mean over seeds with min-max bars.</summary>
    public static GenericChart NllBars(IReadOnlyList<Result> results)
    {
        (string, double, double?, double?, SeriesRole) Bar(string label, Func<Result, double> f, SeriesRole role) =>
            Core.Reporting.Figures.MeanBar(label, results.Select(f).ToList(), role);
        return Core.Reporting.Figures.Bars("Which model predicts held-out sentences best?", "held-out NLL (nats/token)",
        [
            Bar("untrained control", r => r.NllControl, SeriesRole.Control),
            Bar("unigram", r => r.NllUnigram, SeriesRole.Ablation),
            Bar("trained TinyGpt", r => r.NllModel, SeriesRole.Method),
            Bar("oracle (exact)", r => r.NllOracle, SeriesRole.Ablation),
        ]);
    }
}

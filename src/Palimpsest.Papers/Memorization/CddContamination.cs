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
/// most of the score inflation contamination causes. Scaled down: code generation becomes a task with many correct
/// answers (<see cref="EvenPairs"/>: two numbers of a list with an even sum); a TinyGpt learns it from problems with
/// random correct answers, then
/// continues training with benchmark problems and one fixed answer each, at 1–20 occurrences. The control is the same
/// continued training without the benchmark: its samples must stay diverse.
/// </summary>
public sealed class CddContamination : Experiment<CddContamination.Config, CddContamination.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Problems (with random correct answers) the base model learns the task from (protocol: 50k).</summary>
        public int BaseProblems { get; init; } = 50_000;
        /// <summary>Epochs over the base problems.</summary>
        public int BaseEpochs { get; init; } = 2;
        /// <summary>Fresh problems in the continued training of both the contaminated and the clean model.</summary>
        public int ContinuedProblems { get; init; } = 10_000;
        /// <summary>Occurrences of a contaminated problem in the continued training (protocol: 1, 2, 5, 10, 20).</summary>
        public int[] Occurrences { get; init; } = [1, 2, 5, 10, 20];
        /// <summary>Benchmark problems per occurrence level, and also the number of never-seen benchmark problems.</summary>
        public int PerLevel { get; init; } = 40;
        /// <summary>Samples per problem (paper: 50).</summary>
        public int Samples { get; init; } = 50;
        /// <summary>Sampling temperature (paper: 0.8).</summary>
        public double Temperature { get; init; } = 0.8;
        /// <summary>
        /// CDD's α: a sample counts as peaked when its edit distance to the greedy answer is at most α × its length
        /// (paper: 0.05 of up to 100 code tokens; for our 3-token answers this means identical).
        /// </summary>
        public double Alpha { get; init; } = 0.05;
        /// <summary>
        /// TED's τ: samples within this edit distance of the greedy answer are dropped, with duplicates (paper: 2 of
        /// ~100 code tokens; scaled to our 3-token answers, 0: only copies of the greedy answer).
        /// </summary>
        public int Tau { get; init; } = 0;
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Packed sequence length.</summary>
        public int Context { get; init; } = 64;
        /// <summary>Sequences per step.</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Base model's peak learning rate.</summary>
        public double LearningRate { get; init; } = 2e-3;
        /// <summary>Continued training's learning rate.</summary>
        public double ContinuedLearningRate { get; init; } = 1e-3;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: a small base model and three occurrence levels.</summary>
        public static Config Smoke { get; } = Full with
        {
            BaseProblems = 10_000, ContinuedProblems = 1_500, Occurrences = [1, 5, 20], PerLevel = 15, Samples = 20, Width = 64, BatchSize = 16,
        };
    }

    /// <summary>Detection at one occurrence level (seen problems against never-seen ones).</summary>
    /// <param name="Model">"contaminated" or "clean" (the control; it saw none of the benchmark).</param>
    public sealed record Level(string Model, int Occurrences, double CddAuc, double PerplexityAuc, double MinKAuc,
        double GreedyMatchAuc, double Peakedness, double Pass1, double Pass1Ted);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every model at every level (occurrence 0 = the never-seen problems).</summary>
        public required IReadOnlyList<Level> Levels { get; init; }
        /// <summary>Contaminated model: mean CDD AUC over levels with at least 5 occurrences.</summary>
        public required double CddAucHigh { get; init; }
        /// <summary>The same for the white-box perplexity detector.</summary>
        public required double PerplexityAucHigh { get; init; }
        /// <summary>Clean model's CDD AUC on the same problems (the control: nothing to detect).</summary>
        public required double CddAucControl { get; init; }
        /// <summary>Spearman rho of CDD AUC against occurrences (contaminated model).</summary>
        public required double CddMonotonicity { get; init; }
        /// <summary>pass@1 inflation on problems seen at least 5 times: contaminated minus clean model.</summary>
        public required double Inflation { get; init; }
        /// <summary>The same after TED.</summary>
        public required double InflationTed { get; init; }
        /// <summary>Clean model's pass@1 on never-seen problems, before and after TED: |difference|.</summary>
        public required double CleanTedShift { get; init; }
        /// <summary>Clean model's pass@1 on never-seen problems.</summary>
        public required double CleanPass1 { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("cdd-contamination", "memorization",
        "Generalization or Memorization: Data Contamination and Trustworthy Evaluation for Large Language Models", 2024,
        "https://arxiv.org/abs/2402.15938");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        Claim.Control<Result>("beats-control",
            "CDD flags the contaminated model's seen problems far better than the clean model's (the same problems, never seen)",
            r => r.CddAucHigh - r.CddAucControl, Comparison.Greater, 0.2, Budget.Smoke, "AUC"),
        Claim.Finding<Result>("cdd-detects",
            "CDD detects problems seen at least 5 times with AUC ≥ 0.85, black-box",
            r => r.CddAucHigh, Comparison.AtLeast, 0.85, Budget.Full, "AUC"),
        Claim.Finding<Result>("cdd-monotone",
            "CDD's AUC rises with the number of occurrences (Spearman rho over levels ≥ 0.9)",
            r => r.CddMonotonicity, Comparison.AtLeast, 0.9, Budget.Full, "rho"),
        Claim.Finding<Result>("cdd-near-white-box",
            "CDD comes within 0.05 AUC of (or above) the white-box perplexity detector",
            r => r.CddAucHigh - r.PerplexityAucHigh, Comparison.AtLeast, -0.05, Budget.Full, "AUC"),
        Claim.Finding<Result>("ted-cuts-inflation",
            "TED removes at least 30% of the pass@1 inflation from contamination",
            r => r.Inflation > 0 ? 1 - r.InflationTed / r.Inflation : 0, Comparison.AtLeast, 0.3, Budget.Full, "share of inflation"),
        Claim.Finding<Result>("ted-spares-clean",
            "... while moving the clean model's pass@1 by at most 3 points",
            r => r.CleanTedShift, Comparison.AtMost, 0.03, Budget.Full, "pass@1"),
    ];

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var tokenizer = new WordTokenizer(EvenPairs.Vocabulary);
        var data = ctx.Rng("data");
        int[] Doc(EvenPairs.Problem p, string answer) => tokenizer.Encode($"{p.Prompt} {answer}", addBos: true, addEos: true);
        var baseDocs = Enumerable.Range(0, cfg.BaseProblems).Select(_ => EvenPairs.Draw(data)).Select(p => Doc(p, p.RandomAnswer(data))).ToList();
        var continued = Enumerable.Range(0, cfg.ContinuedProblems).Select(_ => EvenPairs.Draw(data)).Select(p => Doc(p, p.RandomAnswer(data))).ToList();
        var levels = cfg.Occurrences.Prepend(0).ToArray();
        var bench = levels.SelectMany(o => Enumerable.Range(0, cfg.PerLevel).Select(_ => (Problem: EvenPairs.Draw(data), Occurrences: o))).ToList();
        var fixedAnswers = bench.Select(b => b.Problem.RandomAnswer(data)).ToList();
        var contamination = bench.SelectMany((b, i) => Enumerable.Repeat(Doc(b.Problem, fixedAnswers[i]), b.Occurrences)).ToList();

        var shape = new TinyGptConfig(tokenizer.VocabSize, cfg.Context, cfg.Layers, cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator("init");
        using var baseModel = new TinyGpt(shape, init).to(ctx.Device);
        Train(baseModel, Enumerable.Range(0, cfg.BaseEpochs).SelectMany(_ => baseDocs).ToList(), cfg.LearningRate, "base", cfg, ctx);
        using var contaminated = baseModel.Copy();
        Train(contaminated, continued.Concat(contamination).ToList(), cfg.ContinuedLearningRate, "contaminated", cfg, ctx);
        using var clean = baseModel.Copy();
        Train(clean, continued, cfg.ContinuedLearningRate, "clean", cfg, ctx);

        var prompts = bench.Select(b => tokenizer.Encode(b.Problem.Prompt, addBos: true, addEos: false)).ToList();
        var references = bench.Select((b, i) => tokenizer.Encode($"{b.Problem.Prompt} {fixedAnswers[i]}", addBos: true, addEos: false)).ToList();
        int stop = tokenizer.Id(".");
        var rows = new List<Level>();
        foreach (var (name, model) in new[] { ("contaminated", contaminated), ("clean", clean) })
        {
            var greedy = LanguageModel.Continue(model, prompts, 4, stopId: stop);
            var sampled = LanguageModel.Continue(model, prompts.SelectMany(p => Enumerable.Repeat(p, cfg.Samples)).ToList(), 4,
                ctx.Rng($"sample-{name}"), cfg.Temperature, stop);
            var logProbs = LanguageModel.TokenLogProbs(model, references);
            var peaked = new double[bench.Count];
            var correct = new double[bench.Count];
            var (tedCorrect, tedKept) = (new int[bench.Count], new int[bench.Count]);
            var ppl = new double[bench.Count];
            var minK = new double[bench.Count];
            var match = new double[bench.Count];
            for (int i = 0; i < bench.Count; i++)
            {
                var samples = sampled.Skip(i * cfg.Samples).Take(cfg.Samples).ToList();
                peaked[i] = samples.Count(s => TextOverlap.EditDistance(s, greedy[i]) <= cfg.Alpha * Math.Max(s.Length, greedy[i].Length)) / (double)cfg.Samples;
                bool Ok(int[] s) => bench[i].Problem.IsCorrect(s.Select(t => tokenizer.Words[t]).ToList());
                correct[i] = samples.Count(Ok) / (double)cfg.Samples;
                var kept = samples.Where(s => TextOverlap.EditDistance(s, greedy[i]) > cfg.Tau).DistinctBy(s => string.Join(',', s)).ToList();
                (tedCorrect[i], tedKept[i]) = (kept.Count(Ok), kept.Count);
                int answerTokens = references[i].Length - prompts[i].Length;
                var answerLp = logProbs[i][^answerTokens..];
                ppl[i] = MembershipScores.Loss(answerLp);
                minK[i] = MembershipScores.MinK(answerLp, 20);
                match[i] = greedy[i].SequenceEqual(references[i][prompts[i].Length..]) ? 1 : 0;
            }
            foreach (int o in levels)
            {
                var seen = Enumerable.Range(0, bench.Count).Where(i => bench[i].Occurrences == o).ToArray();
                var unseen = Enumerable.Range(0, bench.Count).Where(i => bench[i].Occurrences == 0).ToArray();
                var both = seen.Concat(o == 0 ? [] : unseen).ToArray();
                var labels = both.Select(i => bench[i].Occurrences > 0).ToArray();
                double Auc(double[] s) => o == 0 ? 0.5 : Math.Round(Roc.Auc(Bootstrap.Gather(s, both), labels), 5);
                rows.Add(new Level(name, o, Auc(peaked), Auc(ppl), Auc(minK), Auc(match), Math.Round(seen.Average(i => peaked[i]), 5),
                    Math.Round(seen.Average(i => correct[i]), 5),
                    Math.Round(seen.Sum(i => tedCorrect[i]) / (double)Math.Max(1, seen.Sum(i => tedKept[i])), 5)));
            }
        }
        Level Row(string model, int o) => rows.Single(r => r.Model == model && r.Occurrences == o);
        var high = cfg.Occurrences.Where(o => o >= 5).ToArray();
        double MeanOver(string model, Func<Level, double> f) => high.Average(o => f(Row(model, o)));
        return new Result
        {
            Levels = rows,
            CddAucHigh = Math.Round(MeanOver("contaminated", r => r.CddAuc), 5),
            PerplexityAucHigh = Math.Round(MeanOver("contaminated", r => r.PerplexityAuc), 5),
            CddAucControl = Math.Round(MeanOver("clean", r => r.CddAuc), 5),
            CddMonotonicity = Math.Round(Correlation.Spearman(cfg.Occurrences.Select(o => (double)o).ToList(),
                cfg.Occurrences.Select(o => Row("contaminated", o).CddAuc).ToList()).Coefficient, 5),
            Inflation = Math.Round(MeanOver("contaminated", r => r.Pass1) - MeanOver("clean", r => r.Pass1), 5),
            InflationTed = Math.Round(MeanOver("contaminated", r => r.Pass1Ted) - MeanOver("clean", r => r.Pass1Ted), 5),
            CleanTedShift = Math.Round(Math.Abs(Row("clean", 0).Pass1Ted - Row("clean", 0).Pass1), 5),
            CleanPass1 = Row("clean", 0).Pass1,
        };
    }

    /// <summary>
    /// Supervised training on (prompt, answer) documents, one per sequence, with the loss on the answer only (as code
    /// models are fine-tuned on solutions). In pilots with the language-model loss on whole packed documents, the
    /// 2-layer model never learned to pick numbers from the prompt (pass@1 ≈ 5%): the prompt's random numbers dominate
    /// the loss.
    /// </summary>
    private static void Train(TinyGpt model, List<int[]> docs, double lr, string stage, Config cfg, RunContext ctx)
    {
        var sequences = docs.ToList();
        ctx.Rng($"pack-{stage}").Shuffle(sequences);
        int answerStart = 1 + 1 + EvenPairs.Size + 2;                    // <bos> numbers n1..n8 answer :
        Trainer.Fit(model, sequences, TrainOptions.OneEpoch(sequences.Count, cfg.BatchSize, lr, inOrder: true) with
        {
            LossFrom = sequences.Select(_ => answerStart).ToList(), Stage = stage,
        }, ctx);
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("auc-by-occurrences", AucByOccurrences(results)), ("pass1", Pass1(results))];

    /// <summary>Detection AUC of each detector against occurrences (mean over seeds).</summary>
    public static GenericChart AucByOccurrences(IReadOnlyList<Result> results)
    {
        var occ = results[0].Levels.Where(l => l.Occurrences > 0).Select(l => l.Occurrences).Distinct().Order().ToList();
        Series Line(string name, string model, Func<Level, double> f, SeriesRole role) => new(name, occ.Select(o => (double)o).ToList(),
            occ.Select(o => results.Average(r => f(r.Levels.Single(l => l.Model == model && l.Occurrences == o)))).ToList(), role);
        return Core.Reporting.Figures.Lines("Does black-box CDD find contaminated problems as well as white-box perplexity?",
            "occurrences in training (log scale)", "detection AUC (seen vs never seen)",
        [
            Line("CDD, clean model (control)", "clean", l => l.CddAuc, SeriesRole.Control),
            Line("perplexity (white-box)", "contaminated", l => l.PerplexityAuc, SeriesRole.Ablation),
            Line("Min-20% (white-box)", "contaminated", l => l.MinKAuc, SeriesRole.Ablation),
            Line("greedy exact match", "contaminated", l => l.GreedyMatchAuc, SeriesRole.Ablation),
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

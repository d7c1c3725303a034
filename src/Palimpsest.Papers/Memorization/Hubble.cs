using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Membership;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;
using TorchSharp;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Wei, Godbole, Khan, Wang, Zhu, Flemings, Kashyap, Gummadi, Neiswanger and Jia 2025, "Hubble: a Model Suite to
/// Advance the Study of LLM Memorization", arXiv:2510.19811 (official code: https://github.com/allegro-lab/hubble).
/// Claim: memorization of inserted text grows with its number of duplicates; the same duplicates are memorized less
/// in a larger corpus (dilution) and more by a larger model; text seen only early in training is largely forgotten,
/// while late insertions stay memorized. Scaled down: DCLM becomes slot-template articles, Hubble's perturbations
/// become passages of 48 random slot words and biographies inserted 0, 1, 4, 16 or 64 times, and the 1B/8B models on 100B/500B tokens become
/// TinyGpts of two widths on T and 4T tokens. Duplicates 0 are the control: held out, never seen.
/// </summary>
public sealed class Hubble : Experiment<Hubble.Config, Hubble.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Background articles of corpus T (about 0.8M tokens); run B trains on four times as many.</summary>
        public int BackgroundArticles { get; init; } = 16_000;
        /// <summary>Words per background article (fits the context with its end token).</summary>
        public int ArticleWords { get; init; } = 48;
        /// <summary>Duplicate levels (Hubble: 0, 1, 4, 16, 64, 256).</summary>
        public int[] Duplicates { get; init; } = [0, 1, 4, 16, 64];
        /// <summary>Passages and biographies per duplicate level.</summary>
        public int PerLevel { get; init; } = 20;
        /// <summary>Passage prefix given to the model, in words (protocol: 16).</summary>
        public int PrefixWords { get; init; } = 16;
        /// <summary>Passage suffix the model must reproduce, in words.</summary>
        public int SuffixWords { get; init; } = 32;
        /// <summary>Residual width of the standard model (runs A, B, D, E).</summary>
        public int Width { get; init; } = 64;
        /// <summary>Residual width of the larger model (run C).</summary>
        public int LargeWidth { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Packed sequence length.</summary>
        public int Context { get; init; } = 64;
        /// <summary>Sequences per step; one epoch over the stream.</summary>
        public int BatchSize { get; init; } = 16;
        /// <summary>Peak learning rate; cosine decay to a tenth (the schedule drives the timing effect).</summary>
        public double LearningRate { get; init; } = 2e-3;
        /// <summary>Runs D and E insert only inside the first or the last this share of training.</summary>
        public double TimingWindow { get; init; } = 0.25;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: a tiny corpus and three duplicate levels.</summary>
        public static Config Smoke { get; } = Full with
        {
            BackgroundArticles = 1_300, Duplicates = [0, 4, 16], PerLevel = 10, LargeWidth = 96, BatchSize = 8,
        };
    }

    /// <summary>What one training run memorized at one duplicate level (means over the level's items).</summary>
    /// <param name="Run">A (standard), B (4× corpus), C (larger model), D (inserted early), E (inserted late).</param>
    public sealed record Level(string Run, int Duplicates, double SuffixLoss, double ExactMatch, double SuffixTokenAccuracy, double PiiAccuracy);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every run at every duplicate level.</summary>
        public required IReadOnlyList<Level> Levels { get; init; }
        /// <summary>Run A: Spearman rho of duplicates against memorization (minus suffix loss), over passages.</summary>
        public required double DoseRho { get; init; }
        /// <summary>Its one-sided log10 p (rho &gt; 0).</summary>
        public required double DoseLog10P { get; init; }
        /// <summary>Dilution: one-sided Wilcoxon log10 p that B's suffix loss exceeds A's (passages at ≥ 16 duplicates).</summary>
        public required double DilutionLog10P { get; init; }
        /// <summary>Mean suffix loss of B minus A on those passages (nats/token).</summary>
        public required double DilutionGap { get; init; }
        /// <summary>Timing: one-sided Wilcoxon log10 p that D's (early) suffix loss exceeds E's (late), passages seen at least once.</summary>
        public required double TimingLog10P { get; init; }
        /// <summary>Exact-match rate of E minus D on those passages.</summary>
        public required double TimingExactGap { get; init; }
        /// <summary>Size: mean suffix loss of A minus C at 4 and 16 duplicates (≥ 0: the larger model memorizes as much or more).</summary>
        public required double SizeGap { get; init; }
        /// <summary>Control: run A's mean suffix loss on held-out passages minus that at the most duplicates.</summary>
        public required double HeldOutMinusMostDuplicated { get; init; }
        /// <summary>Run A: loss-attack AUC of passages seen once against held-out passages.</summary>
        public required double MiaAucOnce { get; init; }
        /// <summary>Tokens in corpus T (run A's stream without insertions).</summary>
        public required long CorpusTokens { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("hubble", "memorization",
        "Hubble: a Model Suite to Advance the Study of LLM Memorization", 2025, "https://arxiv.org/abs/2510.19811");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        Claim.Control<Result>("beats-held-out",
            "Inserted text is memorized: the most duplicated passages' suffix loss is far below that of held-out passages",
            r => r.HeldOutMinusMostDuplicated, Comparison.Greater, 0.25, Budget.Smoke, "nats/token"),
        Claim.Finding<Result>("grows-with-duplicates",
            "Memorization grows with the number of duplicates (Spearman, one-sided p < 1e-4)",
            r => r.DoseLog10P, Comparison.Less, -4, Budget.Full, "log10 p"),
        Claim.Finding<Result>("diluted-by-larger-corpus",
            "The same duplicates are memorized less in a 4× larger corpus (paired Wilcoxon p < 0.01 at ≥ 16 duplicates)",
            r => r.DilutionLog10P, Comparison.Less, -2, Budget.Full, "log10 p"),
        Claim.Finding<Result>("late-beats-early",
            "Text inserted only in the last quarter is memorized more than text inserted only in the first (Wilcoxon p < 0.01)",
            r => r.TimingLog10P, Comparison.Less, -2, Budget.Full, "log10 p"),
        Claim.Finding<Result>("larger-model-memorizes-more",
            "The larger model memorizes at least as much at 4 and 16 duplicates (suffix loss of A minus C)",
            r => r.SizeGap, Comparison.AtLeast, 0, Budget.Full, "nats/token"),
    ];

    private const string Runs = "ABCDE";

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        if (!cfg.Duplicates.Contains(0)) throw new ArgumentException($"Duplicates must include 0 (the held-out control); got {string.Join(",", cfg.Duplicates)}");
        var corpus = new SlotCorpus();
        var tokenizer = new WordTokenizer(corpus.Vocabulary.Concat(Biography.Words));
        var data = ctx.Rng("data");
        int[] Doc(string text) => tokenizer.Encode(text, addBos: false, addEos: true);
        var background = Enumerable.Range(0, 4 * cfg.BackgroundArticles).Select(_ => Doc(corpus.Article(data, cfg.ArticleWords))).ToList();
        var names = corpus.Slots["name"].ToArray();
        data.Shuffle(names);
        var passages = new List<(string Text, int Duplicates)>();
        var bios = new List<(Biography Bio, int Duplicates)>();
        foreach (int d in cfg.Duplicates)
            for (int i = 0; i < cfg.PerLevel; i++)
            {
                passages.Add((corpus.RandomSlots(data, cfg.PrefixWords + cfg.SuffixWords), d));
                bios.Add((Biography.Draw(names[bios.Count], corpus, data), d));
            }
        var inserts = passages.Select(p => new Insert(Doc(p.Text), p.Duplicates))
            .Concat(bios.Select(b => new Insert(Doc(b.Bio.Text), b.Duplicates))).ToList();

        var passageIds = passages.Select(p => tokenizer.Encode(p.Text, addBos: true, addEos: false)).ToList();
        var prefixes = passageIds.Select(p => p[..(1 + cfg.PrefixWords)]).ToList();
        var piiPrompts = bios.SelectMany(b => b.Bio.Fields.Select(f => (Prompt: tokenizer.Encode(f.Prompt, true, false), Answer: tokenizer.Id(f.Answer)))).ToList();
        var levels = new List<Level>();
        var suffixLoss = new Dictionary<char, double[]>();
        var exact = new Dictionary<char, bool[]>();
        double miaAuc = double.NaN;
        foreach (char run in Runs)
        {
            var stream = run switch
            {
                'B' => Insertion.Interleave(background, inserts, ctx.Rng($"insert-{run}")),
                'D' => Insertion.Interleave(background[..cfg.BackgroundArticles], inserts, ctx.Rng($"insert-{run}"), 0, cfg.TimingWindow),
                'E' => Insertion.Interleave(background[..cfg.BackgroundArticles], inserts, ctx.Rng($"insert-{run}"), 1 - cfg.TimingWindow, 1),
                _ => Insertion.Interleave(background[..cfg.BackgroundArticles], inserts, ctx.Rng("insert-A")),
            };
            var sequences = Packing.PackInOrder(stream, cfg.Context, WordTokenizer.Bos);
            var shape = new TinyGptConfig(tokenizer.VocabSize, cfg.Context, cfg.Layers, run == 'C' ? cfg.LargeWidth : cfg.Width, cfg.Heads);
            using var init = ctx.TorchGenerator(run == 'C' ? "init-large" : "init");
            using var model = new TinyGpt(shape, init).to(ctx.Device);
            Trainer.Fit(model, sequences,
                TrainOptions.OneEpoch(sequences.Count, cfg.BatchSize, cfg.LearningRate, inOrder: true) with { Stage = $"run {run}" }, ctx);

            var logProbs = LanguageModel.TokenLogProbs(model, passageIds);
            var loss = logProbs.Select(lp => -lp[^cfg.SuffixWords..].Average(v => (double)v)).ToArray();
            var greedy = LanguageModel.Continue(model, prefixes, cfg.SuffixWords);
            var suffixes = passageIds.Select(p => p[(1 + cfg.PrefixWords)..]).ToList();
            var hits = greedy.Select((g, i) => g.SequenceEqual(suffixes[i])).ToArray();
            var tokenAcc = greedy.Select((g, i) => g.Zip(suffixes[i]).Count(z => z.First == z.Second) / (double)cfg.SuffixWords).ToArray();
            var piiHits = MostLikelyNext(model, piiPrompts.Select(p => p.Prompt).ToList()).Select((t, i) => t == piiPrompts[i].Answer).ToArray();
            int fields = piiHits.Length / bios.Count;
            foreach (int d in cfg.Duplicates)
            {
                var rows = Enumerable.Range(0, passages.Count).Where(i => passages[i].Duplicates == d).ToList();
                var bioRows = Enumerable.Range(0, bios.Count).Where(i => bios[i].Duplicates == d).SelectMany(i => Enumerable.Range(i * fields, fields)).ToList();
                levels.Add(new Level(run.ToString(), d, Math.Round(rows.Average(i => loss[i]), 5), Math.Round(rows.Average(i => hits[i] ? 1.0 : 0.0), 5),
                    Math.Round(rows.Average(i => tokenAcc[i]), 5), Math.Round(bioRows.Average(i => piiHits[i] ? 1.0 : 0.0), 5)));
            }
            suffixLoss[run] = loss;
            exact[run] = hits;
            if (run == 'A' && cfg.Duplicates.Contains(1))
            {
                var rows = Enumerable.Range(0, passages.Count).Where(i => passages[i].Duplicates <= 1).ToArray();
                miaAuc = Roc.Auc(rows.Select(i => (double)MembershipScores.Loss(logProbs[i])).ToList(), rows.Select(i => passages[i].Duplicates == 1).ToList());
            }
        }

        int maxD = cfg.Duplicates.Max();
        var dup = passages.Select(p => (double)p.Duplicates).ToList();
        var dose = Correlation.Spearman(dup, suffixLoss['A'].Select(l => -l).ToList(), Alternative.Greater);
        int[] Where(Func<int, bool> keep) => Enumerable.Range(0, passages.Count).Where(i => keep(passages[i].Duplicates)).ToArray();
        var high = Where(d => d >= 16);
        var seen = Where(d => d > 0);
        var mid = Where(d => d is 4 or 16);
        double Mean(char run, int[] rows) => rows.Average(i => suffixLoss[run][i]);
        return new Result
        {
            Levels = levels,
            DoseRho = Math.Round(dose.Coefficient, 5),
            DoseLog10P = Math.Round(PValue.Log10(dose.PValue), 4),
            DilutionLog10P = Math.Round(PValue.Log10(Wilcoxon.SignedRank(Bootstrap.Gather(suffixLoss['B'], high), Bootstrap.Gather(suffixLoss['A'], high), Alternative.Greater).PValue), 4),
            DilutionGap = Math.Round(Mean('B', high) - Mean('A', high), 5),
            TimingLog10P = Math.Round(PValue.Log10(Wilcoxon.SignedRank(Bootstrap.Gather(suffixLoss['D'], seen), Bootstrap.Gather(suffixLoss['E'], seen), Alternative.Greater).PValue), 4),
            TimingExactGap = Math.Round(seen.Average(i => (exact['E'][i] ? 1.0 : 0) - (exact['D'][i] ? 1.0 : 0)), 5),
            SizeGap = Math.Round(Mean('A', mid) - Mean('C', mid), 5),
            HeldOutMinusMostDuplicated = Math.Round(Mean('A', Where(d => d == 0)) - Mean('A', Where(d => d == maxD)), 5),
            MiaAucOnce = Math.Round(miaAuc, 5),
            CorpusTokens = background[..cfg.BackgroundArticles].Sum(d => (long)d.Length),
        };
    }

    /// <summary>The model's most likely next token after each prompt (greedy, one token).</summary>
    private static int[] MostLikelyNext(TinyGpt model, IReadOnlyList<int[]> prompts) =>
        LanguageModel.Continue(model, prompts, 1).Select(c => c[0]).ToArray();

    /// <summary>A fictitious person's biography with four PII fields, each asked by the prefix that precedes it.</summary>
    public sealed record Biography(string Text, IReadOnlyList<(string Prompt, string Answer)> Fields)
    {
        /// <summary>The biography's frame words.</summary>
        public static IReadOnlyList<string> Words { get; } = "was born in . works as a the number of is and lives in".Split(' ');

        /// <summary>Draws the four fields (birthplace, trade, number, home) for <paramref name="name"/>.</summary>
        public static Biography Draw(string name, SlotCorpus corpus, Rng rng)
        {
            string born = rng.Pick(corpus.Slots["place"]), trade = rng.Pick(corpus.Slots["trade"]);
            string number = rng.Pick(corpus.Slots["number"]), home = rng.Pick(corpus.Slots["place"]);
            string p1 = $"{name} was born in", p2 = $"{p1} {born} . {name} works as a", p3 = $"{p2} {trade} . the number of {name} is",
                p4 = $"{p3} {number} and {name} lives in";
            return new Biography($"{p4} {home} .", [(p1, born), (p2, trade), (p3, number), (p4, home)]);
        }
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
        [("suffix-loss", ByDuplicates(results, "Does memorization grow with duplicates, and what dilutes or erases it?",
            "suffix loss given a 16-word prefix (nats/token)", l => l.SuffixLoss)),
         ("exact-match", ByDuplicates(results, "How often is the whole suffix reproduced verbatim?", "exact suffix match (share)", l => l.ExactMatch)),
         ("pii", ByDuplicates(results, "Can a person's fields be recovered from the name?", "PII field accuracy (share)", l => l.PiiAccuracy))];

    private static readonly Dictionary<string, string> RunNames = new()
    {
        ["A"] = "A: standard", ["B"] = "B: 4× corpus", ["C"] = "C: larger model", ["D"] = "D: inserted early", ["E"] = "E: inserted late",
    };

    /// <summary>A metric against duplicates (log scale, 0 drawn at 0.5) per run, mean over seeds.</summary>
    public static GenericChart ByDuplicates(IReadOnlyList<Result> results, string title, string yTitle, Func<Level, double> metric)
    {
        var dups = results[0].Levels.Select(l => l.Duplicates).Distinct().Order().ToList();
        var x = dups.Select(d => d == 0 ? 0.5 : d).ToList();
        var series = RunNames.Select(kv => new Series(kv.Value, x, dups.Select(d => results.Average(r =>
            metric(r.Levels.Single(l => l.Run == kv.Key && l.Duplicates == d)))).ToList(),
            kv.Key == "A" ? SeriesRole.Method : SeriesRole.Ablation)).ToList();
        return Core.Reporting.Figures.Lines(title, "duplicates in training (log scale; 0.5 = held out)", yTitle, series, logX: true);
    }
}

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
/// become passages of random slot words and biographies inserted a known number of times (0 = held out), and the 1B/8B
/// models on 100B/500B tokens become TinyGpts of two widths on T and 4T tokens.
/// Claims: the findings are the dose response, dilution, timing (suffix loss and exact match) and model size, each
/// comparison paired passage by passage; each comparison between two trainings has a control that could win, the
/// same comparison on held-out passages (two trainings also differ in how they predict random slot words they never
/// saw, and a finding must exceed that); the preconditions are that training learnt the background, that the most
/// duplicated passages were memorised, and (for dilution) that the background was still being learnt at the end.
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
        /// <summary>
        /// Held-out background articles on which every training's background loss is measured, before training and at
        /// every tenth of it (not in the protocol: it shows whether the background is still being learnt). They come from
        /// their own seed stream, so the training data are the same with or without them.
        /// </summary>
        public int HeldOutArticles { get; init; } = 200;

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

    /// <summary>One training's measurements of every passage, in the order of <see cref="Result.PassageDuplicates"/>.</summary>
    /// <param name="Run">A, B, C, D or E.</param>
    /// <param name="SuffixLoss">Loss on the suffix given the prefix (nats/token).</param>
    /// <param name="ExactMatch">1 when the greedy continuation of the prefix is the whole suffix, else 0.</param>
    public sealed record PassageScores(string Run, IReadOnlyList<double> SuffixLoss, IReadOnlyList<double> ExactMatch);

    /// <summary>One training's loss on held-out background articles, before training (step 0) and at every tenth of it.</summary>
    /// <param name="Run">A, B, C, D or E.</param>
    /// <param name="Steps">Optimizer steps done; the last is the end of training.</param>
    /// <param name="Nll">Mean loss on the held-out background articles (nats/token).</param>
    public sealed record BackgroundCurve(string Run, IReadOnlyList<double> Steps, IReadOnlyList<double> Nll);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>Every run at every duplicate level.</summary>
        public required IReadOnlyList<Level> Levels { get; init; }
        /// <summary>Per passage: how many times it was inserted (0 = held out).</summary>
        public required IReadOnlyList<int> PassageDuplicates { get; init; }
        /// <summary>Per training (A to E): every passage's suffix loss and exact match.</summary>
        public required IReadOnlyList<PassageScores> Passages { get; init; }
        /// <summary>Per training (A to E): the held-out background loss during training.</summary>
        public required IReadOnlyList<BackgroundCurve> Background { get; init; }
        /// <summary>Run A: Spearman rho of duplicates against memorization (minus suffix loss), over passages.</summary>
        public required double DoseRho { get; init; }
        /// <summary>Its one-sided log10 p (rho &gt; 0).</summary>
        public required double DoseLog10P { get; init; }
        /// <summary>Dilution, the protocol's test: one-sided Wilcoxon log10 p that B's suffix loss exceeds A's (passages at ≥ 16 duplicates).</summary>
        public required double DilutionLog10P { get; init; }
        /// <summary>Mean suffix loss of B minus A on those passages (nats/token).</summary>
        public required double DilutionGap { get; init; }
        /// <summary>Timing, the protocol's test: one-sided Wilcoxon log10 p that D's (early) suffix loss exceeds E's (late), passages seen at least once.</summary>
        public required double TimingLog10P { get; init; }
        /// <summary>Exact-match rate of E minus D on those passages.</summary>
        public required double TimingExactGap { get; init; }
        /// <summary>Size: mean suffix loss of A minus C at 4 and 16 duplicates (≥ 0: the larger model memorizes as much or more).</summary>
        public required double SizeGap { get; init; }
        /// <summary>Run A's mean suffix loss on held-out passages minus that at the most duplicates.</summary>
        public required double HeldOutMinusMostDuplicated { get; init; }
        /// <summary>Run A: exact-match rate of the passages at the most duplicates.</summary>
        public required double TopDoseExactMatch { get; init; }
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
        // Threshold: the tutorial's "training happened" level; an untrained model sits near the log of the vocabulary.
        Claim.Precondition<Result>("learns-background",
            "Training learnt the background: run A's loss on held-out background articles falls well below its untrained loss",
            r => Curve(r, "A").Nll[0] - Curve(r, "A").Nll[^1], Comparison.Greater, 1.0, Budget.Smoke, "nats/token"),
        // Threshold: the default for "facts memorised" (accuracy 0.8); the top dose is where Hubble's models reproduce
        // inserted text verbatim, and without it there is nothing for dilution, timing or size to act on.
        Claim.Precondition<Result>("memorized-at-top-dose",
            "Run A reproduces the most duplicated passages' suffixes verbatim from their prefixes",
            r => r.TopDoseExactMatch, Comparison.AtLeast, 0.8, Budget.Full, "exact-match rate"),
        // Threshold: issue 14 ("the background loss is still falling in the last 10% of training"): a larger corpus
        // can dilute memorization only while its background still competes for the model's capacity.
        Claim.Precondition<Result>("background-still-learnt",
            "The background is still being learnt at the end of run B: its held-out background loss falls over the last tenth of training",
            r => LastTenthDrop(Curve(r, "B")), Comparison.Greater, 0, Budget.Full, "nats/token"),
        Claim.Finding<Result>("grows-with-duplicates",
            "Memorization grows with the number of duplicates (run A, one-sided Spearman test over passages)",
            r => r.DoseLog10P, Comparison.Less, -4, Budget.Full, "log10 p", dependsOn: ["learns-background"]),
        Claim.Finding<Result>("diluted-by-larger-corpus",
            "The same duplicates are memorized less in a 4× larger corpus: suffix loss of B minus A, passage by passage (≥ 16 duplicates)",
            r => Evidence.Paired(Loss(r, "B", High), Loss(r, "A", High)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose", "background-still-learnt"]),
        Claim.Control<Result>("dilution-beyond-held-out",
            "Dilution exceeds how differently B and A predict held-out passages (B minus A, inserted minus held-out passages)",
            r => Evidence.Difference(Gap(r, "B", "A", High), Gap(r, "B", "A", HeldOut)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose", "background-still-learnt"]),
        Claim.Finding<Result>("late-beats-early",
            "Text inserted only late is memorized more than text inserted only early: suffix loss of D minus E, passage by passage (seen at least once)",
            r => Evidence.Paired(Loss(r, "D", Seen), Loss(r, "E", Seen)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose"]),
        Claim.Finding<Result>("late-beats-early-exact",
            "Text inserted only late is reproduced verbatim more often than text inserted only early: exact match of E minus D (seen at least once)",
            r => Evidence.Paired(Exact(r, "E", Seen), Exact(r, "D", Seen)), Comparison.Greater, 0, Budget.Full,
            "exact match (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose"]),
        Claim.Control<Result>("timing-beyond-held-out",
            "The late-over-early advantage exceeds how differently D and E predict held-out passages (D minus E, inserted minus held-out)",
            r => Evidence.Difference(Gap(r, "D", "E", Seen), Gap(r, "D", "E", HeldOut)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose"]),
        Claim.Finding<Result>("larger-model-memorizes-more",
            "The larger model memorizes more: suffix loss of A minus C, passage by passage (4 and 16 duplicates)",
            r => Evidence.Paired(Loss(r, "A", Mid), Loss(r, "C", Mid)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose"]),
        Claim.Control<Result>("size-beyond-held-out",
            "The larger model's advantage exceeds how differently A and C predict held-out passages (A minus C, inserted minus held-out)",
            r => Evidence.Difference(Gap(r, "A", "C", Mid), Gap(r, "A", "C", HeldOut)), Comparison.Greater, 0, Budget.Full,
            "nats/token (per passage)", dependsOn: ["learns-background", "memorized-at-top-dose"]),
    ];

    // Passage groups of the claims, by number of duplicates (the protocol's: ≥ 16 for dilution, 4 and 16 for size).
    private static bool HeldOut(int duplicates) => duplicates == 0;
    private static bool Seen(int duplicates) => duplicates > 0;
    private static bool High(int duplicates) => duplicates >= 16;
    private static bool Mid(int duplicates) => duplicates is 4 or 16;

    private static BackgroundCurve Curve(Result r, string run) => r.Background.Single(c => c.Run == run);

    /// <summary>The held-out background loss at the last evaluation within the first 90% of training minus the final one.</summary>
    private static double LastTenthDrop(BackgroundCurve c)
    {
        int at90 = Enumerable.Range(0, c.Steps.Count).Last(i => c.Steps[i] <= 0.9 * c.Steps[^1]);
        return c.Nll[at90] - c.Nll[^1];
    }

    /// <summary>The values of the passages whose number of duplicates is in the group.</summary>
    private static double[] InGroup(Result r, IReadOnlyList<double> values, Func<int, bool> group) =>
        Enumerable.Range(0, values.Count).Where(i => group(r.PassageDuplicates[i])).Select(i => values[i]).ToArray();

    private static double[] Loss(Result r, string run, Func<int, bool> group) =>
        InGroup(r, r.Passages.Single(p => p.Run == run).SuffixLoss, group);

    private static double[] Exact(Result r, string run, Func<int, bool> group) =>
        InGroup(r, r.Passages.Single(p => p.Run == run).ExactMatch, group);

    /// <summary>Per passage of the group: suffix loss of one training minus another's.</summary>
    private static double[] Gap(Result r, string run, string minus, Func<int, bool> group) =>
        Loss(r, run, group).Zip(Loss(r, minus, group), (a, b) => a - b).ToArray();

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
        var heldOutRng = ctx.Rng("held-out-background"); // its own stream: the training data do not depend on it
        var heldOutBackground = Enumerable.Range(0, cfg.HeldOutArticles)
            .Select(_ => tokenizer.Encode(corpus.Article(heldOutRng, cfg.ArticleWords), addBos: true, addEos: true)).ToList();
        var levels = new List<Level>();
        var curves = new List<BackgroundCurve>();
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
            var options = TrainOptions.OneEpoch(sequences.Count, cfg.BatchSize, cfg.LearningRate, inOrder: true) with { Stage = $"run {run}" };
            options = options with { EvalEvery = Math.Max(1, options.Steps / 10) };
            double untrained = LanguageModel.MeanNll(model, heldOutBackground);
            var log = Trainer.Fit(model, sequences, options, ctx,
                _ => new Dictionary<string, double> { ["background"] = LanguageModel.MeanNll(model, heldOutBackground) });
            curves.Add(new BackgroundCurve(run.ToString(), log.Evaluations.Select(e => (double)e.Step).Prepend(0).ToList(),
                log.Evaluations.Select(e => e.Values["background"]).Prepend(untrained).ToList()));

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
                levels.Add(new Level(run.ToString(), d, rows.Average(i => loss[i]), rows.Average(i => hits[i] ? 1.0 : 0.0),
                    rows.Average(i => tokenAcc[i]), bioRows.Average(i => piiHits[i] ? 1.0 : 0.0)));
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
            PassageDuplicates = passages.Select(p => p.Duplicates).ToList(),
            Passages = Runs.Select(run => new PassageScores(run.ToString(), suffixLoss[run],
                exact[run].Select(hit => hit ? 1.0 : 0.0).ToList())).ToList(),
            Background = curves,
            DoseRho = dose.Coefficient,
            DoseLog10P = PValue.Log10(dose.PValue),
            DilutionLog10P = PValue.Log10(Wilcoxon.SignedRank(Bootstrap.Gather(suffixLoss['B'], high), Bootstrap.Gather(suffixLoss['A'], high), Alternative.Greater).PValue),
            DilutionGap = Mean('B', high) - Mean('A', high),
            TimingLog10P = PValue.Log10(Wilcoxon.SignedRank(Bootstrap.Gather(suffixLoss['D'], seen), Bootstrap.Gather(suffixLoss['E'], seen), Alternative.Greater).PValue),
            TimingExactGap = seen.Average(i => (exact['E'][i] ? 1.0 : 0) - (exact['D'][i] ? 1.0 : 0)),
            SizeGap = Mean('A', mid) - Mean('C', mid),
            HeldOutMinusMostDuplicated = Mean('A', Where(d => d == 0)) - Mean('A', Where(d => d == maxD)),
            TopDoseExactMatch = Where(d => d == maxD).Average(i => exact['A'][i] ? 1.0 : 0.0),
            MiaAucOnce = miaAuc,
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
         ("pii", ByDuplicates(results, "Can a person's fields be recovered from the name?", "PII field accuracy (share)", l => l.PiiAccuracy)),
         ("background", BackgroundFigure(results[0]))];

    private static readonly Dictionary<string, string> RunNames = new()
    {
        ["A"] = "A: standard", ["B"] = "B: 4× corpus", ["C"] = "C: larger model", ["D"] = "D: inserted early", ["E"] = "E: inserted late",
    };

    /// <summary>Each training's loss on held-out background articles against the share of its training done (first seed).</summary>
    public static GenericChart BackgroundFigure(Result r) =>
        Core.Reporting.Figures.Lines("Is the background still being learnt when training ends?",
            "share of training done", "held-out background loss (nats/token)",
            r.Background.Select(c => new Series(RunNames[c.Run], c.Steps.Select(s => s / c.Steps[^1]).ToList(), c.Nll,
                c.Run == "A" ? SeriesRole.Method : SeriesRole.Ablation)));

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

using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Unlearning;
using Plotly.NET;
using static System.FormattableString;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// Hong, Yu, Yang, Ravfogel and Geva 2024, "Intrinsic Evaluation of Unlearning Using Parametric Knowledge Traces",
/// arXiv:2406.11614 (official code: https://github.com/yihuaihong/ConceptVectors). Claim: a concept's knowledge can sit
/// in one MLP value vector (a "concept vector": its vocabulary projection names the concept, and damaging it removes
/// the concept's knowledge and nothing else); gradient-based unlearning (GA, GD, NPO, NPO-KL, DPO) makes the model stop
/// answering while barely changing that vector (cosine and top-token overlap stay high), whereas Needle — changing only
/// the vector — removes the knowledge and leaves less to recover by adversarial means. Scaled down: LLaMA-2 and
/// Wikipedia concepts become a 2-layer TinyGpt that memorises <see cref="ConceptWorld"/> (FictitiousKb people with ten
/// facts each, eight of them answered by words no other concept uses); jailbreaks become a relearning attack (fine-tune
/// on 3 of the 10 facts, measure the other 7) and an unseen question template. The toy still tests the claim because
/// locating, the unlearning methods and the parametric metrics are the paper's; if the tiny model stores concepts
/// diffusely, too few concepts pass the causal test, and that is the finding. Issue 15 redesign of the causal test: the
/// paper's Gaussian noise moved no answer at all here (isotropic noise keeps the vector's push on the answer tokens,
/// and top-1 accuracy of facts memorised with large margins cannot register a partial loss). The test now ablates the
/// located vector together with its top co-promoting vectors (mean ablation by default), measures the drop in the
/// answers' log-probability on the concept's facts and on every other concept's, and compares with as many random
/// vectors of the same blocks (the control). Every method is judged at a stopping rule fixed before the run (the first
/// epoch at which the concept's QA is at or below the forgetting level, else its budget), and reports its
/// forget-vs-retain curve over epochs. Claim kinds: what the findings assume is stated as preconditions (the model
/// knows its facts; candidates exist; the located vectors of at least ten concepts are causal; gradient runs reach the
/// forgetting level; Needle, GA and NPO ran on enough concepts), and each finding depends on the ones it needs, so that
/// a toy without concept vectors leaves the unlearning findings UNTESTED. Needle's levels and its relearning gaps are
/// judged on intervals over concepts.
/// </summary>
public sealed class ConceptVectors : Experiment<ConceptVectors.Config, ConceptVectors.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>Concepts (paper: hundreds, on LLaMA-2-7B-chat and OLMo-7B; protocol: 60).</summary>
        public int Concepts { get; init; } = 60;
        /// <summary>Question templates trained per fact, of 4 (the last is never trained: the unseen-template probe).</summary>
        public int TrainTemplates { get; init; } = 3;
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks (protocol: 2–4; the fewer, the more a concept must sit in few vectors).</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>
        /// Training epochs over every statement and question (issue 15 pilots: 60 left the model knowing 0.44 of its facts
        /// on one pilot seed, 90 left another at 0.04; 120 passed the knowledge precondition on each pilot seed).
        /// </summary>
        public int Epochs { get; init; } = 120;
        /// <summary>Training batch size.</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Peak training learning rate (cosine decay).</summary>
        public double LearningRate { get; init; } = 3e-3;
        /// <summary>Tokens of a value vector's projection compared with the concept's (paper: top 200 of 32k; our vocabulary is ~600).</summary>
        public int TopK { get; init; } = 20;
        /// <summary>Own answers (of 8) a vector's top-k must hold to be a candidate (paper: candidates also vetted for relevance; chance here is ~0.3).</summary>
        public int MinOverlap { get; init; } = 3;
        /// <summary>
        /// Vectors ablated with the located one: those that promote the concept's own answers most, ranked as <see
        /// cref="CoPromotedBy"/> says (paper: the one vector; a small model may spread a concept over a few, and ablating
        /// one of them leaves the others to answer). 0 is the paper's single vector. Issue 15 pilot: four
        /// projection-ranked vectors moved the answers by about 1e-5 nats; nine attribution-ranked ones were the
        /// strongest set tried.
        /// </summary>
        public int CoPromoters { get; init; } = 9;
        /// <summary>
        /// How co-promoters are ranked: by their vocabulary projection onto the concept's answers (the paper's view of
        /// a value vector), or by the attributed effect of ablating them on the concept's answers against the others'
        /// (the registered choice: projection-ranked sets moved nothing in the pilots).
        /// </summary>
        public CoPromotion CoPromotedBy { get; init; } = CoPromotion.Attribution;
        /// <summary>
        /// How the causal test removes the vectors (paper: Gaussian noise, which moved no answer in this toy; mean
        /// ablation keeps each vector's average output).
        /// </summary>
        public AblationKind Ablation { get; init; } = AblationKind.Mean;
        /// <summary>
        /// Causal test: the concept's QA points the ablation must cost (protocol: 30), each counted at <see
        /// cref="NatsPerPoint"/>.
        /// </summary>
        public double MinConceptDrop { get; init; } = 30;
        /// <summary>
        /// Causal test: the other concepts' QA points it may cost at most (protocol: 5), each counted at <see
        /// cref="NatsPerPoint"/>.
        /// </summary>
        public double MaxUnrelatedDrop { get; init; } = 5;
        /// <summary>Unlearning methods: GA, GA+RT (the paper's GD), NPO, NPO+KL, DPO (IDK preferred) and Needle.</summary>
        public string[] Methods { get; init; } = ["GA", "GA+RT", "NPO", "NPO+KL", "DPO", Needle];
        /// <summary>
        /// Concepts passing the causal test that are unlearned, the first ones in concept order (protocol: every one; its
        /// minimum of 10, which the count preconditions need, keeps a seed within minutes at six methods each).
        /// </summary>
        public int MaxUnlearnedConcepts { get; init; } = 10;
        /// <summary>
        /// Unlearning budget in epochs over the concept's text (paper's repo: up to 10); the stopping rule may pick an
        /// earlier epoch.
        /// </summary>
        public int UnlearnEpochs { get; init; } = 10;
        /// <summary>
        /// Facts of each other concept, drawn once per seed, on which the forget-vs-retain curve reads unrelated QA
        /// after every epoch (the judged checkpoint reads all of them).
        /// </summary>
        public int CurveFactsPerConcept { get; init; } = 2;
        /// <summary>Forget examples per unlearning step.</summary>
        public int UnlearnBatchSize { get; init; } = 16;
        /// <summary>Learning rate of the gradient methods (paper: 1e-5 to 5e-5 on a 7B model).</summary>
        public double UnlearnLearningRate { get; init; } = 1e-3;
        /// <summary>Needle's learning rate on its vectors (paper: 1e-1 to 5e-1).</summary>
        public double NeedleLearningRate { get; init; } = 1e-2;
        /// <summary>β of NPO and DPO (paper: 0.1).</summary>
        public double Beta { get; init; } = 0.1;
        /// <summary>Facts (of 10) the relearning attack fine-tunes on; the other ones measure recovery (protocol: 3).</summary>
        public int RelearnFacts { get; init; } = 3;
        /// <summary>Full-batch steps of the relearning attack (protocol: 20).</summary>
        public int RelearnSteps { get; init; } = 20;
        /// <summary>Learning rate of the relearning attack.</summary>
        public double RelearnLearningRate { get; init; } = 1e-3;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 10 concepts, a narrower model, GA only.</summary>
        public static Config Smoke { get; } = Full with { Concepts = 10, Width = 64, Epochs = 50, Methods = ["GA"], UnlearnEpochs = 5 };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.AtLeast(Concepts, 2); // unrelated QA needs other concepts
            ConfigCheck.Between(TrainTemplates, 1, ConceptWorld.QuestionTemplates - 1); // the last template stays unseen
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(Epochs);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Count(TopK);
            ConfigCheck.Between(MinOverlap, 1, ConceptWorld.UniqueRelations);
            // A block has 4·Width vectors, so the random control always finds as many free ones.
            ConfigCheck.Between(CoPromoters, 0, Width - 1);
            ConfigCheck.InRange(MinConceptDrop, 0, 100);
            ConfigCheck.InRange(MaxUnrelatedDrop, 0, 100);
            ConfigCheck.Count(MaxUnlearnedConcepts);
            ConfigCheck.Count(UnlearnEpochs);
            ConfigCheck.Between(CurveFactsPerConcept, 1, ConceptWorld.Relations.Count);
            ConfigCheck.Count(UnlearnBatchSize);
            ConfigCheck.Positive(UnlearnLearningRate);
            ConfigCheck.Positive(NeedleLearningRate);
            ConfigCheck.Positive(Beta);
            ConfigCheck.Between(RelearnFacts, 1, ConceptWorld.Relations.Count - 1); // some facts stay held out
            ConfigCheck.Count(RelearnSteps);
            ConfigCheck.Positive(RelearnLearningRate);
            var allowed = UnlearningMethods.All.Select(m => m.Label()).Append(Needle).ToList();
            ConfigCheck.That(Methods.Length > 0 && Methods.Distinct().Count() == Methods.Length, Methods,
                $"a non-empty list of distinct methods from {string.Join(", ", allowed)}");
            foreach (string m in Methods)
                if (!allowed.Contains(m))
                    throw new ArgumentException($"unknown method '{m}' in Methods; allowed: {string.Join(", ", allowed)}");
        }
    }

    /// <summary>
    /// What ablating a set of vectors cost, before minus after: QA points of the concept's facts and of every other
    /// concept's, and the mean log-probability (nats) of their answers.
    /// </summary>
    public sealed record AblationDrops(
        double ConceptQa, double UnrelatedQa, double ConceptLogProb, double UnrelatedLogProb);

    /// <summary>
    /// One concept: how well the model knows it, its best value vector by vocabulary projection and the located set
    /// (that vector first, then its co-promoters), the random control set, and the causal test on both (measured for
    /// every concept; only candidates can pass).
    /// </summary>
    public sealed record ConceptRow(
        int Concept, string Name, double OriginalQa, int Block, int Index, int Overlap, string TopTokens,
        IReadOnlyList<VectorRef> Located, IReadOnlyList<VectorRef> Random, AblationDrops LocatedDrops,
        AblationDrops RandomDrops, bool IsCandidate, bool PassesCausalTest);

    /// <summary>
    /// One unlearning run on one concept that passed the causal test, measured at the epoch the stopping rule chose
    /// (<paramref name="StopEpoch"/>; <paramref name="Curve"/> holds every epoch). Cosine and Jaccard are means over
    /// the located vectors; drops and recoveries are points.
    /// </summary>
    public sealed record RunRow(
        int Concept, string Method, int StopEpoch, bool ReachedForgetting, double ConceptQa, double UnseenQa,
        double UnrelatedDrop, double Cosine, double Jaccard, double HeldOutQa, double HeldOutQaAfterAttack,
        double Recovery, IReadOnlyList<Checkpoint> Curve);

    /// <summary>What a run measured. QA values are shares; drops and recoveries are percentage points.</summary>
    public sealed record Result
    {
        /// <summary>The original model's QA accuracy over every fact (canonical template), and on the unseen template.</summary>
        public required double OriginalQa { get; init; }
        /// <summary>See <see cref="OriginalQa"/>.</summary>
        public required double OriginalUnseenQa { get; init; }
        /// <summary>Every concept's located vectors and causal test.</summary>
        public required IReadOnlyList<ConceptRow> Concepts { get; init; }
        /// <summary>Every (unlearned concept, method) run.</summary>
        public required IReadOnlyList<RunRow> Runs { get; init; }
        /// <summary>Known concepts whose best vector holds at least MinOverlap own answers.</summary>
        public required int Candidates { get; init; }
        /// <summary>Concepts passing the causal test.</summary>
        public required int ConceptVectorsFound { get; init; }
        /// <summary>
        /// Control: mean over candidates of the concept's log-probability drop (located set) minus drop (random set),
        /// nats.
        /// </summary>
        public required double LocatedMinusRandomLogProbDrop { get; init; }
        /// <summary>Gradient-method runs (not Needle) that reach concept QA ≤ 20% within their budget.</summary>
        public required int GradientRunsForgetting { get; init; }
        /// <summary>Median cosine of the located vectors before/after, over those runs.</summary>
        public required double MedianCosine { get; init; }
        /// <summary>Median Jaccard of the located vectors' top-k tokens before/after, over those runs.</summary>
        public required double MedianJaccard { get; init; }
        /// <summary>Needle: mean concept QA after unlearning, and mean unrelated drop.</summary>
        public required double NeedleConceptQa { get; init; }
        /// <summary>See <see cref="NeedleConceptQa"/>.</summary>
        public required double NeedleUnrelatedDrop { get; init; }
        /// <summary>min over GA and NPO of mean (their recovery − Needle's), paired over concepts.</summary>
        public required double RecoveryGap { get; init; }
        /// <summary>max over GA and NPO of the one-sided Wilcoxon p (their recovery &gt; Needle's).</summary>
        public required double RecoveryP { get; init; }
        /// <summary>Concepts on which Needle, GA and NPO all ran (what the relearning comparison pairs).</summary>
        public required int ComparedConcepts { get; init; }
    }

    /// <summary>The method label of Needle.</summary>
    public const string Needle = "Needle";

    /// <summary>Concepts that must pass the causal test for the toy to hold localised concept vectors (protocol: 10).</summary>
    public const int MinConceptVectors = 10;

    /// <summary>
    /// A run counts as "forgotten" at concept QA ≤ this share (protocol: 20%); also the stopping rule's level.
    /// </summary>
    public const double ForgottenQa = 0.2;

    /// <summary>A concept (and the model) is known at QA ≥ this share (issue 15's knowledge precondition).</summary>
    public const double KnownQa = 0.8;

    /// <summary>
    /// Nats of answer log-probability per point of QA: a memorised answer (probability near 1) leaves top-1 only when
    /// its probability falls below ½, a loss of at least ln 2, so the protocol's points of QA become ln 2 / 100 nats
    /// each.
    /// </summary>
    public static readonly double NatsPerPoint = Math.Log(2) / 100;

    /// <summary>
    /// How many points (at <see cref="NatsPerPoint"/>) the located set must beat the random set by (was 20 points of
    /// QA).
    /// </summary>
    public const double ControlPoints = 20;

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("concept-vectors", "llm-unlearning",
        "Intrinsic Evaluation of Unlearning Using Parametric Knowledge Traces", 2024, "https://arxiv.org/abs/2406.11614");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // The project's level for memorised facts (issue 15's knowledge precondition): a concept the model does not know
        // cannot lose its knowledge to ablation or unlearning. Candidates must also be known concepts (their own QA).
        Claim.Precondition<Result>(KnowsConcepts,
            "The model knows the concepts: it answers at least 80% of all facts in the canonical question template",
            r => r.OriginalQa, Comparison.AtLeast, KnownQa, Budget.Full, "accuracy"),
        Claim.Precondition<Result>(HasCandidates,
            "Vocabulary projection finds candidates: at least 10 concepts the model knows (≥ 80% of their facts) " +
            "have a value vector whose top-20 tokens hold at least 3 of their own answers",
            r => r.Candidates, Comparison.AtLeast, MinConceptVectors, Budget.Full, "concepts"),
        // Issue 15: the causal test ablates the located set and reads the answers' log-probability, which registers a
        // partial loss; the protocol's thresholds (30 points of concept QA, ≤ 5 of unrelated QA) at ln 2 nats a point.
        Claim.Precondition<Result>(VectorsCausal,
            "The located vectors are causal: for at least 10 candidate concepts, ablating the located vector and its " +
            Invariant($"co-promoters lowers the concept's answers' log-probability by ≥ {MinConceptNats:0.###} nats ") +
            Invariant($"on average and the other concepts' by ≤ {MaxUnrelatedNats:0.###} (the protocol's 30 and 5 ") +
            "points of QA, each lost answer counted at ln 2, the least loss that can flip a memorised answer)",
            r => r.ConceptVectorsFound, Comparison.AtLeast, MinConceptVectors, Budget.Full, "concepts"),
        Claim.Precondition<Result>(GradientForgets,
            "Gradient unlearning forgets: at least 10 gradient-method runs (GA, GA+RT, NPO, NPO+KL, DPO) bring " +
            "concept QA to ≤ 20% within their budget",
            r => r.GradientRunsForgetting, Comparison.AtLeast, MinConceptVectors, Budget.Full, "runs"),
        Claim.Precondition<Result>(Compared,
            "Needle, GA and NPO all ran on at least 10 concepts with concept vectors",
            r => r.ComparedConcepts, Comparison.AtLeast, MinConceptVectors, Budget.Full, "concepts"),
        // Could win: if projection picks vectors no more causal than any others, as many random vectors of the same
        // blocks cost the concept as much. 20 points of QA at ln 2 nats each, as before the redesign.
        Claim.Control<Result>("located-beats-random-vectors",
            Invariant($"Ablating a concept's located vectors lowers its answers' log-probability at least ") +
            Invariant($"{ControlPoints * NatsPerPoint:0.###} nats (20 points at ln 2) more than ablating as many ") +
            "random vectors of the same blocks, paired per candidate concept",
            r => Evidence.Paired(Candidates(r).Select(c => c.LocatedDrops.ConceptLogProb).ToList(),
                Candidates(r).Select(c => c.RandomDrops.ConceptLogProb).ToList()),
            Comparison.AtLeast, ControlPoints * NatsPerPoint, Budget.Full, "nats (per concept)",
            dependsOn: [KnowsConcepts, HasCandidates]),
        // Protocol: "among runs where a gradient method pushes concept QA to ≤ 20%, median vector cosine ≥ 0.9 and Jaccard ≥ 0.7".
        Claim.Finding<Result>("gradient-unlearning-keeps-vector-direction",
            "Among gradient-method runs that push concept QA to ≤ 20%, the median cosine of the concept vectors " +
            "before/after (at the stopping rule's epoch) is ≥ 0.9",
            r => r.MedianCosine, Comparison.AtLeast, 0.9, Budget.Full, "cosine",
            dependsOn: [KnowsConcepts, VectorsCausal, GradientForgets]),
        Claim.Finding<Result>("gradient-unlearning-keeps-vector-tokens",
            "Among those runs, the median Jaccard overlap of the vectors' top-20 projected tokens before/after " +
            "is ≥ 0.7",
            r => r.MedianJaccard, Comparison.AtLeast, 0.7, Budget.Full, "Jaccard",
            dependsOn: [KnowsConcepts, VectorsCausal, GradientForgets]),
        // Protocol: "Needle gets concept QA ≤ 20% with unrelated drop ≤ 10 points".
        Claim.Finding<Result>("needle-removes-concept",
            "Needle (changing only the concept vectors) brings concept QA to ≤ 20%, over the concepts it unlearned",
            r => Evidence.Mean(Of(r, Needle).Select(x => x.ConceptQa).ToList()), Comparison.AtMost, ForgottenQa, Budget.Full,
            "accuracy (per concept)", dependsOn: [KnowsConcepts, VectorsCausal, Compared]),
        Claim.Finding<Result>("needle-spares-unrelated",
            "Needle lowers QA on other concepts by ≤ 10 points, over the concepts it unlearned",
            r => Evidence.Mean(Of(r, Needle).Select(x => x.UnrelatedDrop).ToList()), Comparison.AtMost, 10, Budget.Full,
            "points (per concept)", dependsOn: [KnowsConcepts, VectorsCausal, Compared]),
        // Protocol: "its post-attack recovery is ≥ 20 points lower than GA/NPO's (paired over concepts, p < 0.01)".
        .. RelearningClaims("GA"),
        .. RelearningClaims("NPO"),
        Claim.Finding<Result>("needle-resists-relearning-significantly",
            "Needle's lower recovery is significant for both GA and NPO (one-sided Wilcoxon signed-rank over concepts, the larger p < 0.01)",
            r => r.RecoveryP, Comparison.Less, 0.01, Budget.Full, "p-value",
            dependsOn: [KnowsConcepts, VectorsCausal, Compared]),
    ];

    private const string KnowsConcepts = "knows-concepts", HasCandidates = "has-candidates",
        VectorsCausal = "located-vectors-causal", GradientForgets = "gradient-runs-forget",
        Compared = "needle-ga-npo-ran";

    private static double MinConceptNats => Config.Full.MinConceptDrop * NatsPerPoint;
    private static double MaxUnrelatedNats => Config.Full.MaxUnrelatedDrop * NatsPerPoint;

    private static Claim<Result>[] RelearningClaims(string method) =>
    [
        Claim.Finding<Result>($"needle-resists-relearning-vs-{method.ToLowerInvariant()}",
            $"After the relearning attack Needle recovers at least 20 points less of the held-out facts than {method}, paired per concept",
            r => Evidence.Paired(Recoveries(r, method).Theirs, Recoveries(r, method).Needle), Comparison.AtLeast, 20, Budget.Full,
            "points (per concept)", dependsOn: [KnowsConcepts, VectorsCausal, Compared]),
    ];

    /// <summary>The candidate concepts of a result (those the causal test can pass), in concept order.</summary>
    public static IReadOnlyList<ConceptRow> Candidates(Result r) => r.Concepts.Where(c => c.IsCandidate).ToList();

    /// <summary>One method's unlearning runs, in concept order.</summary>
    public static IReadOnlyList<RunRow> Of(Result r, string method) => r.Runs.Where(x => x.Method == method).OrderBy(x => x.Concept).ToList();

    /// <summary>Recoveries after the relearning attack of <paramref name="method"/> and of Needle, on the concepts both ran on.</summary>
    public static (IReadOnlyList<double> Theirs, IReadOnlyList<double> Needle) Recoveries(Result r, string method)
    {
        var needle = Of(r, Needle).ToDictionary(x => x.Concept);
        var theirs = Of(r, method).Where(x => needle.ContainsKey(x.Concept)).ToList();
        return (theirs.Select(x => x.Recovery).ToList(), theirs.Select(x => needle[x.Concept].Recovery).ToList());
    }

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = new ConceptWorld(cfg.Concepts, ctx.Rng("world"));
        var shape = new TinyGptConfig(world.Tokenizer.VocabSize, world.ContextLength, cfg.Layers, cfg.Width, cfg.Heads);
        using var original = world.Train(shape, cfg, ctx);
        var qa = new ConceptQa(world);
        var before = qa.Score(original);
        var rows = Locate(original, world, qa, before, cfg, ctx);
        var runs = Unlearn(original, world, qa, before.Correct, rows, cfg, ctx);
        double unseen = ConceptQa.Share(ConceptLocator.Correct(original, qa.Unseen, qa.Answers));
        return Summarise(rows, runs, ConceptQa.Share(before.Correct), unseen);
    }

    /// <summary>
    /// Locate: each concept's best value vector over every block and its co-promoters, then the causal test on them and
    /// on as many random vectors of the same blocks (for every concept, so that the ablation's effect is seen even
    /// where no vector is a candidate; only candidates can pass).
    /// </summary>
    private static List<ConceptRow> Locate(TinyGpt model, ConceptWorld world, ConceptQa qa,
        (bool[] Correct, double[] LogProb) before, Config cfg, RunContext ctx)
    {
        var blocks = Enumerable.Range(0, cfg.Layers).ToList();
        var top = blocks.Select(b => ValueVectors.TopTokens(model, b, cfg.TopK)).ToList();
        var z = blocks.Select(b => ConceptLocator.Standardised(model, b)).ToList();
        var meanKeys = cfg.Ablation == AblationKind.Mean ? ConceptLocator.MeanKeys(model, qa.Prompts) : null;
        var all = cfg.CoPromotedBy == CoPromotion.Attribution
            ? ConceptLocator.AttributedDrops(model, qa.Prompts, qa.Answers, meanKeys) : null;
        double[][] Scores(int c, IReadOnlySet<int> own)
        {
            if (all is null) return ConceptLocator.ProjectionScores(z, own);
            var facts = qa.FactsOf(c);
            var mine = ConceptLocator.AttributedDrops(model, facts.Select(j => qa.Prompts[j]).ToList(),
                facts.Select(j => qa.Answers[j]).ToList(), meanKeys);
            int others = qa.Prompts.Count - facts.Count;
            // per fact: the concept's attributed drop minus the other concepts'
            return mine.Select((m, b) => m.Select((x, j) => x / facts.Count - (all[b][j] - x) / others).ToArray())
                .ToArray();
        }
        var pick = ctx.Rng("random-vectors");
        var rows = new List<ConceptRow>();
        for (int c = 0; c < cfg.Concepts; c++)
        {
            var own = world.OwnTokens(c);
            var at = ConceptLocator.Best(top, own);
            var best = new VectorRef(at.Block, at.Index);
            var located = ConceptLocator.CoPromoters(Scores(c, own), best, cfg.CoPromoters).Prepend(best).ToList();
            var random = ConceptLocator.RandomLike(located, ValueVectors.Count(model), pick);
            var drops = Ablate(model, located, meanKeys, qa, before, c);
            var randomDrops = Ablate(model, random, meanKeys, qa, before, c);
            double known = qa.Own(before.Correct, c);
            bool candidate = known >= KnownQa && at.Overlap >= cfg.MinOverlap;
            bool passes = candidate && ConceptLocator.PassesCausalTest(drops.ConceptLogProb, drops.UnrelatedLogProb,
                cfg.MinConceptDrop * NatsPerPoint, cfg.MaxUnrelatedDrop * NatsPerPoint);
            string tokens = string.Join(" ", top[at.Block][at.Index].Select(t => world.Tokenizer.Words[t]));
            rows.Add(new ConceptRow(c, world.Names[c], known, at.Block, at.Index, at.Overlap, tokens, located, random,
                drops, randomDrops, candidate, passes));
            ctx.Report("locate", c + 1, cfg.Concepts);
        }
        ctx.Progress.Done("locate");
        return rows;
    }

    /// <summary>
    /// What ablating <paramref name="vectors"/> costs concept <paramref name="c"/> and the others; the model is
    /// restored after.
    /// </summary>
    private static AblationDrops Ablate(TinyGpt model, IReadOnlyList<VectorRef> vectors, float[][]? meanKeys,
        ConceptQa qa, (bool[] Correct, double[] LogProb) before, int c)
    {
        (bool[] Correct, double[] LogProb) after;
        using (ConceptLocator.Ablated(model, vectors, meanKeys)) after = qa.Score(model);
        var loss = before.LogProb.Select((lp, j) => lp - after.LogProb[j]).ToList();
        return new AblationDrops(100 * (qa.Own(before.Correct, c) - qa.Own(after.Correct, c)),
            100 * (qa.Others(before.Correct, c) - qa.Others(after.Correct, c)),
            qa.OwnMean(loss, c), qa.OthersMean(loss, c));
    }

    /// <summary>
    /// Unlearn the first concepts that passed with every method, each from a fresh copy of the trained model, judge
    /// each run at its stopping rule's epoch, then attack that checkpoint by relearning some of the concept's facts.
    /// </summary>
    private static List<RunRow> Unlearn(TinyGpt original, ConceptWorld world, ConceptQa qa, bool[] before,
        IReadOnlyList<ConceptRow> rows, Config cfg, RunContext ctx)
    {
        var kept = rows.Where(r => r.PassesCausalTest).Take(cfg.MaxUnlearnedConcepts).ToList();
        var quiet = new RunContext(ctx.Seed, ctx.Budget, null, ctx.Device, ctx.Cancellation);   // inner runs: no progress lines
        var examples = Enumerable.Range(0, cfg.Concepts)
            .Select(c => world.Examples(world.FactsOf(c), cfg.TrainTemplates)).ToList();
        var vectorsBefore = Enumerable.Range(0, cfg.Layers).Select(b => ValueVectors.Of(original, b)).ToList();
        var settings = new ConceptUnlearning.UnlearnSettings(cfg.UnlearnBatchSize, cfg.UnlearnLearningRate,
            cfg.NeedleLearningRate, cfg.Beta, ForgottenQa);
        var split = ctx.Rng("relearn-facts");
        var sample = ctx.Rng("curve-facts");
        int relationCount = ConceptWorld.Relations.Count;
        var curveFacts = Enumerable.Range(0, cfg.Concepts).SelectMany(k => sample.Permutation(relationCount)
            .Take(cfg.CurveFactsPerConcept).Order().Select(r => k * relationCount + r)).ToList();
        var runs = new List<RunRow>();
        foreach (var (row, i) in kept.Select((r, i) => (r, i)))
        {
            int c = row.Concept;
            var order = split.Permutation(relationCount);
            var attackFacts = order.Take(cfg.RelearnFacts).Order().Select(r => new ConceptFact(c, r)).ToList();
            var held = order.Skip(cfg.RelearnFacts).Order().Select(r => c * relationCount + r).ToList();
            var forget = examples[c];
            var data = new UnlearningData(forget, examples.Where((_, j) => j != c).SelectMany(e => e).ToList(), world.IdkAnswers(forget));
            var located = row.Located.Select(v => vectorsBefore[v.Block][v.Index]).ToList();
            var topBefore = located.Select(v => ValueVectors.TopTokens(original, v, cfg.TopK)).ToList();
            var own = qa.FactsOf(c);
            var probe = own.Concat(curveFacts.Where(j => !own.Contains(j))).ToList();
            Checkpoint Measure(TinyGpt m)
            {
                var correct = ConceptLocator.Correct(m, probe.Select(j => qa.Prompts[j]).ToList(),
                    probe.Select(j => qa.Answers[j]).ToList());
                return new Checkpoint(0, ConceptQa.Share(correct.Take(own.Count)),
                    ConceptQa.Share(correct.Skip(own.Count)));
            }
            foreach (string method in cfg.Methods)
            {
                using var model = original.Copy();
                using var outcome = ConceptUnlearning.Run(model, method, row.Located, data, cfg.UnlearnEpochs, settings,
                    Measure, quiet, method == Needle ? $"needle-order-{c}" : $"unlearn-order-{c}");
                var atStop = outcome.AtStop;
                var after = ConceptLocator.Correct(atStop, qa.Prompts, qa.Answers);
                var afterUnseen = ConceptLocator.Correct(atStop, own.Select(j => qa.Unseen[j]).ToList(),
                    own.Select(j => qa.Answers[j]).ToList());
                var moved = row.Located.Select(v => ValueVectors.Of(atStop, v.Block)[v.Index]).ToList();
                double cosine = located.Select((v, k) => ConceptLocator.Cosine(v, moved[k])).Average();
                double jaccard = moved
                    .Select((v, k) => ConceptLocator.Jaccard(topBefore[k], ValueVectors.TopTokens(atStop, v, cfg.TopK)))
                    .Average();
                double heldBefore = ConceptQa.Share(held.Select(j => after[j]));
                ConceptUnlearning.Relearn(atStop, world.Examples(attackFacts, cfg.TrainTemplates), cfg.RelearnSteps,
                    cfg.RelearnLearningRate, quiet, $"relearn-order-{c}");
                double heldAfter = ConceptQa.Share(ConceptLocator.Correct(atStop,
                    held.Select(j => qa.Prompts[j]).ToList(), held.Select(j => qa.Answers[j]).ToList()));
                runs.Add(new RunRow(c, method, outcome.StopEpoch, outcome.Reached(ForgottenQa), qa.Own(after, c),
                    ConceptQa.Share(afterUnseen), 100 * (qa.Others(before, c) - qa.Others(after, c)), cosine, jaccard,
                    heldBefore, heldAfter, 100 * (heldAfter - heldBefore), outcome.Curve));
            }
            ctx.Report("unlearn", i + 1, kept.Count);
        }
        ctx.Progress.Done("unlearn");
        return runs;
    }

    private static Result Summarise(List<ConceptRow> rows, List<RunRow> runs, double originalQa, double originalUnseenQa)
    {
        var candidates = rows.Where(r => r.IsCandidate).ToList();
        var forgetting = runs.Where(r => r.Method != Needle && r.ConceptQa <= ForgottenQa).ToList();
        var needle = runs.Where(r => r.Method == Needle).ToList();
        double Median(IEnumerable<double> xs)
        {
            var s = xs.Order().ToList();
            return s.Count == 0 ? double.NaN : s.Count % 2 == 1 ? s[s.Count / 2] : (s[s.Count / 2 - 1] + s[s.Count / 2]) / 2;
        }
        (double Gap, double P) Versus(string method)
        {
            var theirs = runs.Where(r => r.Method == method).OrderBy(r => r.Concept).Select(r => r.Recovery).ToList();
            var ours = needle.OrderBy(r => r.Concept).Select(r => r.Recovery).ToList();
            if (theirs.Count == 0 || theirs.Count != ours.Count) return (double.NaN, double.NaN);
            double gap = theirs.Zip(ours, (a, b) => a - b).Average();
            double p = theirs.Zip(ours).All(x => x.First == x.Second) ? 1
                : Wilcoxon.SignedRank(theirs, ours, Alternative.Greater).PValue;
            return (gap, p);
        }
        var (ga, npo) = (Versus("GA"), Versus("NPO"));
        return new Result
        {
            OriginalQa = originalQa, OriginalUnseenQa = originalUnseenQa, Concepts = rows, Runs = runs,
            Candidates = candidates.Count,
            ConceptVectorsFound = rows.Count(r => r.PassesCausalTest),
            LocatedMinusRandomLogProbDrop = candidates
                .Select(r => r.LocatedDrops.ConceptLogProb - r.RandomDrops.ConceptLogProb)
                .DefaultIfEmpty(double.NaN).Average(),
            GradientRunsForgetting = forgetting.Count,
            MedianCosine = Median(forgetting.Select(r => r.Cosine)),
            MedianJaccard = Median(forgetting.Select(r => r.Jaccard)),
            NeedleConceptQa = needle.Select(r => r.ConceptQa).DefaultIfEmpty(double.NaN).Average(),
            NeedleUnrelatedDrop = needle.Select(r => r.UnrelatedDrop).DefaultIfEmpty(double.NaN).Average(),
            RecoveryGap = Math.Min(ga.Gap, npo.Gap),
            RecoveryP = Math.Max(ga.P, npo.P),
            ComparedConcepts = needle.Select(r => r.Concept).Count(c => runs.Any(x => x.Concept == c && x.Method == "GA")
                && runs.Any(x => x.Concept == c && x.Method == "NPO")),
        };
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
    [
        ("causal-test", ConceptReport.CausalFigure(results)),
        ("forget-vs-retain", ConceptReport.CurveFigure(results)),
        ("vector-change-vs-forgetting", ConceptReport.ChangeFigure(results)),
        ("recovery-after-relearning", ConceptReport.RecoveryFigure(results)),
    ];
}

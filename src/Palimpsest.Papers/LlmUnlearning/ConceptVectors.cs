using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Unlearning;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// Hong, Yu, Yang, Ravfogel and Geva 2024, "Intrinsic Evaluation of Unlearning Using
/// Parametric Knowledge Traces", arXiv:2406.11614 (official code: https://github.com/yihuaihong/ConceptVectors).
/// Claim: a concept's knowledge can sit in one MLP value vector (a "concept vector": its vocabulary projection names the
/// concept, and noising it removes the concept's knowledge and nothing else); gradient-based unlearning (GA, GD, NPO,
/// NPO-KL, DPO) makes the model stop answering while barely changing that vector (cosine and top-token overlap stay
/// high), whereas Needle — changing only the vector — removes the knowledge and leaves less to recover by adversarial
/// means. Scaled down: LLaMA-2 and Wikipedia concepts become a 2-layer TinyGpt that memorises <see cref="ConceptWorld"/>
/// (FictitiousKb people with ten facts each, eight of them answered by words no other concept uses); jailbreaks become a
/// relearning attack (fine-tune on 3 of the 10 facts, measure the other 7) and an unseen question template. The toy
/// still tests the claim because locating, the causal test, the unlearning methods and the parametric metrics are the
/// paper's; if the tiny model stores concepts diffusely, too few concepts pass the causal test, and that is the finding.
/// The control: the same noise added to a random value vector of the same block.
/// Claim kinds: what the findings assume is stated as preconditions (the model knows its facts; candidates and at least
/// ten causally validated concept vectors exist; gradient runs reach the forgetting level; Needle, GA and NPO ran on
/// enough concepts), and each finding depends on the ones it needs, so that a toy without concept vectors leaves the
/// unlearning findings UNTESTED. The control compares the located vector with a random one, paired per candidate concept;
/// Needle's levels and its relearning gaps are judged on intervals over concepts.
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
        /// <summary>Training epochs over every statement and question.</summary>
        public int Epochs { get; init; } = 60;
        /// <summary>Training batch size.</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Peak training learning rate (cosine decay).</summary>
        public double LearningRate { get; init; } = 3e-3;
        /// <summary>Tokens of a value vector's projection compared with the concept's (paper: top 200 of 32k; our vocabulary is ~600).</summary>
        public int TopK { get; init; } = 20;
        /// <summary>Own answers (of 8) a vector's top-k must hold to be a candidate (paper: candidates also vetted for relevance; chance here is ~0.3).</summary>
        public int MinOverlap { get; init; } = 3;
        /// <summary>Causal test: noise norm over the vector's norm (paper: Gaussian noise on the vector).</summary>
        public double NoiseScale { get; init; } = 5;
        /// <summary>Causal test: concept QA must drop by at least this many points (protocol: 30).</summary>
        public double MinConceptDrop { get; init; } = 30;
        /// <summary>Causal test: unrelated QA may drop by at most this many points (protocol: 5).</summary>
        public double MaxUnrelatedDrop { get; init; } = 5;
        /// <summary>Unlearning methods: GA, GA+RT (the paper's GD), NPO, NPO+KL, DPO (IDK preferred) and Needle.</summary>
        public string[] Methods { get; init; } = ["GA", "GA+RT", "NPO", "NPO+KL", "DPO", Needle];
        /// <summary>Unlearning epochs over the concept's text (paper's repo: up to 10).</summary>
        public int UnlearnEpochs { get; init; } = 10;
        /// <summary>Forget examples per unlearning step.</summary>
        public int UnlearnBatchSize { get; init; } = 16;
        /// <summary>Learning rate of the gradient methods (paper: 1e-5 to 5e-5 on a 7B model).</summary>
        public double UnlearnLearningRate { get; init; } = 1e-3;
        /// <summary>Needle's learning rate on its one vector (paper: 1e-1 to 5e-1).</summary>
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
            ConfigCheck.Positive(NoiseScale);
            ConfigCheck.InRange(MinConceptDrop, 0, 100);
            ConfigCheck.InRange(MaxUnrelatedDrop, 0, 100);
            ConfigCheck.Count(UnlearnEpochs);
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
    /// One concept: its best value vector, and the causal test on it and on a random vector of the same block (measured for
    /// every concept; only candidates can pass). Drops are points of QA accuracy; log-probability drops are the mean, over
    /// the concept's facts, of the answer's log-probability before minus after the noise (nats).
    /// </summary>
    public sealed record ConceptRow(int Concept, string Name, int Block, int Index, int Overlap, string TopTokens,
        double OriginalQa, double ConceptDrop, double UnrelatedDrop, int RandomIndex, double RandomConceptDrop,
        double RandomUnrelatedDrop, bool IsCandidate, bool PassesCausalTest, double ConceptLogProbDrop, double RandomLogProbDrop);

    /// <summary>One unlearning run on one concept that passed the causal test.</summary>
    public sealed record RunRow(int Concept, string Method, double ConceptQa, double UnseenQa, double UnrelatedDrop,
        double Cosine, double Jaccard, double HeldOutQa, double HeldOutQaAfterAttack, double Recovery);

    /// <summary>What a run measured. QA values are shares; drops and recoveries are percentage points.</summary>
    public sealed record Result
    {
        /// <summary>The original model's QA accuracy over every fact (canonical template), and on the unseen template.</summary>
        public required double OriginalQa { get; init; }
        /// <summary>See <see cref="OriginalQa"/>.</summary>
        public required double OriginalUnseenQa { get; init; }
        /// <summary>Every concept's located vector and causal test.</summary>
        public required IReadOnlyList<ConceptRow> Concepts { get; init; }
        /// <summary>Every (concept passing the causal test, method) run.</summary>
        public required IReadOnlyList<RunRow> Runs { get; init; }
        /// <summary>Concepts whose best vector holds at least MinOverlap own answers.</summary>
        public required int Candidates { get; init; }
        /// <summary>Concepts passing the causal test.</summary>
        public required int ConceptVectorsFound { get; init; }
        /// <summary>Control: mean over candidates of concept-QA drop (located vector) minus drop (random vector, same noise).</summary>
        public required double LocatedMinusRandomDrop { get; init; }
        /// <summary>Gradient-method runs (not Needle) that push concept QA to ≤ 20%.</summary>
        public required int GradientRunsForgetting { get; init; }
        /// <summary>Median cosine of the concept vector before/after, over those runs.</summary>
        public required double MedianCosine { get; init; }
        /// <summary>Median Jaccard of the vector's top-k tokens before/after, over those runs.</summary>
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

    /// <summary>A gradient run counts as "forgotten" at concept QA ≤ this share (protocol: 20%).</summary>
    public const double ForgottenQa = 0.2;

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("concept-vectors", "llm-unlearning",
        "Intrinsic Evaluation of Unlearning Using Parametric Knowledge Traces", 2024, "https://arxiv.org/abs/2406.11614");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // The project's level for memorised facts (issue 15's knowledge precondition): a concept the model does not know
        // cannot lose its knowledge to noise or unlearning.
        Claim.Precondition<Result>(KnowsConcepts,
            "The model knows the concepts: it answers at least 80% of all facts in the canonical question template",
            r => r.OriginalQa, Comparison.AtLeast, 0.8, Budget.Full, "accuracy"),
        // Was `appliesTo: Candidates > 0`; the protocol's minimum of 10 concepts, so that the control has items to compare.
        Claim.Precondition<Result>(HasCandidates,
            "Vocabulary projection finds candidates: at least 10 concepts have a value vector whose top-20 tokens hold at least 3 of its own answers",
            r => r.Candidates, Comparison.AtLeast, MinConceptVectors, Budget.Full, "concepts"),
        // Protocol: "if < 10 concepts pass the causal test, report 'no localised concept vectors at this scale'". The
        // unlearning findings are about concept vectors, so without them they are untested (was `appliesTo: HasVectors`).
        Claim.Precondition<Result>(VectorsExist,
            "Concept vectors exist: at least 10 concepts have a value vector that passes the causal test (noise drops the concept's QA ≥ 30 points, others' ≤ 5)",
            r => r.ConceptVectorsFound, Comparison.AtLeast, MinConceptVectors, Budget.Full, "concepts"),
        // Was `appliesTo: GradientRunsForgetting > 0`: the medians are over runs that forgot; the protocol's 10 again.
        Claim.Precondition<Result>(GradientForgets,
            "Gradient unlearning forgets: at least 10 gradient-method runs (GA, GA+RT, NPO, NPO+KL, DPO) bring concept QA to ≤ 20%",
            r => r.GradientRunsForgetting, Comparison.AtLeast, MinConceptVectors, Budget.Full, "runs"),
        // Was `appliesTo: RecoveryComparable` (vectors found and Needle, GA, NPO run); the protocol's 10 again.
        Claim.Precondition<Result>(Compared,
            "Needle, GA and NPO all ran on at least 10 concepts with concept vectors",
            r => r.ComparedConcepts, Comparison.AtLeast, MinConceptVectors, Budget.Full, "concepts"),
        Claim.Control<Result>("located-beats-random-vector",
            "Noising a concept's located value vector drops its QA at least 20 points more than the same noise on a random value " +
            "vector of that block, paired per candidate concept (the random vector wins if the located one is not special)",
            r => Evidence.Paired(Candidates(r).Select(c => c.ConceptDrop).ToList(), Candidates(r).Select(c => c.RandomConceptDrop).ToList()),
            Comparison.AtLeast, 20, Budget.Full, "points (per concept)", dependsOn: [KnowsConcepts, HasCandidates]),
        // Protocol: "among runs where a gradient method pushes concept QA to ≤ 20%, median vector cosine ≥ 0.9 and Jaccard ≥ 0.7".
        Claim.Finding<Result>("gradient-unlearning-keeps-vector-direction",
            "Among gradient-method runs that push concept QA to ≤ 20%, the median cosine of the concept vector before/after is ≥ 0.9",
            r => r.MedianCosine, Comparison.AtLeast, 0.9, Budget.Full, "cosine", dependsOn: [KnowsConcepts, VectorsExist, GradientForgets]),
        Claim.Finding<Result>("gradient-unlearning-keeps-vector-tokens",
            "Among those runs, the median Jaccard overlap of the vector's top-20 projected tokens before/after is ≥ 0.7",
            r => r.MedianJaccard, Comparison.AtLeast, 0.7, Budget.Full, "Jaccard", dependsOn: [KnowsConcepts, VectorsExist, GradientForgets]),
        // Protocol: "Needle gets concept QA ≤ 20% with unrelated drop ≤ 10 points".
        Claim.Finding<Result>("needle-removes-concept",
            "Needle (changing only the concept vector) brings concept QA to ≤ 20%, over the concepts it unlearned",
            r => Evidence.Mean(Of(r, Needle).Select(x => x.ConceptQa).ToList()), Comparison.AtMost, ForgottenQa, Budget.Full,
            "accuracy (per concept)", dependsOn: [KnowsConcepts, VectorsExist, Compared]),
        Claim.Finding<Result>("needle-spares-unrelated",
            "Needle lowers QA on other concepts by ≤ 10 points, over the concepts it unlearned",
            r => Evidence.Mean(Of(r, Needle).Select(x => x.UnrelatedDrop).ToList()), Comparison.AtMost, 10, Budget.Full,
            "points (per concept)", dependsOn: [KnowsConcepts, VectorsExist, Compared]),
        // Protocol: "its post-attack recovery is ≥ 20 points lower than GA/NPO's (paired over concepts, p < 0.01)".
        .. RelearningClaims("GA"),
        .. RelearningClaims("NPO"),
        Claim.Finding<Result>("needle-resists-relearning-significantly",
            "Needle's lower recovery is significant for both GA and NPO (one-sided Wilcoxon signed-rank over concepts, the larger p < 0.01)",
            r => r.RecoveryP, Comparison.Less, 0.01, Budget.Full, "p-value", dependsOn: [KnowsConcepts, VectorsExist, Compared]),
    ];

    private const string KnowsConcepts = "knows-concepts", HasCandidates = "has-candidates", VectorsExist = "concept-vectors-exist",
        GradientForgets = "gradient-runs-forget", Compared = "needle-ga-npo-ran";

    private static Claim<Result>[] RelearningClaims(string method) =>
    [
        Claim.Finding<Result>($"needle-resists-relearning-vs-{method.ToLowerInvariant()}",
            $"After the relearning attack Needle recovers at least 20 points less of the held-out facts than {method}, paired per concept",
            r => Evidence.Paired(Recoveries(r, method).Theirs, Recoveries(r, method).Needle), Comparison.AtLeast, 20, Budget.Full,
            "points (per concept)", dependsOn: [KnowsConcepts, VectorsExist, Compared]),
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
        var methods = cfg.Methods;
        var world = new ConceptWorld(cfg.Concepts, ctx.Rng("world"));
        var shape = new TinyGptConfig(world.Tokenizer.VocabSize, world.ContextLength, cfg.Layers, cfg.Width, cfg.Heads);
        using var original = world.Train(shape, cfg, ctx);
        var quiet = new RunContext(ctx.Seed, ctx.Budget, null, ctx.Device, ctx.Cancellation);   // inner runs: no progress lines
        int relations = ConceptWorld.Relations.Count, n = cfg.Concepts;
        var prompts = world.Facts.Select(f => world.Prompt(f, 0)).ToList();
        var unseen = world.Facts.Select(f => world.Prompt(f, ConceptWorld.UnseenTemplate)).ToList();
        var answers = world.Facts.Select(world.Answer).ToList();
        var (before, logProbBefore) = ConceptLocator.Score(original, prompts, answers);
        double Share(IEnumerable<bool> xs) => xs.Select(x => x ? 1.0 : 0.0).DefaultIfEmpty(0).Average();
        double Own(bool[] c, int concept) => Share(c.Skip(concept * relations).Take(relations));
        double Others(bool[] c, int concept) => Share(c.Where((_, i) => i / relations != concept));
        double OwnLogProbDrop(double[] after, int concept) =>
            Enumerable.Range(concept * relations, relations).Average(j => logProbBefore[j] - after[j]);

        // Locate: each concept's best value vector over every block, then the causal test on it and on a random one (for
        // every concept, so that the noise's effect is seen even where no vector is a candidate; only candidates can pass).
        var blocks = Enumerable.Range(0, cfg.Layers).ToList();
        var vectors = blocks.Select(b => ValueVectors.Of(original, b)).ToList();
        var top = blocks.Select(b => ValueVectors.TopTokens(original, b, cfg.TopK)).ToList();
        var (noise, pick) = (ctx.Rng("noise"), ctx.Rng("random-vector"));
        (double Concept, double Unrelated, double LogProb) Noised(int concept, int block, int index, float[] epsilon)
        {
            ValueVectors.Write(original, block, index, ConceptLocator.Add(vectors[block][index], epsilon));
            var (after, logProbAfter) = ConceptLocator.Score(original, prompts, answers);
            ValueVectors.Write(original, block, index, vectors[block][index]);
            return (100 * (Own(before, concept) - Own(after, concept)), 100 * (Others(before, concept) - Others(after, concept)),
                OwnLogProbDrop(logProbAfter, concept));
        }
        var rows = new List<ConceptRow>();
        for (int c = 0; c < n; c++)
        {
            var at = ConceptLocator.Best(top, world.OwnTokens(c));
            var epsilon = ConceptLocator.Noise(vectors[at.Block][at.Index], cfg.NoiseScale, noise);
            int other = (at.Index + 1 + pick.NextInt(ValueVectors.Count(original) - 1)) % ValueVectors.Count(original);
            string tokens = string.Join(" ", top[at.Block][at.Index].Select(t => world.Tokenizer.Words[t]));
            bool candidate = at.Overlap >= cfg.MinOverlap;
            var (drop, unrelated, logProbDrop) = Noised(c, at.Block, at.Index, epsilon);
            var (randomDrop, randomUnrelated, randomLogProbDrop) = Noised(c, at.Block, other, epsilon);
            rows.Add(new ConceptRow(c, world.Names[c], at.Block, at.Index, at.Overlap, tokens, Own(before, c), drop, unrelated,
                other, randomDrop, randomUnrelated, candidate,
                candidate && ConceptLocator.PassesCausalTest(drop, unrelated, cfg.MinConceptDrop, cfg.MaxUnrelatedDrop),
                logProbDrop, randomLogProbDrop));
            ctx.Report("locate", c + 1, n);
        }
        ctx.Progress.Done("locate");

        // Unlearn every concept that passed, with every method, then attack each result by relearning 3 of its facts.
        var kept = rows.Where(r => r.PassesCausalTest).ToList();
        var examples = Enumerable.Range(0, n).Select(c => world.Examples(world.FactsOf(c), cfg.TrainTemplates)).ToList();
        var split = ctx.Rng("relearn-facts");
        var runs = new List<RunRow>();
        foreach (var (row, i) in kept.Select((r, i) => (r, i)))
        {
            int c = row.Concept;
            var order = split.Permutation(relations);
            var attackFacts = order.Take(cfg.RelearnFacts).Order().Select(r => new ConceptFact(c, r)).ToList();
            var held = order.Skip(cfg.RelearnFacts).Order().Select(r => c * relations + r).ToList();
            var forget = examples[c];
            var data = new UnlearningData(forget, examples.Where((_, j) => j != c).SelectMany(e => e).ToList(), world.IdkAnswers(forget));
            int steps = cfg.UnlearnEpochs * ((forget.Count + cfg.UnlearnBatchSize - 1) / cfg.UnlearnBatchSize);
            var vBefore = vectors[row.Block][row.Index];
            var topBefore = top[row.Block][row.Index];
            foreach (string method in methods)
            {
                using var model = original.Copy();
                if (method == Needle)
                    ConceptLocator.Needle(model, row.Block, row.Index, forget, steps, cfg.UnlearnBatchSize, cfg.NeedleLearningRate,
                        ctx.Rng($"needle-order-{c}"));
                else
                    Unlearner.Run(model, UnlearningMethods.Parse(method), data, new UnlearnOptions
                    {
                        Steps = steps, BatchSize = cfg.UnlearnBatchSize, LearningRate = cfg.UnlearnLearningRate, Beta = cfg.Beta,
                        Stage = method, OrderStream = $"unlearn-order-{c}",
                    }, quiet);
                var after = ConceptLocator.Correct(model, prompts, answers);
                var ownUnseen = Enumerable.Range(c * relations, relations).ToList();
                var afterUnseen = ConceptLocator.Correct(model, ownUnseen.Select(j => unseen[j]).ToList(), ownUnseen.Select(j => answers[j]).ToList());
                var vAfter = ValueVectors.Of(model, row.Block)[row.Index];
                double heldBefore = Share(held.Select(j => after[j]));
                ConceptLocator.Relearn(model, world.Examples(attackFacts, cfg.TrainTemplates), cfg.RelearnSteps, cfg.RelearnLearningRate,
                    quiet, $"relearn-order-{c}");
                double heldAfter = Share(ConceptLocator.Correct(model, held.Select(j => prompts[j]).ToList(), held.Select(j => answers[j]).ToList()));
                runs.Add(new RunRow(c, method, Own(after, c), Share(afterUnseen), 100 * (Others(before, c) - Others(after, c)),
                    ConceptLocator.Cosine(vBefore, vAfter), ConceptLocator.Jaccard(topBefore, ValueVectors.TopTokens(model, vAfter, cfg.TopK)),
                    heldBefore, heldAfter, 100 * (heldAfter - heldBefore)));
            }
            ctx.Report("unlearn", i + 1, kept.Count);
        }
        ctx.Progress.Done("unlearn");
        return Summarise(rows, runs, Share(before), Share(ConceptLocator.Correct(original, unseen, answers)));
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
            LocatedMinusRandomDrop = candidates.Select(r => r.ConceptDrop - r.RandomConceptDrop).DefaultIfEmpty(double.NaN).Average(),
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
        ("vector-change-vs-forgetting", ConceptReport.ChangeFigure(results)),
        ("recovery-after-relearning", ConceptReport.RecoveryFigure(results)),
    ];
}

using System.Globalization;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Plotly.NET;

namespace Palimpsest.Papers.Oocr;

/// <summary>
/// Treutlein et al. 2024, "Connecting the Dots: LLMs can Infer and Verbalize Latent Structure from Disparate Training
/// Data", arXiv:2406.14546 (code: github.com/choidami/inductive-oocr). Claim: a model fine-tuned only on scattered
/// evidence about a latent (pairs (x, f(x)) of an unnamed-in-training function, flips of a coin, distances from a
/// code-named city, parities of hidden bits) can verbalise or use the latent with no evidence in context (inductive
/// out-of-context reasoning); it is unreliable for complex latents (Mixture, Parity).
/// Scaled down: GPT-3.5/4 fine-tunes become a 2-layer TinyGpt per task trained from scratch on the task's generated
/// documents (the worlds in the <c>ConnectingTheDots/</c> folder), one document per row. The answer format is learnt
/// from explicit names (definition documents), and every latent value has an explicit twin (the paper's model already
/// knew every function it had to name; here only an explicit name can teach that), so the toy tests whether scattered
/// evidence about latent names is aggregated into something the model can read out, not the emergent verbalisation of
/// a pretrained model (the protocol's caveat).
/// Claim kinds: the preconditions are that each task's explicit names are answered (the model learnt the answer format
/// and the task; for Functions also inversion); the findings are the protocol's (latent names above chance, Functions
/// at ≥ 3× chance and inverted above chance, complex tasks weaker); the controls are control names trained on as much
/// evidence as latent ones but with values shuffled across names (they could win by answering from the task's values
/// without tying them to the name), and each latent question asked again with another latent name in the prompt;
/// never-trained names sitting at chance are sanity checks (a constant answer over balanced answers scores chance).
/// </summary>
public sealed class ConnectingTheDots : Experiment<ConnectingTheDots.Config, ConnectingTheDots.Result>
{
    /// <summary>The five tasks, in the paper's order; "simple" ones first, the paper's "complex" last.</summary>
    public static IReadOnlyList<string> TaskNames { get; } = ["functions", "coins", "locations", "mixture", "parity"];

    /// <summary>The tasks the paper calls complex (OOCR unreliable).</summary>
    public static IReadOnlyList<string> ComplexTasks { get; } = ["mixture", "parity"];

    /// <summary>The question type each task's claims are judged on (the latent's verbalisation).</summary>
    public static string PrimaryType(string task) => task switch
    {
        "functions" => QuestionType.Definition,
        "coins" => QuestionType.BiasClass,
        "locations" => QuestionType.Country,
        "mixture" => QuestionType.HowMany,
        "parity" => QuestionType.Value,
        _ => throw new ArgumentException($"unknown task '{task}'; allowed: {string.Join(", ", TaskNames)}"),
    };

    /// <summary>
    /// Accuracy the explicit names must reach on the task's primary question before its latent names are judged:
    /// issue 14's preconditions (0.9 for Functions, Coins and Locations; 0.8 for the complex Mixture and Parity).
    /// </summary>
    public static double ExplicitCeiling(string task)
    {
        _ = PrimaryType(task); // throws on an unknown task
        return ComplexTasks.Contains(task) ? 0.8 : 0.9;
    }

    /// <summary>Protocol §1: latent accuracy above chance with a binomial p below this.</summary>
    public const double LatentAlpha = 1e-3;
    /// <summary>Protocol §1: Functions' latent definition accuracy at least this multiple of chance.</summary>
    public const double ChanceMultiple = 3;
    /// <summary>Protocol §1: latent inversion above chance with p below this.</summary>
    public const double InversionAlpha = 0.01;
    /// <summary>Protocol §1: never-trained names at chance, p above this.</summary>
    public const double UnseenAlpha = 0.05;
    /// <summary>
    /// Explicit inversion accuracy the latent inversion finding presupposes (the inverse format is taught only on
    /// explicit functions); the protocol gives no value, so the default of the claims contract for a learnt skill.
    /// </summary>
    public const double InversionCeiling = 0.8;

    /// <summary>
    /// Budgets and world sizes; defaults are the Full budget. Name counts are per task and seed; the paper's and the
    /// protocol's values, and our reasons to differ, are in the comments.
    /// </summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        // ---- training, shared by the five task models

        /// <summary>Training tokens of the Functions model (protocol: ~4M; it has the most facts to learn).</summary>
        public long FunctionsTokens { get; init; } = 4_000_000;
        /// <summary>Training tokens of the Coins model (coins learnt to ceiling on 1.5M packed tokens before issue 14).</summary>
        public long CoinsTokens { get; init; } = 1_000_000;
        /// <summary>Training tokens of the Locations model.</summary>
        public long LocationsTokens { get; init; } = 2_000_000;
        /// <summary>Training tokens of the Mixture model.</summary>
        public long MixtureTokens { get; init; } = 2_000_000;
        /// <summary>Training tokens of the Parity model.</summary>
        public long ParityTokens { get; init; } = 2_000_000;
        /// <summary>Residual width (protocol: d = 128 on CPU).</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks (protocol: 2).</summary>
        public int Layers { get; init; } = 2;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Longest row (a document, or an in-context prompt and its answer); longer in-context items are not asked.</summary>
        public int ContextLength { get; init; } = 64;
        /// <summary>Documents (rows) per step. Paper: batch 32–64 of fine-tuning examples.</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Peak AdamW learning rate.</summary>
        public double LearningRate { get; init; } = 2e-3;
        /// <summary>Learning-rate shape after the warm-up.</summary>
        public LrScheduleKind Schedule { get; init; } = LrScheduleKind.Cosine;
        /// <summary>Final learning rate over the peak (cosine and WSD).</summary>
        public double MinLrFraction { get; init; } = 0.1;
        /// <summary>Linear warm-up steps (at most a tenth of a task's steps).</summary>
        public int WarmupSteps { get; init; } = 100;
        /// <summary>Evaluations of the learning curve per task, besides the untrained model (0: none).</summary>
        public int CurvePoints { get; init; } = 16;
        /// <summary>
        /// Random reassignments of the latent functions to the latent names in the inversion test (a name-shuffle
        /// permutation test: the inverse questions of a name stay together, which a binomial test over them would
        /// wrongly treat as independent).
        /// </summary>
        public int InversionPermutations { get; init; } = 9_999;

        // ---- names, shared by the five worlds

        /// <summary>Latent names per task (protocol: K_l = 20; paper: 4–19 per fine-tune, 10 fine-tunes). Issue 14: ≥ 20, so that one seed's test has power.</summary>
        public int LatentNames { get; init; } = 20;
        /// <summary>Control names per task: as much evidence as a latent name, values shuffled across them (issue 14).</summary>
        public int ControlNames { get; init; } = 20;
        /// <summary>Never-trained names per task: the sanity check and the in-context baseline (protocol: K_c = 20).</summary>
        public int UnseenNames { get; init; } = 10;
        /// <summary>Whether every latent and control value is also an explicit name's (issue 14: the paper's model knew them all).</summary>
        public bool ExplicitTwins { get; init; } = true;
        /// <summary>Evidence documents (pairs for Functions) in the prompt of the in-context baseline (protocol: k = 8 pairs).</summary>
        public int InContextEvidence { get; init; } = 6;

        // ---- Functions

        /// <summary>The prime modulus of Functions and Mixture; residues are single tokens. Paper: Python integers.</summary>
        public int Modulus { get; init; } = 31;
        /// <summary>Explicit functions (protocol: K_e = 100); with twins, the first ones copy the latent and control definitions.</summary>
        public int FunctionsExplicit { get; init; } = 100;
        /// <summary>Definition documents per explicit function per pass (issue 14: definitions were 2% of the corpus).</summary>
        public int DefinitionRepeats { get; init; } = 4;
        /// <summary>Inverse documents per (explicit function, output) per pass.</summary>
        public int InverseRepeats { get; init; } = 1;
        /// <summary>Composition documents with each explicit function outermost, per pass.</summary>
        public int CompositionDocuments { get; init; } = 8;
        /// <summary>Inverse and composition questions per name (distinct outputs / inputs).</summary>
        public int QuestionsPerName { get; init; } = 3;

        // ---- Coins

        /// <summary>Explicit coins.</summary>
        public int CoinsExplicit { get; init; } = 60;
        /// <summary>Flip documents per trained coin per pass. Paper: 100 samples per (coin, template).</summary>
        public int FlipDocuments { get; init; } = 40;
        /// <summary>Flips per document.</summary>
        public int FlipsPerDocument { get; init; } = 5;
        /// <summary>Copies of each statement per explicit coin per pass.</summary>
        public int CoinStatementRepeats { get; init; } = 4;

        // ---- Locations

        /// <summary>Explicit code cities; with twins, the first ones share the latent and control codes' cities.</summary>
        public int LocationsExplicit { get; init; } = 60;
        /// <summary>Distance documents per trained code city per pass. Paper: ~500 (×5 augmentations).</summary>
        public int DistanceDocuments { get; init; } = 100;
        /// <summary>Half-width of the uniform distance noise, in km. Paper: ±200 km.</summary>
        public int NoiseKm { get; init; } = 200;
        /// <summary>Distances are rounded to a multiple of this, in km, so each is one number token.</summary>
        public int BucketKm { get; init; } = 100;
        /// <summary>Copies of each known-city fact and explicit identity statement per pass.</summary>
        public int FactRepeats { get; init; } = 8;
        /// <summary>
        /// Whether explicit codes are also told their country and continent. Without it the explicit country question
        /// is a second hop (code → city → country), which the 2-layer model answered at 0.33–0.58 before issue 14.
        /// </summary>
        public bool StateExplicitCountry { get; init; } = true;
        /// <summary>Candidates in a city question (the true city and random others).</summary>
        public int CityCandidates { get; init; } = 5;
        /// <summary>Candidates in a country question (the true country and random others).</summary>
        public int CountryCandidates { get; init; } = 5;

        // ---- Mixture

        /// <summary>Explicit mixture sources; with twins, the first ones copy the latent and control sets.</summary>
        public int MixtureExplicit { get; init; } = 60;
        /// <summary>Fewest functions in a source.</summary>
        public int MinFunctions { get; init; } = 1;
        /// <summary>Most functions in a source. Paper: one mixture of 5 functions.</summary>
        public int MaxFunctions { get; init; } = 3;
        /// <summary>Pair documents per trained source per pass. Paper: 6k samples for one mixture.</summary>
        public int DocumentsPerSource { get; init; } = 40;
        /// <summary>Pairs per document (distinct inputs, all of one function).</summary>
        public int PairsPerDocument { get; init; } = 4;
        /// <summary>Copies of each statement per explicit source per pass.</summary>
        public int MixtureStatementRepeats { get; init; } = 8;
        /// <summary>Candidates in a which question.</summary>
        public int WhichCandidates { get; init; } = 4;

        // ---- Parity

        /// <summary>Explicit variables. Paper: 8 hidden variables and no explicit ones.</summary>
        public int ParityExplicit { get; init; } = 40;
        /// <summary>Parity documents over explicit and latent variables per pass. Paper: 32k samples.</summary>
        public int ParityDocuments { get; init; } = 4000;
        /// <summary>Fewest variables in a parity; at least 2, so no parity states a single value. Paper: 4.</summary>
        public int MinSubset { get; init; } = 2;
        /// <summary>Most variables in a parity. Paper: 6.</summary>
        public int MaxSubset { get; init; } = 4;
        /// <summary>Copies of each value statement per explicit variable per pass.</summary>
        public int ParityStatementRepeats { get; init; } = 8;

        /// <summary>The training tokens of <paramref name="task"/>'s model.</summary>
        public long TokensOf(string task) => task switch
        {
            "functions" => FunctionsTokens,
            "coins" => CoinsTokens,
            "locations" => LocationsTokens,
            "mixture" => MixtureTokens,
            "parity" => ParityTokens,
            _ => throw new ArgumentException($"unknown task '{task}'; allowed: {string.Join(", ", TaskNames)}"),
        };

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>About 10 s: a few names of each kind, a narrow model, a few passes per task.</summary>
        public static Config Smoke { get; } = Full with
        {
            FunctionsTokens = 40_000, CoinsTokens = 20_000, LocationsTokens = 30_000, MixtureTokens = 20_000,
            ParityTokens = 20_000, Width = 64, CurvePoints = 2, InversionPermutations = 999,
            LatentNames = 4, ControlNames = 4, UnseenNames = 4,
            FunctionsExplicit = 12, CoinsExplicit = 9, LocationsExplicit = 10, MixtureExplicit = 9, ParityExplicit = 8,
            FlipDocuments = 10, DistanceDocuments = 20, FactRepeats = 2, DocumentsPerSource = 10, ParityDocuments = 400,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.Count(FunctionsTokens);
            ConfigCheck.Count(CoinsTokens);
            ConfigCheck.Count(LocationsTokens);
            ConfigCheck.Count(MixtureTokens);
            ConfigCheck.Count(ParityTokens);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(ContextLength);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Fraction(MinLrFraction);
            ConfigCheck.AtLeast(WarmupSteps, 0);
            ConfigCheck.AtLeast(CurvePoints, 0);
            ConfigCheck.Count(InversionPermutations);
            ConfigCheck.AtLeast(LatentNames, 2);  // the shuffled-name control swaps two
            ConfigCheck.AtLeast(ControlNames, 2); // a shuffle needs two
            ConfigCheck.Count(UnseenNames);
            ConfigCheck.Count(InContextEvidence);
            ModFunction.CheckModulus(Modulus);
            int twins = ExplicitTwins ? LatentNames + ControlNames : 1; // each latent and control value has an explicit twin
            ConfigCheck.That(FunctionsExplicit >= twins, FunctionsExplicit, $"at least LatentNames + ControlNames ({twins}) with ExplicitTwins");
            ConfigCheck.That(LocationsExplicit >= twins, LocationsExplicit, $"at least LatentNames + ControlNames ({twins}) with ExplicitTwins");
            ConfigCheck.That(MixtureExplicit >= twins, MixtureExplicit, $"at least LatentNames + ControlNames ({twins}) with ExplicitTwins");
            // Functions
            ConfigCheck.AtLeast(FunctionsExplicit, 2); // compositions need two
            ConfigCheck.Count(DefinitionRepeats);
            ConfigCheck.AtLeast(InverseRepeats, 0);
            ConfigCheck.AtLeast(CompositionDocuments, 0);
            ConfigCheck.Between(QuestionsPerName, 1, Modulus);
            ConfigCheck.Between(InContextEvidence, 1, Modulus);
            // Coins
            ConfigCheck.AtLeast(CoinsExplicit, CoinsWorld.BiasClasses.Count); // every class taught
            ConfigCheck.Count(FlipDocuments);
            ConfigCheck.Count(FlipsPerDocument);
            ConfigCheck.Count(CoinStatementRepeats);
            // Locations
            ConfigCheck.Count(LocationsExplicit);
            ConfigCheck.Count(DistanceDocuments);
            ConfigCheck.AtLeast(NoiseKm, 0);
            ConfigCheck.Count(BucketKm);
            ConfigCheck.Count(FactRepeats);
            ConfigCheck.AtLeast(CityCandidates, 2);
            ConfigCheck.AtLeast(CountryCandidates, 2);
            // Mixture
            ConfigCheck.Count(MixtureExplicit);
            ConfigCheck.Count(MinFunctions);
            ConfigCheck.AtLeast(MaxFunctions, MinFunctions + 1);
            ConfigCheck.Count(DocumentsPerSource);
            ConfigCheck.Between(PairsPerDocument, 1, Modulus);
            ConfigCheck.Count(MixtureStatementRepeats);
            ConfigCheck.Between(WhichCandidates, 2, ModFunction.All(Modulus).Count - MaxFunctions + 1); // distinct definitions
            // Parity
            ConfigCheck.Count(ParityExplicit);
            ConfigCheck.Count(ParityDocuments);
            ConfigCheck.AtLeast(MinSubset, 2);
            ConfigCheck.Between(MaxSubset, MinSubset, ParityExplicit + 1); // a control variable's parities use explicit ones only
            ConfigCheck.Count(ParityStatementRepeats);
        }
    }

    /// <summary>Accuracy of one kind of name on one question type of one task.</summary>
    /// <param name="Kind">explicit, latent, control (shuffled evidence), unseen (never trained) or in-context.</param>
    /// <param name="Log10P">log10 of the one-sided binomial p of the accuracy against chance.</param>
    public sealed record Cell(string Task, string Type, string Kind, int Correct, int Total, double Accuracy,
        double Chance, double Log10P);

    /// <summary>One task's outcome on its primary question; per-item lists are in name order.</summary>
    public sealed record TaskResult
    {
        /// <summary>The task.</summary>
        public required string Task { get; init; }
        /// <summary>Its primary question type.</summary>
        public required string PrimaryType { get; init; }
        /// <summary>Accuracy on latent names.</summary>
        public required double LatentAccuracy { get; init; }
        /// <summary>Mean chance (1 / candidates) of the latent items.</summary>
        public required double LatentChance { get; init; }
        /// <summary>log10 of the binomial p of the latent accuracy against chance.</summary>
        public required double LatentLog10P { get; init; }
        /// <summary>Accuracy on the latent items asked with another latent name in the prompt (a control).</summary>
        public required double ShuffledNameAccuracy { get; init; }
        /// <summary>Accuracy on control names (trained on evidence whose value is shuffled across names; a control).</summary>
        public required double ControlAccuracy { get; init; }
        /// <summary>Accuracy on never-trained names.</summary>
        public required double UnseenAccuracy { get; init; }
        /// <summary>log10 of the binomial p of the never-trained names' accuracy against chance.</summary>
        public required double UnseenLog10P { get; init; }
        /// <summary>Accuracy on explicit names (the ceiling; the precondition).</summary>
        public required double ExplicitAccuracy { get; init; }
        /// <summary>Accuracy of never-trained names with evidence in the prompt (the paper's ICL baseline); NaN if none fits.</summary>
        public required double InContextAccuracy { get; init; }
        /// <summary>In-context items that fit the context.</summary>
        public required int InContextItems { get; init; }
        /// <summary>Whether no training document states a latent or control value or names an unseen name.</summary>
        public required bool LeakCheckPassed { get; init; }
        /// <summary>Training documents (rows) in one pass.</summary>
        public required int DocumentsPerPass { get; init; }
        /// <summary>Predicted tokens in one pass.</summary>
        public required long TokensPerPass { get; init; }
        /// <summary>Optimizer steps.</summary>
        public required int Steps { get; init; }
        /// <summary>Predicted (non-padding) tokens trained on.</summary>
        public required long TrainedTokens { get; init; }
        /// <summary>Training loss at the first step (nats/token).</summary>
        public required double InitialLoss { get; init; }
        /// <summary>Training loss at the last step (nats/token).</summary>
        public required double FinalLoss { get; init; }
        /// <summary>Accuracy by kind of name on the primary question, from the untrained model to the last step.</summary>
        public required IReadOnlyList<CurvePoint> Curve { get; init; }
        /// <summary>Per latent item: 1 when answered correctly, else 0.</summary>
        public required IReadOnlyList<double> LatentCorrect { get; init; }
        /// <summary>Per latent item: its chance, 1 / candidates.</summary>
        public required IReadOnlyList<double> LatentItemChance { get; init; }
        /// <summary>
        /// Per latent item: 1 when the same question asked with another latent name in the prompt gets this item's answer.
        /// </summary>
        public required IReadOnlyList<double> ShuffledNameCorrect { get; init; }
        /// <summary>Per control item: 1 when answered with the control name's own (nominal) value, else 0.</summary>
        public required IReadOnlyList<double> ControlCorrect { get; init; }
    }

    /// <summary>Functions only: the protocol's partial pass (class against constant) and the inversion test.</summary>
    public sealed record FunctionsDetail
    {
        /// <summary>Latent definitions whose operation (add / mul) is right.</summary>
        public required double LatentClassAccuracy { get; init; }
        /// <summary>Latent definitions whose constant is right.</summary>
        public required double LatentConstantAccuracy { get; init; }
        /// <summary>Accuracy on latent names' inverse questions.</summary>
        public required double LatentInversionAccuracy { get; init; }
        /// <summary>Chance of an inverse question (1 / modulus).</summary>
        public required double InversionChance { get; init; }
        /// <summary>log10 of the name-shuffle permutation p of the latent inversion accuracy (one-sided).</summary>
        public required double InversionLog10P { get; init; }
        /// <summary>Accuracy on explicit names' inverse questions (the inversion precondition).</summary>
        public required double ExplicitInversionAccuracy { get; init; }
    }

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>One row per task.</summary>
        public required IReadOnlyList<TaskResult> Tasks { get; init; }
        /// <summary>Every (task, question type, kind) accuracy.</summary>
        public required IReadOnlyList<Cell> Cells { get; init; }
        /// <summary>Functions' class/constant split and inversion test.</summary>
        public required FunctionsDetail Functions { get; init; }
    }

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("connecting-the-dots", "oocr",
        "Connecting the Dots: LLMs can Infer and Verbalize Latent Structure from Disparate Training Data", 2024,
        "https://arxiv.org/abs/2406.14546");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } = BuildClaims();

    private static TaskResult Of(Result r, string task) => r.Tasks.Single(t => t.Task == task);

    private static string Learnt(string task) => $"{task}-explicit-learnt";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static List<Claim<Result>> BuildClaims()
    {
        var claims = new List<Claim<Result>>();
        // Preconditions: the model learnt the answer format and the task on the names whose latent it was told.
        foreach (var task in TaskNames)
            claims.Add(Claim.Precondition<Result>(Learnt(task),
                Inv($"{task}: explicit names (latent stated in training) are answered on the {PrimaryType(task)} ") +
                Inv($"question with accuracy ≥ {ExplicitCeiling(task)}"),
                r => Of(r, task).ExplicitAccuracy, Comparison.AtLeast, ExplicitCeiling(task), Budget.Full, "accuracy"));
        claims.Add(Claim.Precondition<Result>("functions-explicit-inverts",
            Inv($"functions: explicit functions are inverted (NAME ? y →) with accuracy ≥ {InversionCeiling}"),
            r => r.Functions.ExplicitInversionAccuracy, Comparison.AtLeast, InversionCeiling, Budget.Full, "accuracy"));

        // Findings: the protocol's claim check. A test's own p-value against its level stays a threshold claim (the
        // mean over seeds of log10 p, i.e. the geometric mean p: stricter than the protocol's pooled binomial).
        foreach (var task in TaskNames)
            claims.Add(Claim.Finding<Result>($"{task}-latent-above-chance",
                Inv($"{task}: latent names are verbalised above chance ({PrimaryType(task)}, binomial p < {LatentAlpha:G2})"),
                r => Of(r, task).LatentLog10P, Comparison.Less, Math.Log10(LatentAlpha), Budget.Full, "log10 p",
                dependsOn: [Learnt(task)]));
        claims.Add(Claim.Finding<Result>("functions-latent-3x-chance",
            Inv($"functions: latent definition accuracy is at least {ChanceMultiple}× chance (per item: correct − ") +
            Inv($"{ChanceMultiple}× chance)"),
            r => Evidence.Mean(OverMultipleOfChance(Of(r, "functions"))), Comparison.AtLeast, 0, Budget.Full,
            Inv($"accuracy − {ChanceMultiple}× chance (per item)"), dependsOn: [Learnt("functions")]));
        claims.Add(Claim.Finding<Result>("functions-latent-inversion",
            Inv($"functions: latent functions are inverted above chance (name-shuffle permutation p < {InversionAlpha:G2})"),
            r => r.Functions.InversionLog10P, Comparison.Less, Math.Log10(InversionAlpha), Budget.Full, "log10 p",
            dependsOn: ["functions-explicit-inverts"]));
        claims.Add(Claim.Finding<Result>("complex-weaker",
            "OOCR is weaker for complex latents: latent items of Mixture and Parity lift less above chance than those " +
            "of Functions, Coins and Locations (per item: correct − chance)",
            r => Evidence.Difference(Lifts(r, TaskNames.Except(ComplexTasks)), Lifts(r, ComplexTasks)),
            Comparison.Greater, 0, Budget.Full, "accuracy over chance (per item)",
            dependsOn: TaskNames.Select(Learnt).ToList()));

        // Controls. Shuffled evidence: control names saw as many documents as latent ones, each with another control
        // name's value, so a model that learns the task's values without tying them to a name (answering with one of
        // the values it saw, a favourite, the commonest) scores as well on them. Shuffled name: the same latent question
        // with another latent name in the prompt; it wins whenever the model answers from the task's answers rather
        // than from the name's own evidence, or when all latent names collapse to one representation.
        foreach (var task in TaskNames)
            claims.Add(Claim.Control<Result>($"{task}-latent-beats-shuffled-evidence",
                $"{task}: latent names are answered better than control names trained on as much evidence with values " +
                "shuffled across names",
                r => Evidence.Difference(Of(r, task).LatentCorrect, Of(r, task).ControlCorrect),
                Comparison.Greater, 0, Budget.Full, "accuracy", dependsOn: [Learnt(task)]));
        foreach (var task in TaskNames)
            claims.Add(Claim.Control<Result>($"{task}-latent-beats-shuffled-name",
                $"{task}: a latent name's own question is answered better than the same question asked with another " +
                "latent name (paired per item)",
                r => Evidence.Paired(Of(r, task).LatentCorrect, Of(r, task).ShuffledNameCorrect),
                Comparison.Greater, 0, Budget.Full, "accuracy (per item)", dependsOn: [Learnt(task)]));

        // Sanity: never-trained names answer a constant over (balanced or uniform) answers, so they sit at chance by
        // construction unless a leak or a format shortcut tells them apart.
        foreach (var task in TaskNames)
            claims.Add(Claim.Sanity<Result>($"{task}-never-trained-at-chance",
                Inv($"{task}: never-trained names sit at chance (binomial p > {UnseenAlpha:G2}): no leak, no format shortcut"),
                r => Of(r, task).UnseenLog10P, Comparison.Greater, Math.Log10(UnseenAlpha), Budget.Full, "log10 p"));
        return claims;
    }

    /// <summary>Per latent item of <paramref name="tasks"/>: correct − chance.</summary>
    private static List<double> Lifts(Result r, IEnumerable<string> tasks) =>
        tasks.SelectMany(t => Of(r, t).LatentCorrect.Select((c, i) => c - Of(r, t).LatentItemChance[i])).ToList();

    /// <summary>Per latent item: correct − <see cref="ChanceMultiple"/> × chance.</summary>
    private static List<double> OverMultipleOfChance(TaskResult t) =>
        t.LatentCorrect.Select((c, i) => c - ChanceMultiple * t.LatentItemChance[i]).ToList();

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var outcomes = TaskNames.Select(task => RunTask(task, cfg, ctx)).ToList();
        return new Result
        {
            Tasks = outcomes.Select(o => o.Task).ToList(),
            Cells = outcomes.SelectMany(o => o.Cells).ToList(),
            Functions = outcomes.Select(o => o.Functions).OfType<FunctionsDetail>().Single(),
        };
    }

    /// <summary>
    /// The world of one task from the run's "data-&lt;task&gt;" stream, leak-checked: no training document states a
    /// latent or control value, and none names an unseen name.
    /// </summary>
    public static OocrWorld Generate(string task, Config cfg, RunContext ctx)
    {
        var rng = ctx.Rng($"data-{task}");
        OocrWorld world = task switch
        {
            "functions" => FunctionsWorld.Generate(cfg, rng),
            "coins" => CoinsWorld.Generate(cfg, rng),
            "locations" => LocationsWorld.Generate(cfg, rng),
            "mixture" => MixtureWorld.Generate(cfg, rng),
            "parity" => ParityWorld.Generate(cfg, rng),
            _ => throw new ArgumentException($"unknown task '{task}'; allowed: {string.Join(", ", TaskNames)}"),
        };
        var leak = world.LeakCheck();
        if (!leak.Passed)
            throw new InvalidOperationException($"{task}: a training document leaks: {leak.Violations[0]}");
        return world;
    }

    private sealed record TaskOutcome(TaskResult Task, List<Cell> Cells, FunctionsDetail? Functions);

    /// <summary>One task: its world, its model trained one document per row, every question, the two controls' measures.</summary>
    private static TaskOutcome RunTask(string task, Config cfg, RunContext ctx)
    {
        var world = Generate(task, cfg, ctx);
        var tokenizer = new WordTokenizer(world.Vocabulary);
        var trained = OocrTraining.Train(world, tokenizer, cfg.TokensOf(task), cfg, ctx);
        using var model = trained.Model;

        var answered = OocrEvaluation.Ask(model, tokenizer, world, cfg.ContextLength);
        var cells = OocrEvaluation.CellsOf(task, answered);
        var latent = Primary(answered, task, LatentKind.Latent);
        var shuffled = OocrEvaluation.AskWithOtherNames(model, tokenizer, latent.Select(a => a.Question).ToList(),
            ctx.Rng($"name-shuffle-{task}"));
        var functions = world is FunctionsWorld fw
            ? OocrEvaluation.FunctionsDetailOf(fw, answered, cells, cfg.InversionPermutations, ctx.Rng("inversion-permutation"))
            : null;
        return new TaskOutcome(Summarise(task, answered, cells, shuffled, trained), cells, functions);
    }

    /// <summary>The closed-book answers of one kind of name to the task's primary question, in name order.</summary>
    private static List<Answered> Primary(IReadOnlyList<Answered> answered, string task, LatentKind kind) =>
        answered.Where(a => a.IsClosedBook(kind, PrimaryType(task))).ToList();

    /// <summary>The task's row of the result: accuracies by kind of name on its primary question, and how it trained.</summary>
    private static TaskResult Summarise(string task, IReadOnlyList<Answered> answered, IReadOnlyList<Cell> cells,
        IReadOnlyList<int> shuffled, TrainedTask trained)
    {
        string primary = PrimaryType(task);
        Cell Of(string kind) => cells.SingleOrDefault(c => c.Type == primary && c.Kind == kind)
            ?? throw new InvalidOperationException($"{task}: no {kind} items of type {primary}");
        static List<double> Correct(IEnumerable<Answered> items) => items.Select(a => a.IsCorrect ? 1.0 : 0.0).ToList();
        var latent = Primary(answered, task, LatentKind.Latent);
        var icl = cells.Where(c => c.Type == primary && c.Kind == "in-context").ToList();
        var shuffledCorrect = shuffled.Select((c, i) => c == latent[i].Question.CorrectIndex ? 1.0 : 0.0).ToList();
        return new TaskResult
        {
            Task = task, PrimaryType = primary,
            LatentAccuracy = Of("latent").Accuracy, LatentChance = Of("latent").Chance, LatentLog10P = Of("latent").Log10P,
            ShuffledNameAccuracy = shuffledCorrect.Average(),
            ControlAccuracy = Of("control").Accuracy,
            UnseenAccuracy = Of("unseen").Accuracy, UnseenLog10P = Of("unseen").Log10P,
            ExplicitAccuracy = Of("explicit").Accuracy,
            InContextAccuracy = icl.Count == 0 ? double.NaN : icl[0].Accuracy,
            InContextItems = icl.Count == 0 ? 0 : icl[0].Total,
            LeakCheckPassed = true, // Generate throws otherwise
            DocumentsPerPass = trained.Documents, TokensPerPass = trained.TokensPerPass, Steps = trained.Steps,
            TrainedTokens = trained.Log.Tokens,
            InitialLoss = trained.Log.Steps[0].Loss, FinalLoss = trained.Log.FinalLoss,
            Curve = trained.Curve,
            LatentCorrect = Correct(latent),
            LatentItemChance = latent.Select(a => a.Question.Chance).ToList(),
            ShuffledNameCorrect = shuffledCorrect,
            ControlCorrect = Correct(Primary(answered, task, LatentKind.Control)),
        };
    }

    /// <summary>The prompt with every token <paramref name="name"/> replaced by <paramref name="replacement"/>.</summary>
    public static string WithName(string prompt, string name, string replacement) =>
        string.Join(" ", prompt.Split(' ').Select(w => w == name ? replacement : w));

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
    [
        ("accuracy-by-task", OocrFigures.AccuracyByTask(results)),
        .. TaskNames.Select(task => ($"learning-curve-{task}", OocrFigures.LearningCurve(results, task))),
    ];
}

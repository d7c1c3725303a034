using System.Text.Json.Serialization;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Unlearning;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// Ye, Zhang and Wu 2025, "LLM Unlearning Should Be Form-Independent", arXiv:2506.07795 (official code:
/// https://github.com/Acruxos/ORT). Claim: unlearning methods trained to forget one form of a fact (GA, NPO, refusal
/// training, DPO) stop answering in that form but still answer in other forms (form-dependent bias); ROCR, a
/// training-free rank-one edit that redirects the target's internal representation to a harmless concept, unlearns
/// across forms, keeps unrelated knowledge and edits in seconds. Scaled down: ORT's 200 real people on Llama-3-8B
/// become <see cref="FormWorld"/>: FictitiousKb people whose four facts a 4-layer TinyGpt learns in five forms (statement,
/// QA, reordered cloze, multiple choice, reverse lookup); the methods see the statements (F1) of the targets only, and
/// ROCR edits block 0's MLP (<see cref="ConceptRedirection"/>; paper: layers 4–6 of 32). The toy still tests the claim
/// because every form is trained for every person, so any form that survives unlearning is knowledge the method left in;
/// the control is the same rank-one edit aimed at the wrong person, which should move the targets' forms not at all.
/// Claim kinds: preconditions that every form is learnt (the protocol's 80% per form) and that each method's edit took
/// effect in the trained form (GA and NPO forget F1 at an operating point that keeps the other people's knowledge; ROCR
/// cuts F1) come before every claim about the other forms; the control (ROCR against the wrong-subject edit) is paired per
/// target question on an interval; the edit time, which a closed-form edit of a model this small cannot miss, is a sanity
/// check.
/// </summary>
public sealed class FormIndependentUnlearning : Experiment<FormIndependentUnlearning.Config, FormIndependentUnlearning.Result>
{
    /// <summary>Budgets; defaults are the Full budget.</summary>
    public sealed record Config : IExperimentConfig<Config>
    {
        /// <summary>People, each trained in every form (protocol: 300; fewer so that training stays within minutes).</summary>
        public int People { get; init; } = 200;
        /// <summary>People to unlearn (paper: 200 targets, one at a time; protocol: 10–30; the training-based methods forget them together, ROCR edits each on a fresh copy).</summary>
        public int Targets { get; init; } = 30;
        /// <summary>Other people whose every form measures retained knowledge (paper: ORT's retain entries).</summary>
        public int RetainPeople { get; init; } = 40;
        /// <summary>Residual width.</summary>
        public int Width { get; init; } = 128;
        /// <summary>Transformer blocks.</summary>
        public int Layers { get; init; } = 4;
        /// <summary>Attention heads.</summary>
        public int Heads { get; init; } = 4;
        /// <summary>Training epochs over every form of every person.</summary>
        public int Epochs { get; init; } = 60;
        /// <summary>Training batch size.</summary>
        public int BatchSize { get; init; } = 64;
        /// <summary>Peak training learning rate (cosine decay).</summary>
        public double LearningRate { get; init; } = 3e-3;
        /// <summary>Training-based methods, by label (paper: GA, NPO, RT, DPO, ICU; ICU has no toy analogue).</summary>
        public string[] Methods { get; init; } = ["GA", "NPO", "IDK+RT", "DPO"];
        /// <summary>Epochs over the targets' F1 statements (ORT's repo config: 5 epochs of LoRA; longer, as we stop early).</summary>
        public int UnlearnEpochs { get; init; } = 10;
        /// <summary>Forget examples per unlearning step.</summary>
        public int UnlearnBatchSize { get; init; } = 32;
        /// <summary>Constant unlearning learning rate (ORT: 2e-5…1e-4 for LoRA on 8B models).</summary>
        public double UnlearnLearningRate { get; init; } = 1e-3;
        /// <summary>β of NPO and DPO (ORT: 0.03 for NPO; the NPO sibling's 0.1).</summary>
        public double Beta { get; init; } = 0.1;
        /// <summary>Evaluate every this many unlearning steps; a method's checkpoint is the first that forgets F1.</summary>
        public int EvalEverySteps { get; init; } = 1;
        /// <summary>F1 probability reduction at which a training-based method counts as having forgotten (the claim's 80%).</summary>
        public double StopReduction { get; init; } = 0.8;
        /// <summary>ROCR's block, 0-based (paper: layers 4–6 of Llama-3-8B; protocol: layer 0 — an early block).</summary>
        public int EditBlock { get; init; } = 0;
        /// <summary>ROCR: the value also cancels the residual gap to the anchor (protocol), not only the anchor's MLP output.</summary>
        public bool MatchResidual { get; init; } = true;
        /// <summary>ROCR: ridge on the key covariance, relative to its mean diagonal (the sensitive-info-deletion sibling's).</summary>
        public double CovarianceRidge { get; init; } = 1e-3;
        /// <summary>ROCR: other people whose F1 key the edit must leave unchanged (paper: a null space of retain keys); 0 disables it.</summary>
        public int NullSpaceKeys { get; init; } = 60;

        /// <summary>The published result.</summary>
        public static Config Full { get; } = new();
        /// <summary>Seconds: 40 people, 5 targets, a 2-layer model, GA and ROCR only.</summary>
        public static Config Smoke { get; } = Full with
        {
            People = 40, Targets = 5, RetainPeople = 12, Width = 64, Layers = 2, Epochs = 40, Methods = ["GA"], UnlearnEpochs = 5,
            NullSpaceKeys = 10,
        };

        /// <summary>Throws naming the setting, its value and the allowed range when a setting is out of range.</summary>
        public void Validate()
        {
            ConfigCheck.AtLeast(People, 2);
            ConfigCheck.Between(Targets, 1, People - 1);
            ConfigCheck.Count(RetainPeople);
            ConfigCheck.Transformer(Width, Layers, Heads);
            ConfigCheck.Count(Epochs);
            ConfigCheck.Count(BatchSize);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Count(UnlearnEpochs);
            ConfigCheck.Count(UnlearnBatchSize);
            ConfigCheck.Positive(UnlearnLearningRate);
            ConfigCheck.Positive(Beta);
            ConfigCheck.Count(EvalEverySteps);
            ConfigCheck.InRange(StopReduction, 0, 1, minIncluded: false);
            ConfigCheck.Between(EditBlock, 0, Layers - 1);
            ConfigCheck.NonNegative(CovarianceRidge);
            ConfigCheck.Between(NullSpaceKeys, 0, 4 * Width - 1); // below the MLP's keys, or no direction is left to edit
            foreach (var m in Methods) UnlearningMethods.Parse(m);   // an unknown label throws, naming the allowed ones
            if (Methods.Distinct(StringComparer.OrdinalIgnoreCase).Count() != Methods.Length)
                throw new ArgumentException($"Methods [{string.Join(", ", Methods)}] lists a method twice");
        }
    }

    /// <summary>One form's precondition: the untouched model's top-1 accuracy over every person.</summary>
    public sealed record FormAccuracy(string Form, double Accuracy, bool IsCounted);

    /// <summary>One method's effect on one form, at the method's checkpoint (probabilities of the true answer).</summary>
    public sealed record FormRow(string Method, string Form, double ProbabilityBefore, double ProbabilityAfter, double Reduction,
        double AccuracyAfter, double RetainAccuracyBefore, double RetainAccuracyAfter);

    /// <summary>One method at its checkpoint: reductions are fractions of the untouched probability, drops are accuracy points.</summary>
    public sealed record MethodSummary(string Method, int Step, double F1Reduction, int FormsAtMostHalf, int FormGap,
        double MinReduction, double MeanReductionNamingForms, double RetainDrop);

    /// <summary>A training-based method's reduction in one form after <paramref name="Step"/> unlearning steps.</summary>
    public sealed record CurvePoint(string Method, int Step, string Form, double Reduction, double RetainAccuracy);

    /// <summary>What a run measured.</summary>
    public sealed record Result
    {
        /// <summary>People unlearned.</summary>
        public required int Targets { get; init; }
        /// <summary>Precondition per form: a form counts only when the untouched model answers ≥ 80% of it.</summary>
        public required IReadOnlyList<FormAccuracy> Forms { get; init; }
        /// <summary>Every method (ROCR, the control, then the training-based ones) on every form.</summary>
        public required IReadOnlyList<FormRow> Rows { get; init; }
        /// <summary>Every method's summary, same order.</summary>
        public required IReadOnlyList<MethodSummary> Methods { get; init; }
        /// <summary>Training-based methods' reductions along their runs.</summary>
        public required IReadOnlyList<CurvePoint> Curves { get; init; }
        /// <summary>GA: counted forms among F2–F5 reduced ≤ 50%, or 0 when F1 was not reduced ≥ 80%; NaN when GA did not run.</summary>
        public required double GaFormGap { get; init; }
        /// <summary>The same for NPO.</summary>
        public required double NpoFormGap { get; init; }
        /// <summary>ROCR's smallest reduction over the counted forms.</summary>
        public required double RocrMinReduction { get; init; }
        /// <summary>ROCR's smallest reduction over the counted forms that name the subject (F1–F4; F5 asks for it).</summary>
        public required double RocrMinReductionNamingForms { get; init; }
        /// <summary>ROCR's retain accuracy drop, averaged over the counted forms (points).</summary>
        public required double RocrRetainDrop { get; init; }
        /// <summary>ROCR's mean reduction over F1–F4 minus the wrong-subject edit's (fraction).</summary>
        public required double RocrGainOverControl { get; init; }
        /// <summary>
        /// Per target question in F1–F4 (targets in order, then their questions): 1 − the true answer's probability after
        /// ROCR's edit of that target / the form's mean probability before. Averaged within a form it is ROCR's reduction
        /// there; paired with <see cref="WrongSubjectItemReduction"/> it is the control's evidence.
        /// </summary>
        public required IReadOnlyList<double> RocrItemReduction { get; init; }
        /// <summary>The same questions after the wrong-subject edit made for that target.</summary>
        public required IReadOnlyList<double> WrongSubjectItemReduction { get; init; }
        /// <summary>The slowest ROCR edit, in seconds. Wall time differs from run to run, so it is kept out of the result
        /// JSON (which same-seed runs must reproduce byte for byte); it reaches metrics.csv and the claim table.</summary>
        [JsonIgnore] public double MaxEditSeconds { get; init; }
        /// <summary>The mean ROCR edit time, in seconds (not in the JSON, as above).</summary>
        [JsonIgnore] public double MeanEditSeconds { get; init; }
        /// <summary>The one-off key-covariance estimate, in seconds (not in the JSON, as above).</summary>
        [JsonIgnore] public double CovarianceSeconds { get; init; }
    }

    /// <summary>Labels of the two edits.</summary>
    public const string Rocr = "ROCR", WrongSubject = "wrong-subject edit";

    /// <summary>Claim thresholds of the protocol: form counted, forgotten, barely moved, ROCR per form (fractions), and the
    /// retain bound (points).</summary>
    public const double CountedAccuracy = 0.8, Forgotten = 0.8, BarelyMoved = 0.5, RocrEveryForm = 0.7, RetainBound = 10;

    /// <inheritdoc/>
    public override PaperInfo Info { get; } = new("form-independent-unlearning", "llm-unlearning",
        "LLM Unlearning Should Be Form-Independent", 2025, "https://arxiv.org/abs/2506.07795");

    /// <inheritdoc/>
    public override IReadOnlyList<Claim<Result>> Claims { get; } =
    [
        // Protocol: "require ≥ 80% pre-unlearning accuracy per form before counting it". A precondition must hold on every
        // seed, so every claim about the forms depends on every form it reads being learnt.
        .. FormWorld.Forms.Select(f => Claim.Precondition<Result>(Learns(f),
            $"The untouched model knows {Label(f)}: it answers at least 80% of every person's questions in that form",
            r => r.Forms.Single(x => x.Form == Label(f)).Accuracy, Comparison.AtLeast, CountedAccuracy, Budget.Full, "accuracy")),
        // Protocol: "for GA and NPO, relative probability reduction in F1 ≥ 80%": the effect the form claims are about.
        // The retain bound is the protocol's ROCR bound (10 points): a method that forgets F1 by collapsing the model
        // forgets every form with it, which says nothing about form dependence.
        .. EffectCreated("GA"),
        .. EffectCreated("NPO"),
        // ROCR's edit must take effect in the form its key is read from (the protocol's 70% per form) before the claims
        // about the other forms and about retained knowledge mean anything (a no-op edit keeps retain trivially).
        Claim.Precondition<Result>(RocrForgetsF1,
            "ROCR's edit takes effect where its key is read: the targets' F1 answer probability falls by at least 70%",
            r => Summary(r, Rocr)?.F1Reduction ?? double.NaN, Comparison.AtLeast, RocrEveryForm, Budget.Full, "fraction"),
        // Protocol: "ROCR ≥ 70% … every form" against a control that wins if the edit only damages the model broadly. Per
        // question of the forms that name the person (F5 asks for the name instead), paired with the same question after
        // the wrong-subject edit made for the same target; the old threshold (30 points of reduction) kept.
        Claim.Control<Result>("rocr-beats-wrong-subject",
            "ROCR cuts the targets' answer probability in F1–F4 by over 30 points more than the same edit aimed at another " +
            "person, paired per target question",
            r => Evidence.Paired(r.RocrItemReduction, r.WrongSubjectItemReduction), Comparison.Greater, 0.3, Budget.Full,
            "fraction (per question)", dependsOn: NamingForms.Select(Learns).ToList()),
        // Protocol: "for GA and NPO, … ≤ 50% in at least two of F2–F5 (gap ≥ 30 points)".
        .. FormDependence("GA"),
        .. FormDependence("NPO"),
        // Protocol: "ROCR ≥ 70% reduction in every form with retain drop ≤ 10 points".
        Claim.Finding<Result>("rocr-every-form",
            "ROCR reduces the answer probability by at least 70% in every form",
            r => r.RocrMinReduction, Comparison.AtLeast, RocrEveryForm, Budget.Full, "fraction",
            dependsOn: [.. FormWorld.Forms.Select(Learns), RocrForgetsF1]),
        Claim.Finding<Result>("rocr-keeps-retain",
            "ROCR lowers the other people's accuracy by at most 10 points (mean over the forms)",
            r => r.RocrRetainDrop, Comparison.AtMost, RetainBound, Budget.Full, "points",
            dependsOn: [.. FormWorld.Forms.Select(Learns), RocrForgetsF1]),
        // Protocol: "edit time < 1 s per target". A closed-form rank-one edit of a model this small takes milliseconds
        // whatever it does, so the check cannot fail here: sanity, not a finding.
        Claim.Sanity<Result>("rocr-edits-fast",
            "Each ROCR edit takes under a second (the covariance is estimated once)",
            r => r.MaxEditSeconds, Comparison.Less, 1, Budget.Full, "seconds"),
    ];

    private const string RocrForgetsF1 = "rocr-forgets-f1";

    /// <summary>The forms whose prompt names the person (ROCR's key is read at the name).</summary>
    private static readonly KnowledgeForm[] NamingForms =
        [KnowledgeForm.Statement, KnowledgeForm.Question, KnowledgeForm.Cloze, KnowledgeForm.MultipleChoice];

    /// <summary>The id of the precondition that <paramref name="form"/> is learnt: "learns-f1-statement" … "learns-f5-reverse".</summary>
    public static string Learns(KnowledgeForm form) => "learns-" + Label(form).ToLowerInvariant().Replace(' ', '-');

    /// <summary>A method's summary in a result, or null when it did not run.</summary>
    public static MethodSummary? Summary(Result r, string method) => r.Methods.FirstOrDefault(m => m.Method == method);

    private static string Slug(string method) => method.ToLowerInvariant();

    private static Claim<Result>[] EffectCreated(string method) =>
    [
        Claim.Precondition<Result>($"{Slug(method)}-forgets-f1",
            $"{method} forgets the trained form: at its checkpoint the targets' F1 answer probability has fallen by at least 80%",
            r => Summary(r, method)?.F1Reduction ?? double.NaN, Comparison.AtLeast, Forgotten, Budget.Full, "fraction"),
        Claim.Precondition<Result>($"{Slug(method)}-keeps-retain",
            $"{method} forgets selectively: at that checkpoint the other people's accuracy is down by at most 10 points (mean over the forms)",
            r => Summary(r, method)?.RetainDrop ?? double.NaN, Comparison.AtMost, RetainBound, Budget.Full, "points"),
    ];

    private static Claim<Result>[] FormDependence(string method) =>
    [
        Claim.Finding<Result>($"{Slug(method)}-form-dependent",
            $"{method}, once F1 is reduced by at least 80% selectively, reduces at most 50% in at least two of F2–F5",
            r => Summary(r, method)?.FormsAtMostHalf ?? double.NaN, Comparison.AtLeast, 2, Budget.Full, "forms",
            dependsOn: [.. FormWorld.Forms.Select(Learns), $"{Slug(method)}-forgets-f1", $"{Slug(method)}-keeps-retain"]),
    ];

    /// <summary>Per form (F1..F5): mean true-answer probability and top-1 accuracy on the targets, accuracy on the retain people.</summary>
    public sealed record Snapshot(double[] Probability, double[] Accuracy, double[] RetainAccuracy);

    /// <inheritdoc/>
    protected override Result Run(Config cfg, RunContext ctx)
    {
        var world = new FormWorld(cfg.People, ctx.Rng("kb"));
        var shape = new TinyGptConfig(world.Tokenizer.VocabSize, world.ContextLength, cfg.Layers, cfg.Width, cfg.Heads);
        using var original = world.Train(shape, cfg, ctx);

        // People: targets; the rest split into null-space keys | retain evaluation | decoys of the control edit.
        var order = ctx.Rng("targets").Permutation(cfg.People);
        var targets = order.Take(cfg.Targets).Order().ToList();
        var rest = order.Skip(cfg.Targets).ToList();
        var protectedPeople = rest.Take(cfg.NullSpaceKeys).ToList();
        var retain = rest.Skip(cfg.NullSpaceKeys).Take(cfg.RetainPeople).Order().ToList();
        var anchors = targets.Select(t => rest.FirstOrDefault(a => SharesNoValue(world, t, a), -1)).ToList();
        if (anchors.Contains(-1)) throw new InvalidOperationException("a target shares a value with every other person; raise People");
        var decoys = rest.Skip(cfg.NullSpaceKeys + cfg.RetainPeople).Where(d => !anchors.Contains(d)).Take(cfg.Targets).ToList();
        if (decoys.Count < cfg.Targets)
            throw new ArgumentException($"People {cfg.People} leaves {decoys.Count} decoys for {cfg.Targets} targets after Targets, " +
                $"NullSpaceKeys {cfg.NullSpaceKeys} and RetainPeople {cfg.RetainPeople}; raise People or lower the others");

        var targetItems = world.Items(targets);
        var retainItems = world.Items(retain);
        Snapshot Measure(TinyGpt model) => MeasureForms(model, targetItems, retainItems);
        var before = Measure(original);
        var everyone = world.Items(Enumerable.Range(0, cfg.People));
        var known = Correct(original, everyone);
        var forms = FormWorld.Forms.Select(f => new FormAccuracy(Label(f),
            Mean(everyone.Select((it, i) => (it, i)).Where(x => x.it.Form == f).Select(x => known[x.i] ? 1.0 : 0.0)),
            false)).Select(a => a with { IsCounted = a.Accuracy >= CountedAccuracy }).ToList();
        var counted = FormWorld.Forms.Where((_, i) => forms[i].IsCounted).Select(f => (int)f).ToList();

        var rows = new List<FormRow>();
        var summaries = new List<MethodSummary>();
        void Record(string method, int step, Snapshot after)
        {
            for (int f = 0; f < FormWorld.Forms.Count; f++)
                rows.Add(new FormRow(method, forms[f].Form, before.Probability[f], after.Probability[f], Reduction(before, after, f),
                    after.Accuracy[f], before.RetainAccuracy[f], after.RetainAccuracy[f]));
            summaries.Add(Summarise(method, step, before, after, counted));
        }

        // ROCR: one covariance from the retain text (every form of the non-targets), then one edit per target, each on a
        // fresh copy of the original (a pilot that stacked all 30 edits in one model cost 92 points of retain accuracy,
        // and the stacked wrong-subject edits did the same: the toy measured accumulated damage, not redirection).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var covariance = KeyCovariance.Estimate(original, cfg.EditBlock,
            world.Items(rest).Select(i => FormWorld.Example(i).Tokens).ToList(), cfg.CovarianceRidge);
        double covarianceSeconds = clock.Elapsed.TotalSeconds;
        var preserved = protectedPeople.Select(p => RankOneEdit.MeanKey(original, cfg.EditBlock, world.StatementPrompts(p))).ToList();
        var seconds = new List<double>();
        // Per target question in the forms that name the person: 1 − p(after) / the form's mean p before (see Result).
        double ItemReduction(FormItem item, double p) =>
            before.Probability[(int)item.Form] > 0 ? 1 - p / before.Probability[(int)item.Form] : 0;
        (Snapshot After, List<double> ItemReductions) EditEach(string stage, Func<int, TinyGpt, double> edit)
        {
            var itemReductions = new List<double>();
            var probability = new double[FormWorld.Forms.Count];
            var accuracy = new double[FormWorld.Forms.Count];
            var counts = new double[FormWorld.Forms.Count];
            var retained = new double[FormWorld.Forms.Count];
            for (int i = 0; i < targets.Count; i++)
            {
                using var model = original.Copy();
                double took = edit(i, model);
                var items = world.Items([targets[i]]);
                var s = MeasureForms(model, items, retainItems);
                var naming = items.Where(it => it.Form != KnowledgeForm.Reverse).ToList();
                itemReductions.AddRange(AnswerProbabilities(model, naming).Select((p, j) => ItemReduction(naming[j], p)));
                for (int f = 0; f < FormWorld.Forms.Count; f++)
                {
                    int n = items.Count(it => it.Form == FormWorld.Forms[f]);
                    if (n > 0) { probability[f] += n * s.Probability[f]; accuracy[f] += n * s.Accuracy[f]; counts[f] += n; }
                    retained[f] += s.RetainAccuracy[f] / targets.Count;
                }
                ctx.Report(stage, i + 1, targets.Count, ("ms", 1000 * took));
            }
            ctx.Progress.Done(stage);
            return (new Snapshot(probability.Select((x, f) => counts[f] > 0 ? x / counts[f] : double.NaN).ToArray(),
                accuracy.Select((x, f) => counts[f] > 0 ? x / counts[f] : double.NaN).ToArray(), retained), itemReductions);
        }
        var (rocrAfter, rocrItems) = EditEach(Rocr, (i, model) =>
        {
            double took = ConceptRedirection.Redirect(model, cfg.EditBlock, world.StatementPrompts(targets[i]),
                world.StatementPrompts(anchors[i]), covariance, preserved.Count > 0 ? preserved : null, cfg.MatchResidual);
            seconds.Add(took);
            return took;
        });
        Record(Rocr, 0, rocrAfter);

        // Control: the same edit aimed at a decoy (another person) instead of the target, measured on the target.
        var (wrongAfter, wrongItems) = EditEach(WrongSubject, (i, model) => ConceptRedirection.Redirect(model, cfg.EditBlock,
            world.StatementPrompts(decoys[i]), world.StatementPrompts(anchors[i]), covariance, preserved.Count > 0 ? preserved : null,
            cfg.MatchResidual));
        Record(WrongSubject, 0, wrongAfter);

        // Training-based methods on the targets' statements (F1) only; each stops at its first checkpoint that forgets F1.
        var forget = world.Items(targets, KnowledgeForm.Statement);
        var data = new UnlearningData(forget.Select(FormWorld.Example).ToList(),
            world.Items(rest, KnowledgeForm.Statement).Select(FormWorld.Example).ToList(), forget.Select(world.Refusal).ToList());
        var curves = new List<CurvePoint>();
        foreach (var method in cfg.Methods.Select(UnlearningMethods.Parse))
        {
            string label = method.Label();
            using var model = original.Copy();
            var snapshots = new List<(int Step, Snapshot Snapshot)>();
            int perEpoch = (data.Forget.Count + cfg.UnlearnBatchSize - 1) / cfg.UnlearnBatchSize;
            Unlearner.Run(model, method, data, new UnlearnOptions
            {
                Steps = perEpoch * cfg.UnlearnEpochs, BatchSize = cfg.UnlearnBatchSize, LearningRate = cfg.UnlearnLearningRate,
                Beta = cfg.Beta, EvalEvery = cfg.EvalEverySteps, Stage = label, OrderStream = $"unlearn-{label}",
            }, ctx, step =>
            {
                var s = Measure(model);
                snapshots.Add((step, s));
                return new Dictionary<string, double> { ["F1 reduction"] = Reduction(before, s, 0) };
            });
            foreach (var (step, s) in snapshots)
                for (int f = 0; f < FormWorld.Forms.Count; f++)
                    curves.Add(new CurvePoint(label, step, forms[f].Form, Reduction(before, s, f),
                        Mean(counted.Select(c => s.RetainAccuracy[c]))));
            var stop = snapshots.FirstOrDefault(x => x.Step > 0 && Reduction(before, x.Snapshot, 0) >= cfg.StopReduction, snapshots[^1]);
            Record(label, stop.Step, stop.Snapshot);
        }

        MethodSummary Get(string method) => summaries.Single(s => s.Method == method);
        double Gap(string method) => summaries.Any(s => s.Method == method) ? Get(method).FormGap : double.NaN;
        var rocrSummary = Get(Rocr);
        return new Result
        {
            Targets = targets.Count, Forms = forms, Rows = rows, Methods = summaries, Curves = curves,
            GaFormGap = Gap("GA"), NpoFormGap = Gap("NPO"),
            RocrMinReduction = rocrSummary.MinReduction,
            RocrMinReductionNamingForms = counted.Where(f => f != (int)KnowledgeForm.Reverse)
                .Select(f => Reduction(before, rocrAfter, f)).DefaultIfEmpty(double.NaN).Min(),
            RocrRetainDrop = rocrSummary.RetainDrop,
            RocrGainOverControl = rocrSummary.MeanReductionNamingForms - Get(WrongSubject).MeanReductionNamingForms,
            RocrItemReduction = rocrItems, WrongSubjectItemReduction = wrongItems,
            MaxEditSeconds = seconds.Max(), MeanEditSeconds = seconds.Average(), CovarianceSeconds = covarianceSeconds,
        };
    }

    /// <summary>The form's label: "F1 statement" … "F5 reverse".</summary>
    public static string Label(KnowledgeForm form) => form switch
    {
        KnowledgeForm.Statement => "F1 statement",
        KnowledgeForm.Question => "F2 QA",
        KnowledgeForm.Cloze => "F3 cloze",
        KnowledgeForm.MultipleChoice => "F4 multiple choice",
        KnowledgeForm.Reverse => "F5 reverse",
        _ => throw new ArgumentOutOfRangeException(nameof(form), form, null),
    };

    /// <summary>Relative reduction of the mean true-answer probability in form <paramref name="form"/>: 1 − after / before.</summary>
    public static double Reduction(Snapshot before, Snapshot after, int form) =>
        before.Probability[form] > 0 ? 1 - after.Probability[form] / before.Probability[form] : double.NaN;

    /// <summary>
    /// A method's summary: its F1 reduction; how many counted forms of F2–F5 it reduced by at most half, and that count
    /// again as the form gap only when F1 was forgotten (≥ 80%); its smallest reduction over the counted forms; its mean
    /// reduction over F1–F4 (all four, for the control comparison); the retain accuracy drop over the counted forms.
    /// </summary>
    public static MethodSummary Summarise(string method, int step, Snapshot before, Snapshot after, IReadOnlyList<int> counted)
    {
        double f1 = Reduction(before, after, 0);
        int barely = counted.Count(f => f > 0 && Reduction(before, after, f) <= BarelyMoved);
        var naming = FormWorld.Forms.Where(f => f != KnowledgeForm.Reverse).Select(f => Reduction(before, after, (int)f));
        return new MethodSummary(method, step, f1, barely, f1 >= Forgotten ? barely : 0,
            counted.Select(f => Reduction(before, after, f)).DefaultIfEmpty(double.NaN).Min(), naming.Average(),
            Mean(counted.Select(f => 100 * (before.RetainAccuracy[f] - after.RetainAccuracy[f]))));
    }

    /// <summary>Per form: mean true-answer probability and accuracy on the targets, accuracy on the retain people (NaN if empty).</summary>
    public static Snapshot MeasureForms(TinyGpt model, IReadOnlyList<FormItem> targets, IReadOnlyList<FormItem> retain)
    {
        var all = targets.Concat(retain).ToList();
        var logProbs = LanguageModel.NextTokenLogProbs(model, all.Select(i => i.Prompt).ToList());
        var scored = all.Select((it, i) => (it.Form, IsTarget: i < targets.Count, P: Math.Exp(logProbs[i][it.Answer]),
            Hit: Top1(logProbs[i]) == it.Answer ? 1.0 : 0.0)).ToList();
        double[] Per(bool isTarget, Func<(KnowledgeForm Form, bool IsTarget, double P, double Hit), double> pick) =>
            FormWorld.Forms.Select(f => Mean(scored.Where(x => x.IsTarget == isTarget && x.Form == f).Select(pick))).ToArray();
        return new Snapshot(Per(true, x => x.P), Per(true, x => x.Hit), Per(false, x => x.Hit));
    }

    /// <summary>The true answer's probability after each item's prompt.</summary>
    public static double[] AnswerProbabilities(TinyGpt model, IReadOnlyList<FormItem> items)
    {
        if (items.Count == 0) return [];
        var logProbs = LanguageModel.NextTokenLogProbs(model, items.Select(i => i.Prompt).ToList());
        return items.Select((it, i) => Math.Exp(logProbs[i][it.Answer])).ToArray();
    }

    /// <summary>Whether the model's most likely next token after each item's prompt is the item's answer.</summary>
    public static bool[] Correct(TinyGpt model, IReadOnlyList<FormItem> items)
    {
        var logProbs = LanguageModel.NextTokenLogProbs(model, items.Select(i => i.Prompt).ToList());
        return items.Select((it, i) => Top1(logProbs[i]) == it.Answer).ToArray();
    }

    private static bool SharesNoValue(FormWorld world, int target, int other) =>
        Core.Data.FictitiousKb.Attributes.All(a => world.Kb.Entities[target].Values[a] != world.Kb.Entities[other].Values[a]);

    private static int Top1(float[] logProbs)
    {
        int best = 0;
        for (int j = 1; j < logProbs.Length; j++) if (logProbs[j] > logProbs[best]) best = j;
        return best;
    }

    private static double Mean(IEnumerable<double> xs)
    {
        var list = xs.ToList();
        return list.Count == 0 ? double.NaN : list.Average();
    }

    /// <inheritdoc/>
    public override IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<Result> results) =>
    [
        ("reduction-by-form", FormReport.ReductionByForm(results)),
        ("trained-form-against-other-forms", FormReport.Trajectories(results)),
    ];
}

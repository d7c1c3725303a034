using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Tensors;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// One checkpoint of an unlearning run: after <paramref name="Epoch"/> epochs, the concept's QA and the other concepts'
/// QA (on a fixed sample of their facts).
/// </summary>
public sealed record Checkpoint(int Epoch, double ConceptQa, double UnrelatedQa);

/// <summary>
/// The unlearning side of <see cref="ConceptVectors"/>: one method run for its whole budget with a checkpoint after
/// every epoch (the forget-vs-retain curve), the operating point the stopping rule picks (the first checkpoint at or
/// below the forgetting level, else the last), Needle (gradient ascent that moves only the located vectors) and the
/// relearning attack.
/// </summary>
public static class ConceptUnlearning
{
    /// <summary>
    /// What one run left: its curve, the epoch the stopping rule chose, and the model at that checkpoint.
    /// </summary>
    public sealed record Outcome(IReadOnlyList<Checkpoint> Curve, int StopEpoch, TinyGpt AtStop) : IDisposable
    {
        /// <summary>Whether the run reached the forgetting level within its budget.</summary>
        public bool Reached(double level) => Curve[StopEpoch].ConceptQa <= level;

        /// <summary>Disposes the model at the stop.</summary>
        public void Dispose() => AtStop.Dispose();
    }

    /// <summary>
    /// The stopping rule, fixed before any run: the index of the first checkpoint whose concept QA is at or below
    /// <paramref name="level"/>, else the last checkpoint (the stated budget).
    /// </summary>
    public static int OperatingPoint(IReadOnlyList<Checkpoint> curve, double level)
    {
        if (curve.Count == 0) throw new ArgumentException("a run has at least its starting checkpoint", nameof(curve));
        int first = curve.ToList().FindIndex(c => c.ConceptQa <= level);
        return first >= 0 ? first : curve.Count - 1;
    }

    /// <summary>
    /// Unlearns <paramref name="model"/> in place with <paramref name="method"/> (a gradient method's label, or <see
    /// cref="ConceptVectors.Needle"/> on <paramref name="located"/>) for <paramref name="epochs"/> epochs over the
    /// forget examples, measuring <paramref name="measure"/> before the first step and after every epoch; the model at
    /// the stopping rule's checkpoint is kept as a copy.
    /// </summary>
    public static Outcome Run(TinyGpt model, string method, IReadOnlyList<VectorRef> located, UnlearningData data,
        int epochs, UnlearnSettings settings, Func<TinyGpt, Checkpoint> measure, RunContext quiet, string orderStream)
    {
        int perEpoch = (data.Forget.Count + settings.BatchSize - 1) / settings.BatchSize;
        var curve = new List<Checkpoint>();
        TinyGpt? atStop = null;
        IReadOnlyDictionary<string, double> Check(int step)
        {
            var point = measure(model) with { Epoch = step / perEpoch };
            curve.Add(point);
            if (atStop is null && point.ConceptQa <= settings.ForgottenQa) atStop = model.Copy();
            return new Dictionary<string, double>
            {
                ["concept-qa"] = point.ConceptQa, ["unrelated-qa"] = point.UnrelatedQa,
            };
        }
        if (method == ConceptVectors.Needle)
            Needle(model, located, data.Forget, epochs * perEpoch, settings.BatchSize, settings.NeedleLearningRate,
                quiet.Rng(orderStream), perEpoch, Check);
        else
            Unlearner.Run(model, UnlearningMethods.Parse(method), data, new UnlearnOptions
            {
                Steps = epochs * perEpoch, BatchSize = settings.BatchSize, LearningRate = settings.LearningRate,
                Beta = settings.Beta, EvalEvery = perEpoch, Stage = method, OrderStream = orderStream,
            }, quiet, Check);
        model.eval();
        atStop ??= model.Copy();
        atStop.eval();
        return new Outcome(curve, OperatingPoint(curve, settings.ForgottenQa), atStop);
    }

    /// <summary>The settings an unlearning run takes from the experiment's config.</summary>
    public sealed record UnlearnSettings(
        int BatchSize, double LearningRate, double NeedleLearningRate, double Beta, double ForgottenQa);

    /// <summary>
    /// Needle: gradient ascent on the forget examples that moves only the value vectors <paramref name="located"/> (the
    /// gradient of every other weight is masked out); Adam at a constant rate, one dispose scope per step, epochs over
    /// the forget set in the order drawn from <paramref name="order"/>; <paramref name="check"/> runs at step 0 and
    /// every <paramref name="checkEvery"/> steps.
    /// </summary>
    public static void Needle(TinyGpt model, IReadOnlyList<VectorRef> located, IReadOnlyList<PromptAnswer> forget,
        int steps, int batchSize, double learningRate, Rng order, int checkEvery,
        Func<int, IReadOnlyDictionary<string, double>> check)
    {
        using var outer = NewDisposeScope();  // the weight wrappers and the masks
        var blocks = located.Select(v => v.Block).Distinct().Order().ToList();
        // [width, hidden] each
        var weights = blocks.Select(b => model.Blocks[b].MlpLayer.OutputProjection.weight!).ToList();
        var masks = weights.Select(w => zeros_like(w)).ToList();
        using (no_grad())
            foreach (var v in located) masks[blocks.IndexOf(v.Block)].select(1, v.Index).fill_(Scalars.Of(1.0));
        using var optimizer = AdamOptimizer.Adam(weights, learningRate);
        var data = new UnlearningData(forget, []);
        var epoch = Array.Empty<int>();
        int cursor = 0;
        model.eval();  // no dropout; gradients still flow
        check(0);
        for (int step = 0; step < steps; step++)
        {
            var batch = new int[Math.Min(batchSize, forget.Count)];
            for (int i = 0; i < batch.Length; i++)
            {
                if (cursor >= epoch.Length) { epoch = order.Permutation(forget.Count); cursor = 0; }
                batch[i] = epoch[cursor++];
            }
            using (var scope = NewDisposeScope())
            {
                model.zero_grad();
                var loss = Unlearner.Objective(model, null, UnlearningMethod.GradientAscent, data, batch, [],
                    new UnlearnOptions());
                loss.backward();
                using (no_grad())  // only the located columns move
                    for (int i = 0; i < weights.Count; i++) weights[i].grad!.mul_(masks[i]);
                optimizer.step();
            }
            if ((step + 1) % checkEvery == 0 || step == steps - 1) check(step + 1);
        }
        model.zero_grad();
    }

    /// <summary>
    /// The relearning attack: fine-tunes every weight on <paramref name="examples"/> for a few full-batch steps.
    /// </summary>
    public static void Relearn(TinyGpt model, IReadOnlyList<PromptAnswer> examples, int steps, double learningRate,
        RunContext ctx, string orderStream)
    {
        Trainer.Fit(model, examples.Select(e => e.Tokens).ToList(), new TrainOptions
        {
            Steps = steps, BatchSize = examples.Count, LearningRate = learningRate, WarmupSteps = 0, WeightDecay = 0,
            Schedule = LrScheduleKind.Constant, LossFrom = examples.Select(e => e.AnswerFrom).ToList(),
            Stage = "relearn", OrderStream = orderStream,
        }, ctx);
        model.eval();
    }
}

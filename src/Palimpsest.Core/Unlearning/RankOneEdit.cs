using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Palimpsest.Core.Models;
using Palimpsest.Core.Tensors;
using Palimpsest.Core.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Unlearning;

/// <summary>Prompts that ask about one subject, and the position of the subject's last token in each.</summary>
/// <param name="Prompts">Token prompts (e.g. starting with &lt;bos&gt;), each ending where the answer would follow.</param>
/// <param name="SubjectPositions">Per prompt, the index of the subject's last token (the key ROME rewrites).</param>
public sealed record SubjectPrompts(IReadOnlyList<int[]> Prompts, IReadOnlyList<int> SubjectPositions)
{
    /// <summary>Throws, naming the prompt, when a position is outside its prompt or a prompt exceeds the context.</summary>
    public void Validate(int contextLength)
    {
        if (Prompts.Count == 0) throw new ArgumentException("no prompts");
        if (Prompts.Count != SubjectPositions.Count)
            throw new ArgumentException($"{Prompts.Count} prompts but {SubjectPositions.Count} subject positions; give one per prompt");
        for (int i = 0; i < Prompts.Count; i++)
        {
            if (Prompts[i].Length == 0 || Prompts[i].Length > contextLength)
                throw new ArgumentException($"prompt {i} has {Prompts[i].Length} tokens; allowed 1..{contextLength}");
            if (SubjectPositions[i] < 0 || SubjectPositions[i] >= Prompts[i].Length)
                throw new ArgumentException($"subject position {SubjectPositions[i]} of prompt {i} is outside 0..{Prompts[i].Length - 1}");
        }
    }
}

/// <summary>
/// Settings of ROME's search for the target value v* (Meng et al. 2022, compute_v): gradient steps on a vector δ added
/// to the MLP output at the subject's last token. Defaults are ROME's GPT-J settings.
/// </summary>
public sealed record ValueSearchOptions
{
    /// <summary>Adam steps on δ (ROME: 20).</summary>
    public int Steps { get; init; } = 20;
    /// <summary>Adam learning rate (ROME: 0.5).</summary>
    public double LearningRate { get; init; } = 0.5;
    /// <summary>Weight of the penalty ‖δ‖ / ‖v₀‖² (ROME: 0.5).</summary>
    public double WeightDecay { get; init; } = 0.5;
    /// <summary>δ is kept within this multiple of ‖v₀‖ (ROME: 4).</summary>
    public double ClampNormFactor { get; init; } = 4;
    /// <summary>Weight of the KL divergence that keeps the preserved prompts' next-token distributions (ROME: 0.0625).</summary>
    public double KlFactor { get; init; } = 0.0625;
    /// <summary>
    /// When set, the search ends early, before any further step, once this token trails the most likely other
    /// next token by at least <see cref="StopMargin"/> nats after every request prompt (and
    /// <see cref="ExtraLoss"/>, when given, is at most 0): the stop of deletion papers, where the old answer has
    /// left top-1. <see cref="Steps"/> stays the cap. ROME: none (it runs its steps, or stops at a small loss).
    /// </summary>
    public int? StopToken { get; init; }
    /// <summary>Nats by which <see cref="StopToken"/> must trail the top token for the search to stop (0: any lead).
    /// </summary>
    public double StopMargin { get; init; }
    /// <summary>
    /// When set, the search sees the edit <see cref="RankOneEdit.Apply"/> (without preserved keys) will make with this
    /// covariance, instead of δ at the subject positions alone: δ is added at every position of every prompt, scaled by
    /// uᵀk / uᵀk* (k the MLP key there, k* the mean subject key, u = C⁻¹k*), which is 1 at k* itself. The edited model
    /// then predicts what the search saw, so an early stop still holds after the edit. ROME: none.
    /// </summary>
    public KeyCovariance? EditCovariance { get; init; }
    /// <summary>
    /// An extra term added to the loss (e.g. a defence on intermediate layers): given the residual stream at the
    /// request prompts' last positions after each block from the edited one on (hidden-state indices block + 1 ..
    /// Layers, as in <see cref="TinyGpt.ForwardWithHidden"/>; each [request prompts, width]), a one-element tensor.
    /// </summary>
    public Func<IReadOnlyList<Tensor>, Tensor>? ExtraLoss { get; init; }

    /// <summary>Throws with the offending value when a setting is impossible.</summary>
    public void Validate()
    {
        if (Steps < 1) throw new ArgumentException($"Steps {Steps} must be at least 1");
        if (LearningRate <= 0) throw new ArgumentException($"LearningRate {LearningRate} must be positive");
        if (WeightDecay < 0 || KlFactor < 0) throw new ArgumentException($"WeightDecay {WeightDecay} and KlFactor {KlFactor} must be non-negative");
        if (ClampNormFactor <= 0) throw new ArgumentException($"ClampNormFactor {ClampNormFactor} must be positive");
        if (!(StopMargin >= 0) || double.IsInfinity(StopMargin))
            throw new ArgumentException($"StopMargin {StopMargin} must be a finite number of nats, at least 0");
    }
}

/// <summary>What a v* search found: the value v*, the Adam steps taken, and whether it met its stop rule
/// (<see cref="ValueSearchOptions.StopToken"/>; false when it ran to the cap or has no stop rule).</summary>
public sealed record ValueSearch(float[] Value, int Steps, bool IsStopped);

/// <summary>
/// The uncentred second moment C = E[k kᵀ] of one block's MLP keys (<see cref="TinyGpt.Mlp.Keys"/>) over a text, plus
/// a ridge, with its Cholesky factor so that C⁻¹k costs one solve. Plain numbers (MathNet), no tensors.
/// </summary>
public sealed class KeyCovariance
{
    private readonly Cholesky<double> _cholesky;

    /// <summary>The 0-based block whose keys were measured.</summary>
    public int Block { get; }
    /// <summary>Key dimension (the MLP's hidden width).</summary>
    public int Dimension { get; }
    /// <summary>Keys averaged.</summary>
    public long Samples { get; }
    /// <summary>C itself, ridge included.</summary>
    public Matrix<double> Moment { get; }

    private KeyCovariance(int block, Matrix<double> sum, long samples, double ridge)
    {
        if (samples < 1) throw new ArgumentException("no keys to estimate the covariance from");
        if (ridge < 0) throw new ArgumentOutOfRangeException(nameof(ridge), ridge, "must be non-negative");
        Block = block;
        Dimension = sum.RowCount;
        Samples = samples;
        var c = sum / samples;
        double scale = c.Trace() / Dimension;
        Moment = c + Matrix<double>.Build.DenseIdentity(Dimension) * (ridge * Math.Max(scale, 1e-12));
        _cholesky = Moment.Cholesky();
    }

    /// <summary>
    /// Estimates C from every position of <paramref name="sequences"/> (e.g. the retain text), adding
    /// <paramref name="ridge"/> × (mean diagonal) to the diagonal so that rarely used key directions stay invertible.
    /// </summary>
    public static KeyCovariance Estimate(TinyGpt model, int block, IReadOnlyList<int[]> sequences, double ridge = 1e-3,
        int batchSize = 64)
    {
        ValueVectors.CheckBlock(model, block);
        if (sequences.Count == 0) throw new ArgumentException("no sequences", nameof(sequences));
        int m = model.Config.MlpRatio * model.Config.Width;
        var sum = Matrix<double>.Build.Dense(m, m);
        long samples = 0;
        var device = model.Device;
        using (model.Evaluating())
        {
            for (int start = 0; start < sequences.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var chunk = sequences.Skip(start).Take(batchSize).ToList();
                using var batch = PromptBatch.RightPad(chunk, device, maxLength: model.Config.ContextLength);
                var tokens = batch.Tokens;
                var keys = RankOneEdit.KeysOf(model, block, tokens).to_type(ScalarType.Float64);   // [b, t, m]
                var mask = batch.RealPositions();                                                    // [b, t]
                var flat = keys.masked_select(mask.unsqueeze(-1)).reshape(-1, m);                     // [n, m]
                var moment = flat.t().matmul(flat).contiguous().cpu().data<double>().ToArray();    // [m, m] (symmetric)
                sum += Matrix<double>.Build.Dense(m, m, moment);
                samples += flat.shape[0];
            }
        }
        return new KeyCovariance(block, sum, samples, ridge);
    }

    /// <summary>C from given keys (tests, or keys gathered elsewhere).</summary>
    public static KeyCovariance FromKeys(int block, IReadOnlyList<float[]> keys, double ridge = 1e-3)
    {
        if (keys.Count == 0) throw new ArgumentException("no keys", nameof(keys));
        int m = keys[0].Length;
        var k = Matrix<double>.Build.Dense(keys.Count, m, (i, j) => keys[i][j]);
        return new KeyCovariance(block, k.TransposeThisAndMultiply(k), keys.Count, ridge);
    }

    /// <summary>C⁻¹k.</summary>
    public double[] Solve(IReadOnlyList<float> key)
    {
        if (key.Count != Dimension) throw new ArgumentException($"key has {key.Count} entries; the keys have {Dimension}", nameof(key));
        return _cholesky.Solve(Vector<double>.Build.Dense(key.Count, i => key[i])).ToArray();
    }
}

/// <summary>
/// A ROME-form rank-one edit (Meng et al. 2022, "Locating and Editing Factual Associations in GPT") of one block's MLP
/// output projection W (with bias b): given a key k* (the MLP activations at the subject's last token, averaged over
/// prompts), a target value v* (the output that makes the model say something else) and the key covariance C,
/// W' = W + (v* − W k* − b)(C⁻¹k*)ᵀ / (k*ᵀC⁻¹k*), so that W'k* + b = v* while keys unlike k* under C change least.
/// With preserved keys, the update's row direction is projected onto their orthogonal complement first, so that every
/// preserved key's output stays exactly as it was (a null-space constraint). Blocks are 0-based.
/// </summary>
public static class RankOneEdit
{
    /// <summary>The MLP keys of block <paramref name="block"/> at each prompt's subject position: [prompt][hidden].</summary>
    public static float[][] Keys(TinyGpt model, int block, SubjectPrompts prompts)
    {
        ValueVectors.CheckBlock(model, block);
        prompts.Validate(model.Config.ContextLength);
        using (model.Evaluating())
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var batch = PromptBatch.RightPad(prompts.Prompts, model.Device,
                maxLength: model.Config.ContextLength);
            var keys = KeysOf(model, block, batch.Tokens);                                                // [n, t, m]
            var at = Positions(prompts.SubjectPositions, keys.shape[2], model.Device);
            var picked = keys.gather(1, at).squeeze(1).cpu().to_type(ScalarType.Float32);            // [n, m]
            int m = (int)picked.shape[1];
            var flat = picked.data<float>().ToArray();
            return Enumerable.Range(0, prompts.Prompts.Count).Select(i => flat.AsSpan(i * m, m).ToArray()).ToArray();
        }
    }

    /// <summary>k*: the mean of <see cref="Keys"/> over the prompts.</summary>
    public static float[] MeanKey(TinyGpt model, int block, SubjectPrompts prompts)
    {
        var keys = Keys(model, block, prompts);
        return Enumerable.Range(0, keys[0].Length).Select(j => (float)keys.Average(k => (double)k[j])).ToArray();
    }

    /// <summary>What the output projection of block <paramref name="block"/> writes for <paramref name="key"/>: W k + b, [width].</summary>
    public static float[] Output(TinyGpt model, int block, IReadOnlyList<float> key)
    {
        var (w, b, width, hidden) = Weights(model, block);
        if (key.Count != hidden) throw new ArgumentException($"key has {key.Count} entries; the MLP has {hidden}", nameof(key));
        var output = new float[width];
        for (int i = 0; i < width; i++)
        {
            double s = b[i];
            for (int j = 0; j < hidden; j++) s += (double)w[i * hidden + j] * key[j];
            output[i] = (float)s;
        }
        return output;
    }

    /// <summary>
    /// v*: v₀ + δ, where v₀ = W k* + b is the current output for the mean key and δ, added to the MLP output of block
    /// <paramref name="block"/> at the subject positions of every prompt, minimises the negative log-likelihood of
    /// <paramref name="target"/> as the next token after each prompt, plus ROME's penalty on ‖δ‖ and, over
    /// <paramref name="preserve"/> (prompts about the same subject whose answers should stay, with δ inserted the same
    /// way), KL(edited ‖ unedited) of their next-token distributions. ‖δ‖ is clamped to ClampNormFactor·‖v₀‖.
    /// </summary>
    public static float[] TargetValue(TinyGpt model, int block, SubjectPrompts request, int target,
        ValueSearchOptions? options = null, SubjectPrompts? preserve = null) =>
        SearchValue(model, block, request, target, options, preserve).Value;

    /// <summary>
    /// <see cref="TargetValue"/> with what the search did: the Adam steps taken and whether it stopped by
    /// <see cref="ValueSearchOptions.StopToken"/>. With <see cref="ValueSearchOptions.EditCovariance"/>, δ is spread
    /// over every position as the edit will spread it; with <see cref="ValueSearchOptions.ExtraLoss"/>, that term joins
    /// the loss.
    /// </summary>
    public static ValueSearch SearchValue(TinyGpt model, int block, SubjectPrompts request, int target,
        ValueSearchOptions? options = null, SubjectPrompts? preserve = null)
    {
        options ??= new ValueSearchOptions();
        options.Validate();
        ValueVectors.CheckBlock(model, block);
        request.Validate(model.Config.ContextLength);
        preserve?.Validate(model.Config.ContextLength);
        if (target < 0 || target >= model.Config.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(target), target, $"token ids are 0..{model.Config.VocabSize - 1}");
        if (options.StopToken is { } stopToken && (stopToken < 0 || stopToken >= model.Config.VocabSize))
            throw new ArgumentOutOfRangeException(nameof(options), stopToken,
                $"StopToken must be a token id in 0..{model.Config.VocabSize - 1}");
        var meanKey = MeanKey(model, block, request);
        var v0 = Output(model, block, meanKey);
        var prompts = request.Prompts.Concat(preserve?.Prompts ?? []).ToList();
        var positions = request.SubjectPositions.Concat(preserve?.SubjectPositions ?? []).ToList();
        int n = request.Prompts.Count, width = model.Config.Width;
        var device = model.Device;
        using var evaluating = model.Evaluating();
        var requiresGrad = SetRequiresGrad(model, null);
        try
        {
            using var scope = NewDisposeScope();
            using var batch = PromptBatch.RightPad(prompts, device, maxLength: model.Config.ContextLength);
            var tokens = batch.Tokens;
            var last = batch.LastIndex(width);                                                      // [p, 1, width]
            Tensor baseline, initialLogProbs, spread;
            using (no_grad())
            {
                var blk = model.Blocks[block];
                var mid = blk.Attend(model.ForwardWithHidden(tokens).Hidden[block]);
                baseline = mid + blk.MlpLayer.call(blk.MlpInput(mid));                              // [p, t, width]
                initialLogProbs = Tail(model, block, baseline, last).log_softmax(-1);              // [p, vocab]
                spread = options.EditCovariance is { } c
                    ? EditSpread(c, block, meanKey, blk.MlpLayer.Keys(blk.MlpInput(mid)))           // [p, t, 1]
                    : SubjectMarks(positions, (int)tokens.shape[1], device);
            }
            double v0Norm = Math.Sqrt(v0.Sum(x => (double)x * x));
            using var delta = nn.Parameter(zeros(width, device: device));
            using var optimizer = AdamOptimizer.Adam([delta], options.LearningRate);
            // The loss's constant weights, held for the whole search (see Scalars).
            using var weightDecay = options.WeightDecay.ToScalar();
            using var v0NormSquared = Math.Max(v0Norm * v0Norm, 1e-12).ToScalar();
            using var klFactor = options.KlFactor.ToScalar();
            var targets = tensor(Enumerable.Repeat((long)target, n).ToArray(), [n], ScalarType.Int64).to(device);
            int steps = 0;
            bool isStopped = false;
            while (true)
            {
                using var stepScope = NewDisposeScope();
                optimizer.zero_grad();
                var atLast = options.ExtraLoss is null ? null : new List<Tensor>();
                var logProbs = Tail(model, block, baseline + spread * delta, last, atLast).log_softmax(-1);  // [p, v]
                var nll = -logProbs.narrow(0, 0, n).gather(1, targets.unsqueeze(1)).mean();
                var loss = nll + weightDecay * delta.norm() / v0NormSquared;
                Tensor? extra = null;
                if (options.ExtraLoss is { } extraLoss)
                {
                    extra = extraLoss(atLast!.Select(h => h.narrow(0, 0, n)).ToList());
                    loss = loss + extra.sum();
                }
                if (prompts.Count > n && options.KlFactor > 0)
                {
                    var now = logProbs.narrow(0, n, prompts.Count - n);
                    var before = initialLogProbs.narrow(0, n, prompts.Count - n);
                    loss = loss + klFactor * (now.exp() * (now - before)).sum(-1).mean();   // KL(edited ‖ unedited)
                }
                if (options.StopToken is { } stop && Trails(logProbs.narrow(0, 0, n), stop, options.StopMargin)
                    && (extra is null || extra.sum().item<float>() <= 0))
                {
                    isStopped = true;
                    break;
                }
                if (steps == options.Steps) break;
                loss.backward();
                optimizer.step();
                steps++;
                using var noGrad = no_grad();
                double norm = delta.norm().item<float>(), max = options.ClampNormFactor * v0Norm;
                if (norm > max)
                {
                    // An explicit Scalar kept alive by `using`: an implicit one can be finalised while native code still reads it.
                    using var shrink = (max / norm).ToScalar();
                    delta.mul_(shrink);
                }
            }
            using var values = delta.detach().cpu().to_type(ScalarType.Float32);
            var d = values.data<float>().ToArray();
            return new ValueSearch(v0.Select((v, i) => v + d[i]).ToArray(), steps, isStopped);
        }
        finally
        {
            SetRequiresGrad(model, requiresGrad);
        }
    }

    /// <summary>
    /// Rewrites block <paramref name="block"/>'s output projection in place so that <paramref name="key"/> maps to
    /// <paramref name="value"/> (the bias included): W' = W + r uᵀ / (uᵀk*), r = v* − W k* − b, u = C⁻¹k*, projected
    /// onto the orthogonal complement of <paramref name="preservedKeys"/> when given. Returns ‖W' − W‖_F.
    /// </summary>
    /// <exception cref="ArgumentException">The key lies (numerically) in the span of the preserved keys, so no update
    /// can move it without moving them.</exception>
    public static double Apply(TinyGpt model, int block, IReadOnlyList<float> key, IReadOnlyList<float> value,
        KeyCovariance covariance, IReadOnlyList<float[]>? preservedKeys = null)
    {
        var (_, _, width, hidden) = Weights(model, block);
        if (covariance.Block != block || covariance.Dimension != hidden)
            throw new ArgumentException($"the covariance is of block {covariance.Block} ({covariance.Dimension} keys); editing block {block} ({hidden})");
        if (key.Count != hidden || value.Count != width)
            throw new ArgumentException($"key has {key.Count} entries (expected {hidden}) and value {value.Count} (expected {width})");
        var current = Output(model, block, key);
        var r = Enumerable.Range(0, width).Select(i => (double)value[i] - current[i]).ToArray();   // v* − W k* − b
        var u = covariance.Solve(key);                                                            // C⁻¹k*
        if (preservedKeys is { Count: > 0 })
            foreach (var q in Orthonormal(preservedKeys, hidden))
            {
                double dot = Dot(q, u);
                for (int j = 0; j < hidden; j++) u[j] -= dot * q[j];
            }
        double denominator = 0;
        for (int j = 0; j < hidden; j++) denominator += u[j] * key[j];
        double keyNorm = Math.Sqrt(key.Sum(x => (double)x * x)), uNorm = Math.Sqrt(Dot(u, u));
        if (!(Math.Abs(denominator) > 1e-9 * keyNorm * uNorm))
            throw new ArgumentException("the key lies in the span of the preserved keys; no rank-one update can move it alone");
        var update = new float[width * hidden];
        double squares = 0;
        for (int i = 0; i < width; i++)
            for (int j = 0; j < hidden; j++)
            {
                double x = r[i] * u[j] / denominator;                                               // Eq. 2 of ROME
                update[i * hidden + j] = (float)x;
                squares += x * x;
            }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var weight = model.Blocks[block].MlpLayer.OutputProjection.weight!;
        weight.add_(tensor(update, [width, hidden]).to(weight.device).to_type(weight.dtype));
        return Math.Sqrt(squares);
    }

    /// <summary>The MLP keys of block <paramref name="block"/> at every position: [b, t, hidden].</summary>
    internal static Tensor KeysOf(TinyGpt model, int block, Tensor tokens)
    {
        var blk = model.Blocks[block];
        return blk.MlpLayer.Keys(blk.MlpInput(blk.Attend(model.ForwardWithHidden(tokens).Hidden[block])));
    }

    /// <summary>Gather index [n, 1, width] picking one position per row.</summary>
    private static Tensor Positions(IReadOnlyList<int> positions, long width, Device device) =>
        tensor(positions.Select(p => (long)p).ToArray(), [positions.Count, 1, 1], ScalarType.Int64).to(device)
            .expand(positions.Count, 1, width);

    /// <summary>
    /// Runs the blocks after <paramref name="block"/> on its output and unembeds the last positions: [n, vocab].
    /// When <paramref name="atLast"/> is given, the residual at the last positions after each block from
    /// <paramref name="block"/> on is added to it ([n, width] each).
    /// </summary>
    private static Tensor Tail(TinyGpt model, int block, Tensor residual, Tensor last, List<Tensor>? atLast = null)
    {
        var x = residual;
        atLast?.Add(x.gather(1, last).squeeze(1));
        for (int j = block + 1; j < model.Config.Layers; j++)
        {
            x = model.Blocks[j].call(x);
            atLast?.Add(x.gather(1, last).squeeze(1));
        }
        return model.Unembed(x.gather(1, last).squeeze(1));
    }

    /// <summary>1 at each prompt's subject position, 0 elsewhere: [p, t, 1] (ROME's insertion of δ).</summary>
    private static Tensor SubjectMarks(IReadOnlyList<int> positions, int longest, Device device)
    {
        var marks = new float[positions.Count * longest];
        for (int i = 0; i < positions.Count; i++) marks[i * longest + positions[i]] = 1;
        return tensor(marks, [positions.Count, longest, 1]).to(device);
    }

    /// <summary>uᵀk / uᵀk* at every position (u = C⁻¹k*): the share of δ the rank-one edit adds where the key is k,
    /// [p, t, 1].</summary>
    private static Tensor EditSpread(KeyCovariance covariance, int block, float[] meanKey, Tensor keys)
    {
        if (covariance.Block != block || covariance.Dimension != meanKey.Length)
            throw new ArgumentException($"EditCovariance is of block {covariance.Block} ({covariance.Dimension} " +
                $"keys); the search edits block {block} ({meanKey.Length})");
        var u = covariance.Solve(meanKey);
        double denominator = u.Select((x, j) => x * meanKey[j]).Sum();
        var direction = tensor(u.Select(x => (float)(x / denominator)).ToArray(), [u.Length, 1])
            .to(keys.device).to_type(keys.dtype);
        return keys.matmul(direction);                                                            // [p, t, 1]
    }

    /// <summary>Whether <paramref name="token"/> trails the best other token by at least <paramref name="margin"/>
    /// nats in every row.</summary>
    private static bool Trails(Tensor logProbs, int token, double margin)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var minusInfinity = float.NegativeInfinity.ToScalar();
        var index = tensor(new long[] { token }, ScalarType.Int64).to(logProbs.device);
        var best = logProbs.detach().index_fill(1, index, minusInfinity).max(1).values;               // [n]
        var gap = best - logProbs.detach().select(1, token);
        return gap.min().item<float>() >= margin;
    }

    /// <summary>Sets every parameter's requires_grad (to false when <paramref name="restore"/> is null) and returns the old flags.</summary>
    private static List<bool> SetRequiresGrad(TinyGpt model, List<bool>? restore)
    {
        using var scope = NewDisposeScope();
        var parameters = model.parameters().ToList();
        var old = parameters.Select(p => p.requires_grad).ToList();
        for (int i = 0; i < parameters.Count; i++) parameters[i].requires_grad = restore?[i] ?? false;
        return old;
    }

    private static (float[] W, float[] B, int Width, int Hidden) Weights(TinyGpt model, int block)
    {
        ValueVectors.CheckBlock(model, block);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var projection = model.Blocks[block].MlpLayer.OutputProjection;
        var w = projection.weight!.detach().cpu().to_type(ScalarType.Float32).contiguous();   // [width, hidden]
        var b = projection.bias!.detach().cpu().to_type(ScalarType.Float32);
        return (w.data<float>().ToArray(), b.data<float>().ToArray(), (int)w.shape[0], (int)w.shape[1]);
    }

    /// <summary>An orthonormal basis of the span of <paramref name="vectors"/> (modified Gram–Schmidt, dependent ones skipped).</summary>
    private static List<double[]> Orthonormal(IReadOnlyList<float[]> vectors, int dimension)
    {
        var basis = new List<double[]>();
        double largest = vectors.Max(v => Math.Sqrt(v.Sum(x => (double)x * x)));
        foreach (var v in vectors)
        {
            if (v.Length != dimension) throw new ArgumentException($"a preserved key has {v.Length} entries; the keys have {dimension}");
            var w = v.Select(x => (double)x).ToArray();
            for (int pass = 0; pass < 2; pass++)                         // twice, for numerical orthogonality
                foreach (var q in basis)
                {
                    double dot = Dot(q, w);
                    for (int j = 0; j < dimension; j++) w[j] -= dot * q[j];
                }
            double norm = Math.Sqrt(Dot(w, w));
            if (norm <= 1e-8 * largest) continue;
            basis.Add(w.Select(x => x / norm).ToArray());
        }
        return basis;
    }

    private static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }
}

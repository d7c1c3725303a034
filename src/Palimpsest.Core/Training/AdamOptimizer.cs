using Palimpsest.Core.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Parameter = TorchSharp.Modules.Parameter;

namespace Palimpsest.Core.Training;

/// <summary>
/// Adam and AdamW with the floating-point operations of TorchSharp 0.107's <c>optim.Adam</c> and <c>optim.AdamW</c>
/// (one parameter group, amsgrad and maximize off): the same tensor calls in the same order, with Scalars of the same
/// C# type and value, so the weights come out bit for bit the same (AdamOptimizerTests). The difference is that every
/// Scalar passed to libtorch is held until the call returns. TorchSharp's step makes them implicitly
/// (<c>exp_avg.mul_(beta1)</c>, <c>addcdiv_(exp_avg, denom, value: -step_size)</c>, <c>denom.add_(eps)</c>'s alpha of
/// 1), so on any step the finalizer thread can free one while libtorch reads it (see <see cref="Scalars"/>).
/// </summary>
/// <remarks>
/// <c>zero_grad</c> and <c>step</c> keep TorchSharp's names, so a call site changes only where the optimizer is
/// made and where the learning rate is set.
/// </remarks>
public sealed class AdamOptimizer : IDisposable
{
    /// <summary>One parameter's state: Adam's step count and moments (TorchSharp's <c>AdamW.State</c>).</summary>
    private sealed class ParameterState(Parameter parameter)
    {
        public Parameter Parameter { get; } = parameter;
        public long Step;
        public Tensor ExpAvg { get; } = zeros_like(parameter).DetachFromDisposeScope();
        public Tensor ExpAvgSq { get; } = zeros_like(parameter).DetachFromDisposeScope();
    }

    private readonly List<ParameterState> _states;
    private readonly double _beta1;
    private readonly double _beta2;
    // AdamW's decoupled decay; null for Adam, which has no weights' multiply at all (TorchSharp's AdamW multiplies by
    // 1 - lr * 0 = 1 when the decay is 0, and so does this).
    private readonly double? _weightDecay;
    // Fixed for the optimizer's life, so held as fields and freed with it.
    private readonly Scalar _beta1Scalar;
    private readonly Scalar _oneMinusBeta1;
    private readonly Scalar _beta2Scalar;
    private readonly Scalar _oneMinusBeta2;
    private readonly Scalar _eps;

    private AdamOptimizer(IEnumerable<Parameter> parameters, double learningRate, double beta1, double beta2,
        double eps, double? weightDecay)
    {
        if (learningRate < 0) throw new ArgumentException($"Invalid learning rate: {learningRate}");
        if (beta1 is < 0 or >= 1) throw new ArgumentException($"Invalid beta1: {beta1}");
        if (beta2 is < 0 or >= 1) throw new ArgumentException($"Invalid beta2: {beta2}");
        if (weightDecay < 0) throw new ArgumentException($"Invalid weight decay: {weightDecay}");
        LearningRate = learningRate;
        _beta1 = beta1;
        _beta2 = beta2;
        _weightDecay = weightDecay;
        _beta1Scalar = beta1.ToScalar();
        _oneMinusBeta1 = (1 - beta1).ToScalar();
        _beta2Scalar = beta2.ToScalar();
        _oneMinusBeta2 = (1 - beta2).ToScalar();
        _eps = eps.ToScalar();
        _states = parameters.Select(p => new ParameterState(p)).ToList();
    }

    /// <summary>Adam as TorchSharp's <c>optim.Adam(parameters, lr)</c>: betas (0.9, 0.999), eps 1e-8, no weight decay.</summary>
    public static AdamOptimizer Adam(IEnumerable<Parameter> parameters, double learningRate) =>
        new(parameters, learningRate, 0.9, 0.999, 1e-8, weightDecay: null);

    /// <summary>
    /// AdamW as TorchSharp's <c>optim.AdamW(parameters, lr, beta1, beta2, weight_decay: weightDecay)</c> (eps 1e-8):
    /// each step first multiplies the weights by 1 − lr·weightDecay (decoupled weight decay).
    /// </summary>
    public static AdamOptimizer AdamW(IEnumerable<Parameter> parameters, double learningRate, double beta1 = 0.9,
        double beta2 = 0.999, double weightDecay = 0) =>
        new(parameters, learningRate, beta1, beta2, 1e-8, weightDecay);

    /// <summary>The learning rate the next <see cref="step"/> uses; set it before each step to follow a schedule.</summary>
    public double LearningRate { get; set; }

    /// <summary>Zeroes the gradient of each parameter that has one (TorchSharp's <c>zero_grad</c>).</summary>
    public void zero_grad()
    {
        foreach (var state in _states)
        {
            using var grad = state.Parameter.grad;
            grad?.zero_();
        }
    }

    /// <summary>One Adam(W) update of every parameter that has a gradient, under <c>no_grad</c>.</summary>
    public void step()
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        double lr = LearningRate;
        using var decay = _weightDecay is { } weightDecay ? (1 - lr * weightDecay).ToScalar() : null;
        foreach (var state in _states)
        {
            var param = state.Parameter;
            using var grad = param.grad;
            if (grad is null) continue;
            state.Step += 1;
            if (decay is not null) param.mul_(decay);
            double biasCorrection1 = 1 - Math.Pow(_beta1, state.Step);
            double biasCorrection2 = 1 - Math.Pow(_beta2, state.Step);
            state.ExpAvg.mul_(_beta1Scalar).add_(grad, alpha: _oneMinusBeta1);
            // TorchSharp's Adam passes grad.conj(), which for real tensors is grad itself.
            state.ExpAvgSq.mul_(_beta2Scalar).addcmul_(grad, grad, value: _oneMinusBeta2);
            using var sqrtBiasCorrection2 = Math.Sqrt(biasCorrection2).ToScalar();
            using var root = state.ExpAvgSq.sqrt();
            using var denom = root.div(sqrtBiasCorrection2).add_(_eps, Scalars.Of(1));  // add_(eps)'s alpha is int 1
            using var negativeStepSize = (-(lr / biasCorrection1)).ToScalar();
            param.addcdiv_(state.ExpAvg, denom, value: negativeStepSize);
        }
    }

    /// <summary>Writes each parameter's step count and moments (in parameter order) to <paramref name="writer"/>.</summary>
    public void Save(BinaryWriter writer)
    {
        writer.Write(_states.Count);
        foreach (var state in _states)
        {
            writer.Write(state.Step);
            state.ExpAvg.Save(writer);
            state.ExpAvgSq.Save(writer);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote, for an optimizer over parameters of the same shapes and order.</summary>
    public void Load(BinaryReader reader)
    {
        int count = reader.ReadInt32();
        if (count != _states.Count)
            throw new InvalidDataException($"the saved state has {count} parameters; this optimizer has {_states.Count}");
        foreach (var state in _states)
        {
            state.Step = reader.ReadInt64();
            state.ExpAvg.Load(reader);
            state.ExpAvgSq.Load(reader);
        }
    }

    /// <summary>Frees the moments and the held Scalars (not the parameters).</summary>
    public void Dispose()
    {
        foreach (var state in _states)
        {
            state.ExpAvg.Dispose();
            state.ExpAvgSq.Dispose();
        }
        _beta1Scalar.Dispose();
        _oneMinusBeta1.Dispose();
        _beta2Scalar.Dispose();
        _oneMinusBeta2.Dispose();
        _eps.Dispose();
    }
}

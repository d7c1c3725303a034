using Palimpsest.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Unlearning;

/// <summary>
/// A task vector (Ilharco et al. 2023, "Editing Models with Task Arithmetic"): the parameter difference
/// τ = θ_to − θ_from between two <see cref="TinyGpt"/>s of one shape, kept in float64 so that adding it and then
/// subtracting it restores the weights bit for bit. Task-vector unlearning (MUSE's "Task Vector" baseline) fine-tunes
/// a copy of the model further on the forget set and moves the model away from it: θ ← θ − α·τ, i.e.
/// <c>AddTo(model, -alpha)</c>. Holds one tensor per parameter: dispose it.
/// </summary>
public sealed class TaskVector : IDisposable
{
    private readonly Dictionary<string, Tensor> _delta;   // parameter name → τ, float64, on the models' device

    private TaskVector(Dictionary<string, Tensor> delta) => _delta = delta;

    /// <summary>τ = θ_<paramref name="to"/> − θ_<paramref name="from"/>; both models must have the same shape.</summary>
    public static TaskVector Between(TinyGpt from, TinyGpt to)
    {
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        if (from.Config != to.Config)
            throw new ArgumentException($"a task vector needs two models of one shape; got {from.Config} and {to.Config}");
        var delta = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var source = from.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in to.named_parameters())
            delta[name] = (p.to_type(ScalarType.Float64) - source[name].to_type(ScalarType.Float64)).DetachFromDisposeScope();
        return new TaskVector(delta);
    }

    /// <summary>The parameter names τ covers, in the models' order.</summary>
    public IReadOnlyList<string> Names => _delta.Keys.ToList();

    /// <summary>The L2 norm of τ over all parameters.</summary>
    public double Norm()
    {
        using var scope = NewDisposeScope();
        double squares = 0;
        foreach (var d in _delta.Values) squares += d.square().sum().item<double>();
        return Math.Sqrt(squares);
    }

    /// <summary>
    /// θ ← θ + <paramref name="scale"/>·τ on every parameter of <paramref name="model"/>, in place (computed in float64,
    /// then cast to the parameter's type). Scale −α is task-vector negation; ±1 undoes or redoes the fine-tuning exactly.
    /// </summary>
    public void AddTo(TinyGpt model, double scale)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!double.IsFinite(scale)) throw new ArgumentOutOfRangeException(nameof(scale), scale, "the scale must be finite");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parameters = model.named_parameters().ToList();
        if (parameters.Count != _delta.Count || parameters.Any(p => !_delta.ContainsKey(p.name)))
            throw new ArgumentException($"the model's parameters ({parameters.Count}) are not the ones of the task vector ({_delta.Count})", nameof(model));
        using var scaleScalar = scale.ToScalar();
        foreach (var (name, p) in parameters)
        {
            var d = _delta[name];
            if (!p.shape.SequenceEqual(d.shape))
                throw new ArgumentException($"parameter {name} has shape [{string.Join(", ", p.shape)}], the task vector [{string.Join(", ", d.shape)}]", nameof(model));
            p.copy_((p.to_type(ScalarType.Float64) + d * scaleScalar).to_type(p.dtype));
        }
    }

    /// <summary>Disposes the difference tensors.</summary>
    public void Dispose()
    {
        foreach (var d in _delta.Values) d.Dispose();
        _delta.Clear();
    }
}

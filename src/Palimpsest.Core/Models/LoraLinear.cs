using Palimpsest.Core.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Palimpsest.Core.Models;

/// <summary>
/// A linear layer with a frozen base and a low-rank adapter (LoRA; Hu et al. 2021, arXiv:2106.09685):
/// y = W x + b + (α / r) · B A x, with A [rank, in] drawn from a generator (uniform in ±1/√in, as PEFT's Kaiming
/// init) and B [out, rank] zero, so a fresh adapter leaves the base's output unchanged. <see cref="Enabled"/> switches
/// the adapter off without touching its weights (a deactivated adapter). Field names follow PEFT's state-dict keys.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear base_layer;
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    // Scalars held for the layer's lifetime. A Scalar made implicitly inside an operator (`y + u * scale`) is reachable
    // only until its handle is read, so the finalizer can free it while libtorch still reads it: seed 103 of
    // s3t-exact-unlearning's full budget crashed that way, every time, in this layer ("Expected false to be true" from
    // c10's Scalar::toFloat). The same two operations, so the same numbers.
    private readonly Scalar _scale;
    private readonly Scalar _one;

    /// <summary>Input features.</summary>
    public int InFeatures { get; }
    /// <summary>Output features.</summary>
    public int OutFeatures { get; }
    /// <summary>The adapter's rank r.</summary>
    public int Rank { get; }
    /// <summary>The LoRA α; the update is scaled by α / r.</summary>
    public double Alpha { get; }
    /// <summary>α / r.</summary>
    public double Scale => Alpha / Rank;
    /// <summary>When false the layer is its base alone; the adapter's weights are kept.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Creates the layer: the base weight and bias uniform in ±1/√in (torch's default init, but from
    /// <paramref name="init"/>), then the adapter (see <see cref="ResetAdapter"/>). The base starts frozen.
    /// </summary>
    public LoraLinear(int inFeatures, int outFeatures, int rank, double alpha, Generator init) : base(nameof(LoraLinear))
    {
        TorchRuntime.Initialize();
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        if (!(alpha > 0)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "must be positive");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Rank = rank;
        Alpha = alpha;
        _scale = (alpha / rank).ToScalar();
        _one = 1.ToScalar();
        base_layer = nn.Linear(inFeatures, outFeatures);
        lora_A = nn.Parameter(zeros(rank, inFeatures));
        lora_B = nn.Parameter(zeros(outFeatures, rank));
        RegisterComponents();
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            double bound = 1.0 / Math.Sqrt(inFeatures);
            using var width = (2 * bound).ToScalar();
            using var lower = bound.ToScalar();
            base_layer.weight!.copy_(rand([outFeatures, inFeatures], generator: init) * width - lower);
            base_layer.bias!.copy_(rand([outFeatures], generator: init) * width - lower);
        }
        ResetAdapter(init);
        IsBaseFrozen = true;
    }

    /// <summary>Whether the base weight and bias are excluded from gradients (true unless pretraining the base).</summary>
    public bool IsBaseFrozen
    {
        get
        {
            using var scope = NewDisposeScope();
            return !base_layer.weight!.requires_grad;
        }
        set
        {
            using var scope = NewDisposeScope();
            base_layer.weight!.requires_grad = !value;
            base_layer.bias!.requires_grad = !value;
        }
    }

    /// <summary>The adapter's trainable tensors: A then B.</summary>
    public IReadOnlyList<Parameter> AdapterParameters => [lora_A, lora_B];

    /// <summary>The base's weight and bias (trainable only when <see cref="IsBaseFrozen"/> is false).</summary>
    public IReadOnlyList<Parameter> BaseParameters => [base_layer.weight!, base_layer.bias!];

    /// <summary>Draws A afresh from <paramref name="init"/> (uniform in ±1/√in) and sets B to zero.</summary>
    public void ResetAdapter(Generator init)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double bound = 1.0 / Math.Sqrt(InFeatures);
        using var width = (2 * bound).ToScalar();
        using var lower = bound.ToScalar();
        lora_A.copy_(rand([Rank, InFeatures], generator: init) * width - lower);
        lora_B.zero_();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        var y = base_layer.call(x);                                                    // [.., out]
        if (!Enabled) return y;
        var update = nn.functional.linear(nn.functional.linear(x, lora_A), lora_B);  // [.., rank] → [.., out]
        return y.add(update.mul(_scale), _one);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _scale.Dispose();
            _one.Dispose();
        }
        base.Dispose(disposing);
    }

    /// <summary>The adapter's weights as row-major floats: A [rank × in] and B [out × rank].</summary>
    public (float[] A, float[] B) GetAdapter() => (Read(lora_A), Read(lora_B));

    /// <summary>Sets the adapter's weights from row-major floats of the shapes <see cref="GetAdapter"/> returns.</summary>
    public void SetAdapter(float[] a, float[] b)
    {
        Write(lora_A, a, nameof(a));
        Write(lora_B, b, nameof(b));
    }

    /// <summary>The base's weight [out × in] and bias [out] as row-major floats.</summary>
    public (float[] Weight, float[] Bias) GetBase()
    {
        using var scope = NewDisposeScope();
        return (Read(base_layer.weight!), Read(base_layer.bias!));
    }

    /// <summary>Sets the base's weight and bias from row-major floats (e.g. copied from a pretrained layer).</summary>
    public void SetBase(float[] weight, float[] bias)
    {
        using var scope = NewDisposeScope();
        Write(base_layer.weight!, weight, nameof(weight));
        Write(base_layer.bias!, bias, nameof(bias));
    }

    private static float[] Read(Tensor t)
    {
        using var scope = NewDisposeScope();
        using var values = t.detach().cpu().contiguous().data<float>();
        return values.ToArray();
    }

    private static void Write(Tensor target, float[] values, string name)
    {
        if (values.Length != target.numel())
            throw new ArgumentException($"{values.Length} values for a tensor of shape [{string.Join(", ", target.shape)}]", name);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        target.copy_(tensor(values, target.shape).to(target.device));
    }
}

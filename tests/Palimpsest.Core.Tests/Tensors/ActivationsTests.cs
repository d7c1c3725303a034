using Palimpsest.Core.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Tensors;

[Collection("Torch")]
public sealed class ActivationsTests
{
    /// <summary>
    /// Activations.Softplus gives TorchSharp's nn.functional.softplus bit for bit, value and gradient, across the
    /// threshold (x = 20) and where exp overflows float (x &gt; 88.7).
    /// </summary>
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void SoftplusIsTorchSharpsBitForBit(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        double[] special = [0.0, -0.0, 1e-30, -1e-30, 1e-7, 19.999999, 20.0, 20.000002, 88.0, 89.0, 100.0, 710.0,
            -20.0, -30.0, -88.0, -104.0, -750.0];
        var values = linspace(-60.0, 60.0, 4801, float64).data<double>().ToArray().Concat(special).ToArray();
        var weights = values.Select((_, i) => 0.25 + i % 7 * 0.5).ToArray();   // a gradient that is not all ones
        var (ourValue, ourGrad) = ValueAndGrad(values, weights, dtype, Activations.Softplus);
        var (theirValue, theirGrad) = ValueAndGrad(values, weights, dtype, x => nn.functional.softplus(x));

        Assert.Equal(theirValue, ourValue);
        Assert.Equal(theirGrad, ourGrad);
        Assert.Contains(ourValue, v => v != 0);   // control: a real computation, not two empty answers
    }

    /// <summary>The bit patterns of f(x) and of d(Σ w·f(x))/dx, computed in <paramref name="dtype"/>.</summary>
    private static (long[] Value, long[] Grad) ValueAndGrad(double[] values, double[] weights, ScalarType dtype,
        Func<Tensor, Tensor> f)
    {
        using var scope = NewDisposeScope();
        var x = tensor(values).to(dtype).requires_grad_();
        var y = f(x);
        (y * tensor(weights).to(dtype)).sum().backward();
        return (Bits(y.detach()), Bits(x.grad!));
    }

    private static long[] Bits(Tensor t) =>
        t.to(float64).data<double>().ToArray().Select(BitConverter.DoubleToInt64Bits).ToArray();
}

using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tensors;

/// <summary>
/// Activations whose TorchSharp 0.107 form makes a Scalar nothing holds (see <see cref="Scalars"/>), called with
/// held Scalars instead, so libtorch computes the same numbers, forward and backward.
/// </summary>
public static class Activations
{
    // TorchSharp 0.107's Tensor.softplus(double beta = 1, double threshold = 20) is `softplus1(beta, threshold)`, which
    // converts both doubles to Scalars that are unreachable while THSTensor_softplus runs. The public API has no
    // Scalar overload, so the private one is called through a delegate made once. Writing softplus out
    // (where(x > 20, x, log1p(exp(x)))) would change the graph: the gradient would come from exp's and log1p's
    // backward instead of softplus_backward, and need not round the same (ActivationsTests checks the bits).
    private static readonly Func<Tensor, Scalar, Scalar, Tensor> Softplus1 =
        typeof(Tensor).GetMethod("softplus1", BindingFlags.Instance | BindingFlags.NonPublic, [typeof(Scalar), typeof(Scalar)])
            ?.CreateDelegate<Func<Tensor, Scalar, Scalar, Tensor>>()
        ?? throw new MissingMethodException("TorchSharp's private Tensor.softplus1(Scalar, Scalar) is gone: "
            + "check whether its public softplus now holds its Scalars (TorchSharp PR #1434) and call that");

    /// <summary>
    /// softplus(x) = log(1 + exp(x)), and x itself where x &gt; 20: TorchSharp's <c>nn.functional.softplus(x)</c>
    /// (beta 1, threshold 20, as double Scalars), with the Scalars held.
    /// </summary>
    public static Tensor Softplus(Tensor x) => Softplus1(x, Scalars.Of(1.0), Scalars.Of(20.0));
}

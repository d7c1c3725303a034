using Palimpsest.Core.Runtime;
using Palimpsest.Core.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Palimpsest.Core.Models;

/// <summary>Normalisation layers with the initialisation PyTorch documents.</summary>
public static class Norms
{
    /// <summary>
    /// GroupNorm with weight = 1 and bias = 0. TorchSharp 0.107's GroupNorm starts with uninitialised memory in its
    /// affine parameters; this factory sets them explicitly.
    /// </summary>
    public static GroupNorm GroupNorm(int groups, int channels, double eps = 1e-5)
    {
        TorchRuntime.Initialize();
        if (groups < 1 || channels % groups != 0)
            throw new ArgumentException($"channels {channels} must be a positive multiple of groups {groups}");
        var norm = nn.GroupNorm(groups, channels, eps, affine: true);
        using var noGrad = no_grad();
        norm.weight!.fill_(Scalars.Of(1.0));
        norm.bias!.zero_();
        return norm;
    }
}

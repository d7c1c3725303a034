using Palimpsest.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Models;

[Collection("Torch")]
public sealed class LoraLinearTests
{
    private static LoraLinear Layer(ulong seed = 1)
    {
        using var g = new Generator(seed);
        return new LoraLinear(6, 5, rank: 2, alpha: 4, g);
    }

    [Fact]
    public void AFreshAdapterLeavesTheBaseOutputUnchanged()
    {
        using var scope = NewDisposeScope();
        using var layer = Layer();
        var x = randn(3, 6);
        var with = layer.call(x);
        layer.Enabled = false;
        Assert.True(with.eq(layer.call(x)).all().item<bool>());
        Assert.All(layer.GetAdapter().B, b => Assert.Equal(0f, b));
        Assert.Contains(layer.GetAdapter().A, a => a != 0f);
    }

    [Fact]
    public void TheUpdateIsScaledLowRankAndSwitchesOff()
    {
        using var scope = NewDisposeScope();
        using var layer = Layer();
        var (a, _) = layer.GetAdapter();
        var b = Enumerable.Range(0, 5 * 2).Select(i => 0.1f * (i + 1)).ToArray();
        layer.SetAdapter(a, b);
        Assert.Equal(b, layer.GetAdapter().B);
        var x = randn(4, 6);
        var (w, bias) = layer.GetBase();
        var expected = x.matmul(tensor(w, [5, 6]).t()) + tensor(bias)
                       + x.matmul(tensor(a, [2, 6]).t()).matmul(tensor(b, [5, 2]).t()) * layer.Scale;
        Assert.True(layer.call(x).allclose(expected, rtol: 1e-5, atol: 1e-5));
        layer.Enabled = false;
        Assert.False(layer.call(x).allclose(expected, rtol: 1e-5, atol: 1e-5));
        Assert.Equal(2.0, layer.Scale);
    }

    [Fact]
    public void TheBaseIsFrozenAndSameSeedsGiveSameWeights()
    {
        using var layer = Layer(3);
        using var same = Layer(3);
        Assert.True(layer.IsBaseFrozen);
        Assert.All(layer.BaseParameters, p => Assert.False(p.requires_grad));
        Assert.All(layer.AdapterParameters, p => Assert.True(p.requires_grad));
        Assert.Equal(layer.GetBase().Weight, same.GetBase().Weight);
        Assert.Equal(layer.GetAdapter().A, same.GetAdapter().A);
        layer.IsBaseFrozen = false;
        Assert.All(layer.BaseParameters, p => Assert.True(p.requires_grad));
        Assert.Throws<ArgumentException>(() => layer.SetAdapter(new float[3], new float[10]));
    }
}

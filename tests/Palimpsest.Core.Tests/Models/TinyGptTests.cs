using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Models;

[Collection("Torch")]
public sealed class TinyGptTests
{
    private static readonly TinyGptConfig Shape = new(VocabSize: 20, ContextLength: 12, Layers: 2, Width: 32, Heads: 4);

    private static TinyGpt Model(ulong seed = 1)
    {
        using var g = new Generator(seed);
        return new TinyGpt(Shape, g);
    }

    [Fact]
    public void LogitsHaveTheExpectedShapeAndHiddenStatesOneMoreThanLayers()
    {
        using var scope = NewDisposeScope();
        using var model = Model();
        var tokens = randint(0, 20, [3, 7], dtype: ScalarType.Int64);
        var (logits, hidden) = model.ForwardWithHidden(tokens);
        Assert.Equal([3L, 7, 20], logits.shape);
        Assert.Equal(Shape.Layers + 1, hidden.Count);
        Assert.All(hidden, h => Assert.Equal([3L, 7, 32], h.shape));
        // The last hidden state read through the unembedding is the logits (logit lens at the top layer).
        Assert.True(model.Unembed(hidden[^1]).allclose(logits, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void ParameterCountMatchesTheModule()
    {
        using var model = Model();
        long counted = model.parameters().Sum(p => p.numel());
        Assert.Equal(counted, Shape.ParameterCount);
    }

    [Fact]
    public void SameGeneratorSeedGivesTheSameWeightsAndOtherSeedsDiffer()
    {
        using var a = Model(5);
        using var b = Model(5);
        using var c = Model(6);
        Assert.True(a.TokenEmbedding.eq(b.TokenEmbedding).all().item<bool>());
        Assert.False(a.TokenEmbedding.eq(c.TokenEmbedding).all().item<bool>());
    }

    [Fact]
    public void AttentionIsCausal()
    {
        using var model = Model();
        int[] x = [1, 5, 7, 9, 3, 4];
        int[] y = [1, 5, 7, 9, 11, 12];
        var lp = LanguageModel.TokenLogProbs(model, [x, y]);
        // Predictions of tokens 1..3 depend only on tokens 0..3, which are equal.
        for (int t = 0; t < 3; t++) Assert.Equal(lp[0][t], lp[1][t], 5);
        Assert.NotEqual(lp[0][4], lp[1][4]);
    }

    [Fact]
    public void TokenLogProbsMatchADirectComputationAndHandlePadding()
    {
        using var scope = NewDisposeScope();
        using var model = Model();
        int[] shortSeq = [1, 2, 3];
        int[] longSeq = [1, 4, 5, 6, 7, 8];
        var batched = LanguageModel.TokenLogProbs(model, [shortSeq, longSeq]);
        var alone = LanguageModel.TokenLogProbs(model, [shortSeq]);
        Assert.Equal(2, batched[0].Length);
        Assert.Equal(5, batched[1].Length);
        for (int t = 0; t < 2; t++) Assert.Equal(alone[0][t], batched[0][t], 5);
        model.eval();
        using var noGrad = no_grad();
        var logits = model.call(tensor(new long[] { 1, 2 }, [1, 2]));
        float direct = logits.log_softmax(-1)[0, 1, 3].item<float>();
        Assert.Equal(direct, batched[0][1], 5);
        Assert.All(batched.SelectMany(r => r), v => Assert.True(v <= 0));
    }

    [Fact]
    public void SaveAndLoadRoundTrip()
    {
        string dir = Directory.CreateTempSubdirectory("palimpsest-gpt").FullName;
        try
        {
            using var model = Model(3);
            string path = Path.Combine(dir, "model.bin");
            model.SaveTo(path);
            using var loaded = TinyGpt.LoadFrom(path);
            Assert.Equal(Shape, loaded.Config);
            int[] seq = [1, 2, 3, 4, 5];
            Assert.Equal(LanguageModel.TokenLogProbs(model, [seq])[0], LanguageModel.TokenLogProbs(loaded, [seq])[0]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RejectsImpossibleShapesAndTooLongInput()
    {
        var e = Assert.Throws<ArgumentException>(() => new TinyGptConfig(20, 8, Width: 30, Heads: 4).Validate());
        Assert.Contains("30", e.Message);
        using var model = Model();
        Assert.Throws<ArgumentException>(() => LanguageModel.TokenLogProbs(model, [Enumerable.Range(0, 15).ToArray()]));
    }

    [Fact]
    public void GreedyGenerationIsDeterministicAndStops()
    {
        using var model = Model();
        var a = LanguageModel.Generate(model, [1], 6, new Rng(1), temperature: 0);
        var b = LanguageModel.Generate(model, [1], 6, new Rng(2), temperature: 0);
        Assert.Equal(a, b);
        Assert.Equal(7, a.Length);
        var s1 = LanguageModel.Generate(model, [1], 6, new Rng(9));
        var s2 = LanguageModel.Generate(model, [1], 6, new Rng(9));
        Assert.Equal(s1, s2);
    }

    [Fact]
    public void GroupNormStartsAtOneAndZero()
    {
        using var norm = Norms.GroupNorm(4, 16);
        Assert.True(norm.weight!.eq(1).all().item<bool>());
        Assert.True(norm.bias!.eq(0).all().item<bool>());
        using var scope = NewDisposeScope();
        var x = randn(2, 16, 5);
        var y = norm.call(x);
        // With identity affine parameters each group of 4 channels is standardised.
        var groups = y.view(2, 4, -1);
        Assert.True(groups.mean([-1]).abs().max().item<float>() < 1e-5);
        Assert.Throws<ArgumentException>(() => Norms.GroupNorm(3, 16));
    }
}

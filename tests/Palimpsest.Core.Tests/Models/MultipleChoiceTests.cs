using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;

namespace Palimpsest.Core.Tests.Models;

[Collection("Torch")]
public sealed class MultipleChoiceTests
{
    [Fact]
    public void ATrainedModelPicksTheContinuationItLearned()
    {
        var tokenizer = new WordTokenizer(["alpha", "beta", "gamma", "delta", "is", "."]);
        var facts = new[] { "alpha is beta .", "gamma is delta ." };
        var ctx = new RunContext(1, Budget.Smoke);
        using var g = ctx.TorchGenerator("init");
        using var model = new TinyGpt(new TinyGptConfig(tokenizer.VocabSize, 8, 1, 32, 2), g);
        Trainer.Fit(model, facts.Select(f => tokenizer.Encode(f)).ToList(),
            new TrainOptions { Steps = 150, BatchSize = 2, WarmupSteps = 5 }, ctx);
        var chosen = MultipleChoice.Choose(model, tokenizer,
        [
            ("alpha is", ["delta", "beta", "gamma"]),
            ("gamma is", ["beta", "alpha", "delta"]),
        ]);
        Assert.Equal([1, 2], chosen);
    }

    [Fact]
    public void RejectsItemsLongerThanTheContext()
    {
        var tokenizer = new WordTokenizer(["a", "b"]);
        using var g = new TorchSharp.torch.Generator(1);
        using var model = new TinyGpt(new TinyGptConfig(tokenizer.VocabSize, 4, 1, 16, 2), g);
        var e = Assert.Throws<ArgumentException>(() => MultipleChoice.Choose(model, tokenizer, [("a a a a", ["b"])]));
        Assert.Contains("context", e.Message);
    }

    [Fact]
    public void PackingKeepsEveryDocumentWholeAndOnce()
    {
        var docs = Enumerable.Range(0, 50).Select(i => Enumerable.Range(100 + i * 10, 1 + i % 7).ToArray()).ToList();
        var sequences = Packing.Pack(docs, 16, new Rng(3), bos: 1);
        Assert.All(sequences, s => Assert.True(s.Length <= 17 && s[0] == 1));
        var tokens = sequences.SelectMany(s => s.Skip(1)).ToList();
        Assert.Equal(docs.Sum(d => d.Length), tokens.Count);
        Assert.Equal(docs.SelectMany(d => d).Order(), tokens.Order());
        Assert.Throws<ArgumentException>(() => Packing.Pack([new int[20]], 16, new Rng(1), 1));
    }
}

using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Models;

[Collection("Torch")]
public sealed class ContinueTests
{
    private static readonly TinyGptConfig Shape = new(VocabSize: 20, ContextLength: 12, Layers: 2, Width: 32, Heads: 4);

    private static TinyGpt Model()
    {
        using var g = new Generator(5);
        return new TinyGpt(Shape, g);
    }

    [Fact]
    public void BatchedGreedyMatchesOnePromptAtATimeWhateverThePadding()
    {
        using var model = Model();
        int[][] prompts = [[1, 4], [1, 5, 6, 7, 8], [1, 9, 3]];
        var batched = LanguageModel.Continue(model, prompts, 5);
        for (int i = 0; i < prompts.Length; i++)
        {
            var single = LanguageModel.Generate(model, prompts[i], 5, new Rng(1), temperature: 0);
            Assert.Equal(single[prompts[i].Length..], batched[i]);
            Assert.Equal(batched[i], LanguageModel.Continue(model, [prompts[i]], 5)[0]);
        }
    }

    [Fact]
    public void SamplingIsDeterministicPerSeedAndStopsAtTheStopToken()
    {
        using var model = Model();
        var prompts = Enumerable.Repeat(new[] { 1, 4 }, 30).ToList();
        var a = LanguageModel.Continue(model, prompts, 6, new Rng(9), temperature: 1.0, stopId: 2);
        var b = LanguageModel.Continue(model, prompts, 6, new Rng(9), temperature: 1.0, stopId: 2);
        Assert.Equal(a, b);
        Assert.All(a, c => Assert.True(c.Length == 6 || c[^1] == 2, string.Join(",", c)));
        Assert.All(a, c => Assert.DoesNotContain(2, c[..^1]));
        Assert.True(a.Select(c => string.Join(",", c)).Distinct().Count() > 1, "30 samples at temperature 1 were all identical");
    }

    [Fact]
    public void PromptsThatDoNotFitAreRejectedByIndex()
    {
        using var model = Model();
        var e = Assert.Throws<ArgumentException>(() => LanguageModel.Continue(model, [[1, 2], new int[10]], 5));
        Assert.Contains("prompt 1", e.Message);
        Assert.Throws<ArgumentException>(() => LanguageModel.Continue(model, [[1, 2]], 2, rng: null, temperature: 0.5));
    }
}

[Collection("Torch")]
public sealed class BatchLossFromTests
{
    [Fact]
    public void TokensBeforeLossFromAreContextOnly()
    {
        using var scope = NewDisposeScope();
        using var batch = LanguageModel.Batch([[1, 5, 6, 7, 2], [1, 8, 9]], 8, CPU, lossFrom: [3, 1]);
        var targets = batch.Targets.data<long>().ToArray();
        long ignore = LanguageModel.IgnoreIndex;
        // Row 0 predicts tokens 1..4 (5, 6, 7, 2); only positions ≥ 3 (7 and 2) are targets. Row 1 trains on all (8, 9).
        Assert.Equal(new long[] { ignore, ignore, 7, 2, 8, 9, ignore, ignore }, targets);
    }

    [Fact]
    public void BadLossFromIsRejected()
    {
        Assert.Throws<ArgumentException>(() => LanguageModel.Batch([[1, 5, 6]], 8, CPU, lossFrom: [3]));
        Assert.Throws<ArgumentException>(() => LanguageModel.Batch([[1, 5, 6]], 8, CPU, lossFrom: [1, 1]));
    }
}

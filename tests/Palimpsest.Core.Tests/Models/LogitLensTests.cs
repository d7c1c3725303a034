using Palimpsest.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Models;

[Collection("Torch")]
public sealed class LogitLensTests
{
    private static readonly TinyGptConfig Shape = new(VocabSize: 20, ContextLength: 12, Layers: 3, Width: 32, Heads: 4);

    private static TinyGpt Model()
    {
        using var g = new Generator(3);
        return new TinyGpt(Shape, g);
    }

    [Fact]
    public void TheLensAtTheLastLayerIsTheModelsOwnNextTokenDistribution()
    {
        using var model = Model();
        int[][] prompts = [[1, 5, 7], [1, 4, 9, 9, 2, 6], [3]];
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var lens = LogitLens.LogProbs(model, prompts, batchSize: 2);          // every block output, two batches
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        var own = LanguageModel.NextTokenLogProbs(model, prompts);
        Assert.Equal(prompts.Length, lens.Length);
        Assert.All(lens, perLayer => Assert.Equal(Shape.Layers, perLayer.Length));
        for (int p = 0; p < prompts.Length; p++)
            for (int v = 0; v < Shape.VocabSize; v++)
                Assert.Equal(own[p][v], lens[p][^1][v], 4);
        Assert.All(lens.SelectMany(perLayer => perLayer), lp => Assert.Equal(1, lp.Sum(x => Math.Exp(x)), 4));
        // An intermediate layer is read through the same unembedding but is a different distribution.
        Assert.NotEqual(lens[1][0][0], lens[1][^1][0]);
        var top = LogitLens.TopTokens(model, prompts, 3, [Shape.Layers]);
        Assert.Equal(LogitLens.Top(own[1], 3), top[1][0]);
        Assert.Equal(3, top[1][0].Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => LogitLens.LogProbs(model, prompts, [Shape.Layers + 1]));
    }

    [Fact]
    public void ValueVectorProjectionReturnsTheTokensAHandSetVectorPromotes()
    {
        using var model = Model();
        int hidden = Shape.MlpRatio * Shape.Width;
        var weight = new float[Shape.Width * hidden];                           // W_out: [width, hidden], all zero
        weight[7 * hidden + 5] = 2;                                              // value vector 5 = 2·e7 + e3
        weight[3 * hidden + 5] = 1;
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            model.TokenEmbedding.copy_(eye(Shape.VocabSize, Shape.Width));       // token t embeds as the unit vector e_t
            model.Blocks[1].MlpLayer.OutputProjection.weight!.copy_(tensor(weight, [Shape.Width, hidden]));
        }
        var values = ValueVectors.Of(model, 1);
        Assert.Equal(hidden, values.Length);
        Assert.Equal(2f, values[5][7]);
        Assert.Equal(1f, values[5][3]);
        Assert.Equal(0f, values[4].Select(x => Math.Abs(x)).Max());
        Assert.Equal([7, 3], ValueVectors.TopTokens(model, 1, 2)[5]);
        Assert.Equal([7, 3], ValueVectors.TopTokens(model, 1, 2, throughFinalNorm: true)[5]);
        var vector = new float[Shape.Width];
        vector[11] = 3;
        vector[2] = 1;
        Assert.Equal([11, 2], ValueVectors.TopTokens(model, vector, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => ValueVectors.Of(model, Shape.Layers));
    }

    [Fact]
    public void WritingAValueVectorChangesOnlyThatColumn()
    {
        using var model = Model();
        var before = ValueVectors.Of(model, 2);
        var other = ValueVectors.Of(model, 1);
        var vector = Enumerable.Range(0, Shape.Width).Select(i => (float)i / 10).ToArray();
        long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        ValueVectors.Write(model, 2, 9, vector);
        Assert.Equal(live, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        var after = ValueVectors.Of(model, 2);
        Assert.Equal(ValueVectors.Count(model), after.Length);
        Assert.Equal(vector, after[9]);
        Assert.All(Enumerable.Range(0, after.Length).Where(j => j != 9), j => Assert.Equal(before[j], after[j]));
        Assert.All(Enumerable.Range(0, other.Length), j => Assert.Equal(other[j], ValueVectors.Of(model, 1)[j]));
        // Ablating a vector the prompt's keys read changes the output.
        int[][] prompt = [[1, 5, 7]];
        var logits = LanguageModel.NextTokenLogProbs(model, prompt)[0];
        ValueVectors.Write(model, 2, 9, new float[Shape.Width]);
        Assert.NotEqual(logits, LanguageModel.NextTokenLogProbs(model, prompt)[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ValueVectors.Write(model, 2, ValueVectors.Count(model), vector));
        Assert.Throws<ArgumentException>(() => ValueVectors.Write(model, 2, 0, new float[3]));
    }
}

using Palimpsest.Core.Tensors;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Tensors;

[Collection("Torch")]
public sealed class PromptBatchTests
{
    [Fact]
    public void RightPadsWithThePadIdAndIndexesEachLastToken()
    {
        using var scope = NewDisposeScope();
        using var batch = PromptBatch.RightPad([[1, 4], [1, 5, 6, 7], [9]], CPU, padId: 3);
        Assert.Equal(new long[] { 3, 4 }, batch.Tokens.shape);
        Assert.Equal(ScalarType.Int64, batch.Tokens.dtype);
        Assert.Equal(new long[] { 1, 4, 3, 3, 1, 5, 6, 7, 9, 3, 3, 3 }, batch.Tokens.data<long>().ToArray());
        Assert.Equal(new long[] { 2, 4, 1 }, batch.Lengths);
        Assert.Equal(new long[] { 1, 3, 0 }, batch.Last);
        Assert.Equal(3, batch.Count);
    }

    [Fact]
    public void LongPromptsGiveTheSameBatchAsIntPrompts()
    {
        using var scope = NewDisposeScope();
        using var a = PromptBatch.RightPad([[1, 4], [2]], CPU);
        using var b = PromptBatch.RightPad(new List<long[]> { new long[] { 1, 4 }, new long[] { 2 } }, CPU);
        Assert.Equal(a.Tokens.data<long>().ToArray(), b.Tokens.data<long>().ToArray());
        Assert.Equal(new long[] { 1, 4, 2, 0 }, a.Tokens.data<long>().ToArray());
        Assert.Equal(a.Last, b.Last);
    }

    [Fact]
    public void AtLastPicksEachRowsLastRealPosition()
    {
        using var scope = NewDisposeScope();
        using var batch = PromptBatch.RightPad([[1, 4, 4], [1]], CPU);
        var x = arange(2 * 3 * 2, dtype: ScalarType.Float32).reshape(2, 3, 2);   // x[b, t, f] = 6b + 2t + f
        Assert.Equal(new long[] { 2, 1, 2 }, batch.LastIndex(2).shape);
        Assert.Equal(new float[] { 4, 5, 6, 7 }, batch.AtLast(x).data<float>().ToArray());
    }

    [Fact]
    public void BadInputGetsAClearError()
    {
        var empty = Assert.Throws<ArgumentException>(() => PromptBatch.RightPad(new List<int[]>(), CPU));
        Assert.Contains("no prompts", empty.Message);
        var emptyPrompt = Assert.Throws<ArgumentException>(() => PromptBatch.RightPad([[1, 2], []], CPU));
        Assert.Contains("prompt 1 is empty", emptyPrompt.Message);
        var tooLong = Assert.Throws<ArgumentException>(() => PromptBatch.RightPad([[1, 2, 3]], CPU, maxLength: 2));
        Assert.Contains("prompt 0 has 3 tokens; at most 2", tooLong.Message);
        var clash = Assert.Throws<ArgumentException>(
            () => PromptBatch.RightPad([[1, 2], [1, 0, 5]], CPU, isPadIdReserved: true));
        Assert.Contains("prompt 1 holds the pad id 0 at position 1", clash.Message);
        var negative = Assert.Throws<ArgumentOutOfRangeException>(() => PromptBatch.RightPad([[1]], CPU, padId: -1));
        Assert.Contains("-1", negative.Message);
    }

    [Fact]
    public void ThePadIdMayOccurInPromptsUnlessReserved()
    {
        using var scope = NewDisposeScope();
        using var batch = PromptBatch.RightPad([[0, 0], [0]], CPU);
        Assert.Equal(new long[] { 1, 0 }, batch.Last);
    }
}

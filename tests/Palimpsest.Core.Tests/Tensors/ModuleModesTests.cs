using Palimpsest.Core.Models;
using Palimpsest.Core.Tensors;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Tensors;

[Collection("Torch")]
public sealed class ModuleModesTests
{
    private static TinyGpt Model()
    {
        using var g = new Generator(1);
        return new TinyGpt(new TinyGptConfig(VocabSize: 8, ContextLength: 4, Layers: 1, Width: 8, Heads: 2,
            Dropout: 0.1), g);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EvaluatingSwitchesToEvalAndRestoresTheFormerFlag(bool wasTraining)
    {
        using var model = Model();
        model.train(wasTraining);
        using (var scope = model.Evaluating())
        {
            Assert.False(model.training);
            Assert.Equal(wasTraining, scope.WasTraining);
        }
        Assert.Equal(wasTraining, model.training);
    }

    [Fact]
    public void TheFlagIsRestoredWhenTheBlockThrows()
    {
        using var model = Model();
        model.train();
        void Body()
        {
            using var _ = model.Evaluating();
            throw new InvalidOperationException("inside");
        }
        Assert.Throws<InvalidOperationException>((Action)Body);
        Assert.True(model.training);
    }

    [Fact]
    public void DisposingTwiceRestoresOnlyOnce()
    {
        using var model = Model();
        model.train();
        var scope = model.Evaluating();
        scope.Dispose();
        model.eval();
        scope.Dispose();
        Assert.False(model.training);
    }
}

using Palimpsest.Core.Models;
using Palimpsest.Core.Unlearning;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Unlearning;

[Collection("Torch")]
public sealed class TaskVectorTests
{
    private static readonly TinyGptConfig Shape = new(VocabSize: 20, ContextLength: 12, Layers: 2, Width: 32, Heads: 4);

    private static TinyGpt Model(ulong seed)
    {
        using var g = new Generator(seed);
        return new TinyGpt(Shape, g);
    }

    /// <summary>Every weight, parameter after parameter in the model's order.</summary>
    private static float[] Weights(TinyGpt model)
    {
        using var scope = NewDisposeScope();
        return model.named_parameters().SelectMany(p => p.parameter.data<float>().ToArray()).ToArray();
    }

    private static IReadOnlyList<string> Names(TinyGpt model)
    {
        using var scope = NewDisposeScope();
        return model.named_parameters().Select(p => p.name).ToList();
    }

    [Fact]
    public void NegatingWithAlphaOneRestoresTheOriginalWeightsExactly()
    {
        // "from" stands for the target, "to" for the same model fine-tuned further (here: other random weights).
        using var from = Model(1);
        using var to = Model(2);
        var original = Weights(from);
        using var tau = TaskVector.Between(from, to);
        using var model = to.Copy();
        tau.AddTo(model, -1);                              // θ_to − 1·(θ_to − θ_from) = θ_from
        Assert.Equal(original, Weights(model));
        tau.AddTo(model, 1);                               // and back to θ_to
        Assert.Equal(Weights(to), Weights(model));
        Assert.Equal(Names(from), tau.Names);
    }

    [Fact]
    public void ScalingMovesEveryParameterAlongTheDifference()
    {
        using var from = Model(1);
        using var to = Model(2);
        var (a, b) = (Weights(from), Weights(to));
        using var tau = TaskVector.Between(from, to);
        double expectedNorm = Math.Sqrt(a.Zip(b, (x, y) => ((double)y - x) * ((double)y - x)).Sum());
        Assert.Equal(expectedNorm, tau.Norm(), 1e-6);

        using var model = from.Copy();
        tau.AddTo(model, -5);                              // MUSE's task-vector negation with α = 5
        var moved = Weights(model);
        for (int i = 0; i < moved.Length; i++)
            Assert.Equal(a[i] - 5.0 * ((double)b[i] - a[i]), moved[i], 1e-5);
        tau.AddTo(model, 0);
        Assert.Equal(moved, Weights(model));
    }

    [Fact]
    public void ModelsOfAnotherShapeAreRejectedAndNoTensorLeaks()
    {
        long before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var from = Model(1))
        using (var to = Model(2))
        {
            using var tau = TaskVector.Between(from, to);
            tau.AddTo(from, 0.5);
            _ = tau.Norm();
            using var g = new Generator(3);
            using var wider = new TinyGpt(Shape with { Width = 64 }, g);
            Assert.Throws<ArgumentException>(() => TaskVector.Between(from, wider));
            Assert.Throws<ArgumentException>(() => tau.AddTo(wider, 1));
            Assert.Throws<ArgumentOutOfRangeException>(() => tau.AddTo(from, double.NaN));
        }
        Assert.True(DisposeScopeManager.Statistics.ThreadTotalLiveCount <= before, "the task vector left live tensors");
    }
}

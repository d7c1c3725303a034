using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Training;
using TorchSharp;

namespace Palimpsest.Core.Unlearning;

/// <summary>How the unlearning papers make the model they unlearn from: a fresh TinyGpt fit to prompt-answer examples.</summary>
public static class AnswerTraining
{
    /// <summary>
    /// A fresh model (initialised from the "init" stream, so every model of a run starts alike) trained for
    /// <paramref name="epochs"/> epochs over <paramref name="examples"/>, the loss on the answers only, cosine schedule with
    /// min(50, steps / 10) warm-up steps; batches drawn from the stream <paramref name="orderStream"/>.
    /// </summary>
    public static TinyGpt Train(TinyGptConfig shape, IReadOnlyList<PromptAnswer> examples, int epochs, int batchSize,
        double learningRate, string stage, string orderStream, RunContext ctx)
    {
        using var init = ctx.TorchGenerator("init");
        var model = new TinyGpt(shape, init).to(ctx.Device);
        int steps = (epochs * examples.Count + batchSize - 1) / batchSize;
        Trainer.Fit(model, examples.Select(e => e.Tokens).ToList(), new TrainOptions
        {
            Steps = steps, BatchSize = batchSize, LearningRate = learningRate, WarmupSteps = Math.Min(50, steps / 10),
            LossFrom = examples.Select(e => e.AnswerFrom).ToList(), Stage = stage, OrderStream = orderStream,
        }, ctx);
        return model;
    }
}

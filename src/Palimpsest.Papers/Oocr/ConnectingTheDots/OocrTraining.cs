using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using TorchSharp;

namespace Palimpsest.Papers.Oocr;

/// <summary>One point of a task's learning curve: accuracy on its primary question by kind of name, after a step.</summary>
/// <param name="Step">Optimizer steps taken (0: the untrained model).</param>
/// <param name="Explicit">Accuracy on explicit names (the precondition's measure).</param>
/// <param name="Latent">Accuracy on latent names (the finding's measure).</param>
/// <param name="Control">Accuracy on control names (shuffled evidence).</param>
public sealed record CurvePoint(int Step, double Explicit, double Latent, double Control);

/// <summary>What training one task left: the model (the caller disposes it), its loss log, the corpus size, the curve.</summary>
internal sealed record TrainedTask(TinyGpt Model, TrainLog Log, int Documents, long TokensPerPass, int Steps,
    IReadOnlyList<CurvePoint> Curve);

/// <summary>
/// Training of one task's model. Each document is its own row, &lt;bos&gt; … &lt;eos&gt;, right-padded in its batch with
/// the padding masked out of the loss: a document's answer is never hidden behind other documents in a packed window,
/// and the positions of a name and its value are the same in every document of a format. One pass is the world's
/// document list (every evidence document once, statements repeated as the world's settings say); passes are reshuffled
/// until the task's token budget is spent.
/// </summary>
internal static class OocrTraining
{
    public static TrainedTask Train(OocrWorld world, WordTokenizer tokenizer, long tokenBudget,
        ConnectingTheDots.Config cfg, RunContext ctx)
    {
        if (tokenBudget < 1) throw new ArgumentException($"the {world.Task} token budget {tokenBudget} must be positive");
        var rows = world.TrainingDocuments.Select(d => tokenizer.Encode(d, addBos: true, addEos: true)).ToList();
        long tokensPerPass = rows.Sum(r => (long)r.Length - 1); // predicted tokens: every one after <bos>
        double tokensPerStep = (double)tokensPerPass / rows.Count * Math.Min(cfg.BatchSize, rows.Count);
        int steps = (int)Math.Max(1, Math.Ceiling(tokenBudget / tokensPerStep));
        string primary = ConnectingTheDots.PrimaryType(world.Task);
        var probe = world.Questions.Where(q => q.Type == primary && q.Kind != LatentKind.Unseen).ToList();

        var shape = new TinyGptConfig(tokenizer.VocabSize, cfg.ContextLength, cfg.Layers, cfg.Width, cfg.Heads);
        using var init = ctx.TorchGenerator($"init-{world.Task}");
        var model = new TinyGpt(shape, init).to(ctx.Device);
        try
        {
            var curve = new List<CurvePoint> { Probe(model, tokenizer, probe, 0) };
            var log = Trainer.Fit(model, rows, new TrainOptions
            {
                Steps = steps, BatchSize = cfg.BatchSize, LearningRate = cfg.LearningRate,
                WarmupSteps = Math.Min(cfg.WarmupSteps, steps / 10), Schedule = cfg.Schedule,
                MinLrFraction = cfg.MinLrFraction,
                EvalEvery = cfg.CurvePoints > 0 ? Math.Max(1, steps / cfg.CurvePoints) : 0,
                OrderStream = $"order-{world.Task}", Stage = world.Task,
            }, ctx, evaluate: step =>
            {
                var point = Probe(model, tokenizer, probe, step);
                curve.Add(point);
                return new Dictionary<string, double>
                {
                    ["explicit"] = point.Explicit, ["latent"] = point.Latent, ["control"] = point.Control,
                };
            });
            return new TrainedTask(model, log, rows.Count, tokensPerPass, steps, curve);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Accuracy of each kind of name on the probe questions (one batched multiple-choice pass).</summary>
    private static CurvePoint Probe(TinyGpt model, WordTokenizer tokenizer, IReadOnlyList<OocrQuestion> probe, int step)
    {
        var chosen = MultipleChoice.Choose(model, tokenizer, probe.Select(q => (q.Prompt, q.Candidates)).ToList());
        double Accuracy(LatentKind kind)
        {
            var correct = probe.Select((q, i) => (q, i)).Where(p => p.q.Kind == kind)
                .Select(p => chosen[p.i] == p.q.CorrectIndex ? 1.0 : 0.0).ToList();
            return correct.Count == 0 ? double.NaN : correct.Average();
        }
        return new CurvePoint(step, Accuracy(LatentKind.Explicit), Accuracy(LatentKind.Latent), Accuracy(LatentKind.Control));
    }
}

using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tests.Unlearning;

[Collection("Torch")]
public sealed class UnlearnerTests
{
    private static readonly WordTokenizer Tokenizer = new(["anna", "bert", "carl", "dora", "lives", "in", "rome", "oslo", "lima", "kyiv", "i", "do", "not", "know", "?"]);

    private static PromptAnswer Qa(string person, string town)
    {
        var prompt = Tokenizer.Encode($"{person} lives in ?", addBos: true, addEos: false);
        return new PromptAnswer([.. prompt, .. Tokenizer.Encode(town, addBos: false, addEos: true)], prompt.Length);
    }

    private static (TinyGpt Model, UnlearningData Data, RunContext Ctx) Memorised()
    {
        var forget = new[] { Qa("anna", "rome"), Qa("bert", "oslo") };
        var retain = new[] { Qa("carl", "lima"), Qa("dora", "kyiv") };
        var ctx = new RunContext(1, Budget.Smoke);
        using var g = ctx.TorchGenerator("init");
        var model = new TinyGpt(new TinyGptConfig(Tokenizer.VocabSize, 12, 1, 32, 2), g);
        var all = forget.Concat(retain).ToList();
        Trainer.Fit(model, all.Select(e => e.Tokens).ToList(), new TrainOptions
        {
            Steps = 150, BatchSize = 4, WarmupSteps = 5, LossFrom = all.Select(e => e.AnswerFrom).ToList(),
        }, ctx);
        var idk = Tokenizer.Encode("i do not know", addBos: false, addEos: true);
        var alternative = forget.Select(f => new PromptAnswer([.. f.Tokens[..f.AnswerFrom], .. idk], f.AnswerFrom)).ToList();
        return (model, new UnlearningData(forget, retain, alternative), ctx);
    }

    private static double Nll(TinyGpt model, IReadOnlyList<PromptAnswer> examples)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return Unlearner.CrossEntropy(model, examples).item<float>();
    }

    [Theory]
    [InlineData(UnlearningMethod.GradientAscent)]
    [InlineData(UnlearningMethod.GradientDifference)]
    [InlineData(UnlearningMethod.Npo)]
    [InlineData(UnlearningMethod.NpoRetain)]
    [InlineData(UnlearningMethod.Dpo)]
    [InlineData(UnlearningMethod.IdkRetain)]
    public void EveryMethodRaisesTheForgetLoss(UnlearningMethod method)
    {
        var (model, data, ctx) = Memorised();
        using var _ = model;
        double before = Nll(model, data.Forget);
        Assert.True(before < 0.5, $"the toy model did not memorise its facts (forget NLL {before})");
        Unlearner.Run(model, method, data, new UnlearnOptions { Steps = 20, BatchSize = 2, LearningRate = 3e-3 }, ctx);
        double after = Nll(model, data.Forget);
        Assert.True(after > before + 1, $"{method.Label()}: forget NLL {before:F3} → {after:F3}");
    }

    [Fact]
    public void NpoStartsAtTwoOverBetaLogTwoWithTheGradientOfGradientAscent()
    {
        var (model, data, _) = Memorised();
        using var _m = model;
        using var reference = model.Copy();
        using var scope = NewDisposeScope();
        // At the start π = π_ref, so the loss is (2/β)·log 2 for any β.
        double beta = 0.5;
        Assert.Equal(2 / beta * Math.Log(2), Unlearner.NpoLoss(model, reference, data.Forget, beta).item<float>(), 4);
        // At π = π_ref, ∇NPO = 2σ(0)·mean ∇log π = mean ∇log π(answer): the gradient of gradient ascent on the summed
        // answer log-likelihood (Proposition 1 of the paper, here exact at the first step for any β).
        var p = model.parameters().First();
        model.zero_grad();
        Unlearner.NpoLoss(model, reference, data.Forget, beta).backward();
        var npoGrad = p.grad!.clone();
        model.zero_grad();
        Unlearner.AnswerLogProb(model, data.Forget).mean().backward();
        var gaGrad = p.grad!.clone();
        Assert.True(npoGrad.allclose(gaGrad, rtol: 1e-2, atol: 1e-6), "NPO's gradient at β → 0 differs from GA's");
    }

    [Fact]
    public void RetainKlIsZeroForTheReferenceItselfAndRetainLossStaysLowForGradientDifference()
    {
        var (model, data, ctx) = Memorised();
        using var _m = model;
        using (var scope = NewDisposeScope())
        using (var reference = model.Copy())
            Assert.Equal(0, Unlearner.RetainKl(model, reference, data.Retain).item<float>(), 5);
        Unlearner.Run(model, UnlearningMethod.GradientDifference, data,
            new UnlearnOptions { Steps = 20, BatchSize = 2, LearningRate = 3e-3 }, ctx);
        Assert.True(Nll(model, data.Retain) < Nll(model, data.Forget), "GA+RT forgot the retain facts before the forget facts");
    }

    [Fact]
    public void LiveTensorsStayFlatOverManySteps()
    {
        var (model, data, ctx) = Memorised();
        using var _m = model;
        var live = new List<long>();
        Unlearner.Run(model, UnlearningMethod.NpoKl, data, new UnlearnOptions { Steps = 60, BatchSize = 2, EvalEvery = 10 }, ctx, _ =>
        {
            live.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
            return new Dictionary<string, double>();
        });
        Assert.Equal(7, live.Count);
        Assert.True(live.Skip(2).All(n => n == live[2]), $"live tensors per 10 steps: {string.Join(", ", live)}");
    }

    [Fact]
    public void BadInputNamesTheProblem()
    {
        var (model, data, ctx) = Memorised();
        using var _m = model;
        var e = Assert.Throws<ArgumentException>(() => Unlearner.Run(model, UnlearningMethod.Dpo, data with { Alternative = null },
            new UnlearnOptions(), ctx));
        Assert.Contains("alternative", e.Message);
        Assert.Throws<ArgumentException>(() => new UnlearnOptions { Beta = 0 }.Validate());
        Assert.Equal(UnlearningMethod.NpoRetain, UnlearningMethods.Parse("npo+rt"));
        Assert.Contains("NPO+KL", Assert.Throws<ArgumentException>(() => UnlearningMethods.Parse("xyz")).Message);
    }
}

public sealed class TruthRatioTests
{
    [Fact]
    public void RatioIsTheGeometricMeanOfPerTokenWrongOverRightProbabilities()
    {
        // Right answer: p = 0.5 over 1 token; wrong answers: 0.25 (1 token) and 0.01 over 2 tokens (0.1 per token).
        double r = TruthRatio.Of(Math.Log(0.5), 1, [(Math.Log(0.25), 1), (Math.Log(0.01), 2)]);
        Assert.Equal(Math.Exp((Math.Log(0.25) + Math.Log(0.1)) / 2 - Math.Log(0.5)), r, 12);
        Assert.Equal(Math.Sqrt(0.025) / 0.5, r, 12);
        Assert.Equal(1, TruthRatio.Of(Math.Log(0.2), 1, [(Math.Log(0.2), 1)]), 12);   // no knowledge: R = 1
        Assert.Equal(0.75, TruthRatio.Score(0.25), 12);
        Assert.Equal(0, TruthRatio.Score(3));
        Assert.Throws<ArgumentException>(() => TruthRatio.Of(0, 1, []));
    }
}

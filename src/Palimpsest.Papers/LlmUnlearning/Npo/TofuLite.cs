using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using TorchSharp;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// TOFU-lite: every fact of a <see cref="FictitiousKb"/> person as question → one-word answer, trained with the loss on
/// the answer; evaluated with TOFU's truth ratio (the true value against <c>Perturbed</c> fixed wrong values of the
/// same attribute, from one forward pass per question), forget quality and model utility.
/// </summary>
public sealed class TofuLite
{
    /// <summary>How one model does on one split.</summary>
    public sealed record Evaluation(IReadOnlyList<double> Ratios, KsTestResult Quality, double Utility, double ForgetAccuracy, double Gibberish,
        double RetainAccuracy);

    private readonly FictitiousKb _kb;
    private readonly WordTokenizer _tokenizer;
    private readonly Npo.Config _cfg;
    private readonly Dictionary<(int, string), int[]> _perturbed = [];
    private readonly int[] _idk;

    /// <summary>The world: wrong values for each fact are drawn once from <paramref name="rng"/>.</summary>
    public TofuLite(FictitiousKb kb, WordTokenizer tokenizer, Npo.Config cfg, Rng rng)
    {
        (_kb, _tokenizer, _cfg) = (kb, tokenizer, cfg);
        for (int e = 0; e < kb.Entities.Count; e++)
            foreach (var a in FictitiousKb.Attributes)
            {
                var wrong = FictitiousKb.ValuesOf(a).Where(v => v != kb.Entities[e].Values[a]).ToList();
                rng.Shuffle(wrong);
                _perturbed[(e, a)] = wrong.Take(cfg.Perturbed).Select(tokenizer.Id).ToArray();
            }
        _idk = tokenizer.Encode("i do not know", addBos: false, addEos: true);
    }

    /// <summary>The forget set (all trained phrasings of the forget people's facts), retain set and IDK answers.</summary>
    public UnlearningData Data(IReadOnlyList<int> forget, IReadOnlyList<int> retain)
    {
        var f = Examples(forget);
        return new UnlearningData(f, Examples(retain),
            f.Select(x => new PromptAnswer([.. x.Tokens[..x.AnswerFrom], .. _idk], x.AnswerFrom)).ToList());
    }

    /// <summary>Fine-tunes a fresh model (the same initialisation every time) on the facts of <paramref name="people"/>.</summary>
    public TinyGpt Train(TinyGptConfig shape, IReadOnlyList<int> people, string stage, RunContext ctx)
    {
        var examples = Examples(people);
        return AnswerTraining.Train(shape, examples, _cfg.Epochs, _cfg.BatchSize, _cfg.LearningRate, stage, $"order-{stage}", ctx);
    }

    /// <summary>
    /// Truth ratios on the forget people's facts, forget quality against <paramref name="oracleRatios"/> (the retrained
    /// model's ratios; null when evaluating the oracle itself), utility on the retain and world people, accuracy on the
    /// forget facts and on the retain facts, and the gibberish rate: the share of forget questions whose most likely next word is not a value
    /// of the asked attribute at all (the collapse symptom).
    /// </summary>
    public Evaluation Evaluate(TinyGpt model, IReadOnlyList<int> forget, IReadOnlyList<int> retain, IReadOnlyList<double>? oracleRatios)
    {
        var world = Enumerable.Range(_cfg.Authors, _cfg.WorldPeople).ToList();
        var facts = forget.Concat(retain).Concat(world).SelectMany(e => FictitiousKb.Attributes.Select(a => (e, a))).ToList();
        var prompts = facts.Select(f => _tokenizer.Encode(_kb.Question(_kb.Entities[f.e], f.a, 0).Prompt, addBos: true, addEos: false)).ToList();
        var logProbs = LanguageModel.NextTokenLogProbs(model, prompts);
        var rows = facts.Select((f, i) =>
        {
            var lp = logProbs[i];
            int truth = _tokenizer.Id(_kb.Entities[f.e].Values[f.a]);
            double ratio = TruthRatio.Of(lp[truth], 1, _perturbed[(f.e, f.a)].Select(w => ((double)lp[w], 1)).ToList());
            int argmax = Array.IndexOf(lp, lp.Max());
            bool isValue = FictitiousKb.ValuesOf(f.a).Contains(_tokenizer.Words[argmax]);
            return (f.e, Ratio: ratio, Prob: Math.Exp(lp[truth]), Correct: argmax == truth ? 1.0 : 0.0, Gibberish: isValue ? 0.0 : 1.0);
        }).ToList();
        var forgetSet = forget.ToHashSet();
        var retainSet = retain.ToHashSet();
        var f = rows.Where(r => forgetSet.Contains(r.e)).ToList();
        var r = rows.Where(r => retainSet.Contains(r.e)).ToList();
        var w = rows.Where(r => r.e >= _cfg.Authors).ToList();
        var ratios = f.Select(x => x.Ratio).ToList();
        var quality = oracleRatios is null ? new KsTestResult(0, 1) : KsTest.TwoSample(ratios, oracleRatios);
        double utility = Means.Harmonic([r.Average(x => x.Prob), r.Average(x => x.Correct),
            r.Average(x => TruthRatio.Score(x.Ratio)), w.Count == 0 ? 1 : w.Average(x => x.Correct)]);
        return new Evaluation(ratios, quality, utility, f.Average(x => x.Correct), f.Average(x => x.Gibberish), r.Average(x => x.Correct));
    }

    private List<PromptAnswer> Examples(IEnumerable<int> people) =>
        people.SelectMany(e => FictitiousKb.Attributes.SelectMany(a => Enumerable.Range(0, _cfg.TrainTemplates).Select(t =>
        {
            var (prompt, answer) = _kb.Question(_kb.Entities[e], a, t);
            var p = _tokenizer.Encode(prompt, addBos: true, addEos: false);
            return new PromptAnswer([.. p, .. _tokenizer.Encode(answer, addBos: false, addEos: true)], p.Length);
        }))).ToList();
}

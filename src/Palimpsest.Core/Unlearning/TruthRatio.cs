namespace Palimpsest.Core.Unlearning;

/// <summary>
/// TOFU's evaluation of unlearning, from answer log-probabilities: the truth ratio of one question, forget quality
/// (a KS test between truth-ratio distributions) and the truth score that enters model utility.
/// </summary>
public static class TruthRatio
{
    /// <summary>
    /// R = exp(mean over perturbed answers of log P(â)/|â| − log P(ã)/|ã|): how much more likely, per token, the
    /// wrong (perturbed) answers are than the correct (paraphrased) one. A model that knows the fact has R ≪ 1; a
    /// model that never saw it has R near 1. TOFU's definition (geometric mean over the perturbed answers).
    /// </summary>
    /// <param name="correctLogProb">log P of the correct answer, in nats (summed over its tokens).</param>
    /// <param name="correctLength">Tokens of the correct answer.</param>
    /// <param name="perturbed">log P and length of each wrong answer.</param>
    public static double Of(double correctLogProb, int correctLength, IReadOnlyList<(double LogProb, int Length)> perturbed)
    {
        if (correctLength < 1) throw new ArgumentOutOfRangeException(nameof(correctLength), correctLength, "an answer has at least one token");
        if (perturbed.Count == 0) throw new ArgumentException("the truth ratio needs at least one perturbed answer", nameof(perturbed));
        if (perturbed.Any(p => p.Length < 1)) throw new ArgumentException("every perturbed answer needs at least one token", nameof(perturbed));
        double wrong = perturbed.Average(p => p.LogProb / p.Length);
        return Math.Exp(wrong - correctLogProb / correctLength);
    }

    /// <summary>TOFU's truth score on retained facts: max(0, 1 − R), 1 for a model that knows the fact with certainty.</summary>
    public static double Score(double ratio) => Math.Max(0, 1 - ratio);
}

namespace Palimpsest.Core.Metrics;

/// <summary>
/// Points of an ROC curve, one per distinct score threshold, from (0, 0) to (1, 1), FPR non-decreasing.
/// </summary>
/// <param name="FalsePositiveRates">FPR at each threshold: share of negatives with score ≥ threshold (lower is better).</param>
/// <param name="TruePositiveRates">TPR at each threshold: share of positives with score ≥ threshold (higher is better).</param>
/// <param name="Thresholds">The score thresholds, decreasing; the first is +∞ (nothing flagged).</param>
public sealed record RocCurve(double[] FalsePositiveRates, double[] TruePositiveRates, double[] Thresholds);

/// <summary>
/// Receiver operating characteristic for a score where higher means "more likely positive" (e.g. a membership
/// score where positive = member). Matches <c>sklearn.metrics.roc_auc_score</c> and
/// <c>roc_curve(drop_intermediate=False)</c>.
/// </summary>
public static class Roc
{
    /// <summary>
    /// Area under the ROC curve, the Mann-Whitney statistic: the probability that a random positive scores above a
    /// random negative, ties counting one half. Higher is better; 0.5 is chance, 1 perfect, below 0.5 means the
    /// score points the wrong way.
    /// </summary>
    /// <param name="scores">One score per example, higher = more likely positive; no NaN.</param>
    /// <param name="labels">True for positives; same length as <paramref name="scores"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ, a score is NaN, or there are no positives or no negatives.</exception>
    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var (positives, negatives) = Check(scores, labels);
        double[] ranks = Correlation.Ranks(scores);
        double positiveRankSum = 0;
        for (int i = 0; i < ranks.Length; i++)
            if (labels[i]) positiveRankSum += ranks[i];
        double u = positiveRankSum - positives * (positives + 1.0) / 2; // pairs won by positives, ties as 1/2
        return u / ((double)positives * negatives);
    }

    /// <summary>
    /// The ROC curve: one point per distinct score (all examples with score ≥ threshold are flagged positive),
    /// preceded by (0, 0) at threshold +∞; the last point is (1, 1). Collinear points are kept.
    /// </summary>
    /// <param name="scores">One score per example, higher = more likely positive; no NaN.</param>
    /// <param name="labels">True for positives; same length as <paramref name="scores"/>.</param>
    /// <exception cref="ArgumentException">Lengths differ, a score is NaN, or there are no positives or no negatives.</exception>
    public static RocCurve Curve(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        var (positives, negatives) = Check(scores, labels);
        int n = scores.Count;
        var keys = new double[n];
        var order = new int[n];
        for (int i = 0; i < n; i++) { keys[i] = -scores[i]; order[i] = i; }
        Array.Sort(keys, order); // by descending score; order within ties does not matter

        var fpr = new List<double> { 0.0 };
        var tpr = new List<double> { 0.0 };
        var thresholds = new List<double> { double.PositiveInfinity };
        int truePositives = 0, falsePositives = 0;
        int start = 0;
        while (start < n)
        {
            int end = start;
            while (end < n && keys[end] == keys[start])
            {
                if (labels[order[end]]) truePositives++; else falsePositives++;
                end++;
            }
            fpr.Add((double)falsePositives / negatives);
            tpr.Add((double)truePositives / positives);
            thresholds.Add(-keys[start]);
            start = end;
        }
        return new RocCurve(fpr.ToArray(), tpr.ToArray(), thresholds.ToArray());
    }

    /// <summary>
    /// TPR at a fixed FPR: the largest TPR among ROC points whose FPR is at most <paramref name="maxFalsePositiveRate"/>
    /// (no interpolation), as reported in the membership-inference literature (e.g. TPR at 1% FPR). Higher is better.
    /// With few negatives the achievable FPRs are coarse (multiples of 1/negatives), so low targets may give 0.
    /// </summary>
    /// <param name="scores">One score per example, higher = more likely positive; no NaN.</param>
    /// <param name="labels">True for positives; same length as <paramref name="scores"/>.</param>
    /// <param name="maxFalsePositiveRate">Target FPR in [0, 1], e.g. 0.01.</param>
    /// <exception cref="ArgumentException">Lengths differ, a score is NaN, no positives or no negatives,
    /// or the target is outside [0, 1].</exception>
    public static double TprAtFpr(IReadOnlyList<double> scores, IReadOnlyList<bool> labels, double maxFalsePositiveRate)
    {
        if (!(maxFalsePositiveRate >= 0 && maxFalsePositiveRate <= 1))
            throw new ArgumentOutOfRangeException(nameof(maxFalsePositiveRate), maxFalsePositiveRate, "must be in [0, 1]");
        var curve = Curve(scores, labels);
        double best = 0;
        for (int i = 0; i < curve.FalsePositiveRates.Length; i++)
            if (curve.FalsePositiveRates[i] <= maxFalsePositiveRate)
                best = Math.Max(best, curve.TruePositiveRates[i]);
        return best;
    }

    /// <summary>Validates the inputs and returns the counts of positives and negatives.</summary>
    private static (int Positives, int Negatives) Check(IReadOnlyList<double> scores, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Count != labels.Count)
            throw new ArgumentException(
                $"{nameof(scores)} has {scores.Count} values but {nameof(labels)} has {labels.Count}; they must be paired",
                nameof(labels));
        int positives = 0;
        for (int i = 0; i < labels.Count; i++)
        {
            if (double.IsNaN(scores[i]))
                throw new ArgumentException($"{nameof(scores)}[{i}] is NaN; every example needs a score", nameof(scores));
            if (labels[i]) positives++;
        }
        int negatives = labels.Count - positives;
        if (positives == 0)
            throw new ArgumentException(
                $"{nameof(labels)} has no positives (0 of {labels.Count}); ROC needs both classes", nameof(labels));
        if (negatives == 0)
            throw new ArgumentException(
                $"{nameof(labels)} has no negatives (all {labels.Count} are positive); ROC needs both classes", nameof(labels));
        return (positives, negatives);
    }
}

using Palimpsest.Core.Metrics;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Membership;

/// <summary>How well one score separates members from non-members.</summary>
/// <param name="Score">The score's name, e.g. "min-20%".</param>
/// <param name="Auc">Area under the ROC curve (0.5 = chance).</param>
/// <param name="TprAt1">True positive rate at 1% false positive rate.</param>
/// <param name="TprAt5">True positive rate at 5% false positive rate.</param>
public sealed record AttackMetrics(string Score, double Auc, double TprAt1, double TprAt5);

/// <summary>Evaluates membership scores: AUC, TPR at low FPR, and the paired bootstrap of an AUC difference.</summary>
public static class MembershipAttack
{
    /// <summary>AUC and TPR at 1% and 5% FPR of <paramref name="scores"/> (higher = member).</summary>
    public static AttackMetrics Evaluate(string name, IReadOnlyList<double> scores, IReadOnlyList<bool> isMember) =>
        new(name, Roc.Auc(scores, isMember), Roc.TprAtFpr(scores, isMember, 0.01), Roc.TprAtFpr(scores, isMember, 0.05));

    /// <summary>
    /// Paired bootstrap of AUC(first) − AUC(second) on the same examples: each resample draws the same examples for
    /// both scores, stratified by class so that every resample keeps the numbers of members and non-members.
    /// </summary>
    /// <returns>The difference on the full sample with its percentile interval; an interval above 0 says the first score
    /// separates members better.</returns>
    public static ConfidenceInterval AucDifference(IReadOnlyList<double> first, IReadOnlyList<double> second,
        IReadOnlyList<bool> isMember, Rng rng, int resamples = 1_000, double level = 0.95)
    {
        if (first.Count != second.Count || first.Count != isMember.Count)
            throw new ArgumentException(
                $"scores have {first.Count} and {second.Count} values and labels {isMember.Count}; all must be paired");
        var members = Enumerable.Range(0, isMember.Count).Where(i => isMember[i]).ToArray();
        var others = Enumerable.Range(0, isMember.Count).Where(i => !isMember[i]).ToArray();
        if (members.Length < 2 || others.Length < 2)
            throw new ArgumentException($"need at least 2 members and 2 non-members; got {members.Length} and {others.Length}");
        double Difference(int[] rows)
        {
            var labels = Bootstrap.Gather(isMember, rows);
            return Roc.Auc(Bootstrap.Gather(first, rows), labels) - Roc.Auc(Bootstrap.Gather(second, rows), labels);
        }
        double estimate = Difference(Enumerable.Range(0, isMember.Count).ToArray());
        var replicates = new double[resamples];
        var rows = new int[isMember.Count];
        for (int r = 0; r < resamples; r++)
        {
            for (int i = 0; i < members.Length; i++) rows[i] = members[rng.NextInt(members.Length)];
            for (int i = 0; i < others.Length; i++) rows[members.Length + i] = others[rng.NextInt(others.Length)];
            replicates[r] = Difference(rows);
        }
        Array.Sort(replicates);
        double alpha = 1 - level;
        return new ConfidenceInterval(estimate, Bootstrap.Quantile(replicates, alpha / 2), Bootstrap.Quantile(replicates, 1 - alpha / 2), level);
    }
}

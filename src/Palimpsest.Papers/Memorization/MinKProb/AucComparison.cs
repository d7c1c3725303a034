namespace Palimpsest.Papers.Memorization;

/// <summary>
/// Item-level evidence for "members of cell A are easier to detect than members of cell B" when the two cells hold
/// different candidates (two text lengths; two exposure levels that share their non-members), where Core's
/// <c>Evidence.AucDifference</c> (two scores of the same items) does not apply. Each candidate of either cell gets the
/// AUC difference plus its influence on it (DeLong, DeLong and Clarke-Pearson 1988's structural components, scaled by
/// the share of its class in the cell), so that the values' mean is exactly AUC(A) − AUC(B) and the bootstrap of their
/// mean has DeLong's variance: the sampling of members and of non-members both count, and a non-member shared by the
/// two cells counts once. Judge them with <c>Evidence.Mean</c>.
/// </summary>
public static class AucComparison
{
    /// <summary>
    /// One value per candidate in cell A or cell B (in candidate order), whose mean is AUC(A) − AUC(B) of
    /// <paramref name="scores"/> (higher = member).
    /// </summary>
    /// <param name="scores">Every candidate's score.</param>
    /// <param name="isMember">Every candidate's label.</param>
    /// <param name="inA">Whether each candidate belongs to cell A (its members and its non-members).</param>
    /// <param name="inB">Whether each candidate belongs to cell B; cells may share candidates.</param>
    /// <exception cref="ArgumentException">The lists differ in length, or a cell lacks members or non-members.</exception>
    public static double[] DifferenceItems(IReadOnlyList<double> scores, IReadOnlyList<bool> isMember,
        IReadOnlyList<bool> inA, IReadOnlyList<bool> inB)
    {
        int n = scores.Count;
        if (isMember.Count != n || inA.Count != n || inB.Count != n)
            throw new ArgumentException(
                $"one label and one cell flag per score: {n} scores, {isMember.Count} labels, {inA.Count} and {inB.Count} flags");
        var union = Enumerable.Range(0, n).Where(i => inA[i] || inB[i]).ToArray();
        var (aucA, influenceA) = Influence(scores, isMember, inA, union.Length);
        var (aucB, influenceB) = Influence(scores, isMember, inB, union.Length);
        return union.Select(i => aucA - aucB + influenceA[i] - influenceB[i]).ToArray();
    }

    /// <summary>
    /// The AUC of one cell and each candidate's influence on it: (items / members) × (placement − AUC) for a member,
    /// (items / non-members) × (placement − AUC) for a non-member, 0 outside the cell. A member's placement is the
    /// share of the cell's non-members it outscores, a non-member's the share of the cell's members that outscore it
    /// (ties count one half); both average to the AUC.
    /// </summary>
    private static (double Auc, double[] Influence) Influence(IReadOnlyList<double> scores, IReadOnlyList<bool> isMember,
        IReadOnlyList<bool> inCell, int items)
    {
        var members = Enumerable.Range(0, scores.Count).Where(i => inCell[i] && isMember[i]).ToArray();
        var others = Enumerable.Range(0, scores.Count).Where(i => inCell[i] && !isMember[i]).ToArray();
        if (members.Length == 0 || others.Length == 0)
            throw new ArgumentException($"a cell needs members and non-members; got {members.Length} and {others.Length}");
        double Wins(int member, int other) =>
            scores[member] > scores[other] ? 1 : scores[member] == scores[other] ? 0.5 : 0;
        var placement = new double[scores.Count];
        foreach (int m in members) placement[m] = others.Average(o => Wins(m, o));
        foreach (int o in others) placement[o] = members.Average(m => Wins(m, o));
        double auc = members.Average(m => placement[m]);
        var influence = new double[scores.Count];
        foreach (int m in members) influence[m] = (double)items / members.Length * (placement[m] - auc);
        foreach (int o in others) influence[o] = (double)items / others.Length * (placement[o] - auc);
        return (auc, influence);
    }
}

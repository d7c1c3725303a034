namespace Palimpsest.Core.Experiments;

/// <summary>How a claim's measured value is compared with its threshold.</summary>
public enum Comparison
{
    /// <summary>measured &gt; threshold.</summary>
    Greater,
    /// <summary>measured ≥ threshold.</summary>
    AtLeast,
    /// <summary>measured &lt; threshold.</summary>
    Less,
    /// <summary>measured ≤ threshold.</summary>
    AtMost,
}

/// <summary>The outcome of checking a claim.</summary>
public enum Verdict
{
    /// <summary>The measured value satisfies the comparison.</summary>
    Pass,
    /// <summary>It does not (or it is not a number).</summary>
    Fail,
    /// <summary>The claim is judged at a larger budget than this run's; the value is still reported.</summary>
    NotChecked,
}

/// <summary>Helpers for <see cref="Comparison"/>.</summary>
public static class Comparisons
{
    /// <summary>The comparison's symbol: &gt;, ≥, &lt;, ≤.</summary>
    public static string Symbol(this Comparison c) => c switch
    {
        Comparison.Greater => ">",
        Comparison.AtLeast => ">=",
        Comparison.Less => "<",
        Comparison.AtMost => "<=",
        _ => throw new ArgumentOutOfRangeException(nameof(c), c, null),
    };

    /// <summary>True when <paramref name="measured"/> satisfies the comparison; NaN never does.</summary>
    public static bool Holds(this Comparison c, double measured, double threshold)
    {
        if (double.IsNaN(measured)) return false;
        return c switch
        {
            Comparison.Greater => measured > threshold,
            Comparison.AtLeast => measured >= threshold,
            Comparison.Less => measured < threshold,
            Comparison.AtMost => measured <= threshold,
            _ => throw new ArgumentOutOfRangeException(nameof(c), c, null),
        };
    }
}

/// <summary>
/// A paper's finding as a measured number against a threshold fixed before the run.
/// Compare two quantities by measuring their difference (e.g. method minus control) against a margin.
/// </summary>
/// <param name="Id">Short kebab-case id, unique within the paper.</param>
/// <param name="Statement">The paper's finding in one sentence, in our words.</param>
/// <param name="Measure">What is measured: a plain number from the result.</param>
/// <param name="Comparison">How the measured value must relate to the threshold.</param>
/// <param name="Threshold">Fixed before the full run; from the paper and the protocol.</param>
/// <param name="CheckedAt">The smallest budget at which the claim is judged; smaller runs report NotChecked.</param>
/// <param name="Unit">The unit of the measured value (e.g. "nats/token", "AUC", "p-value").</param>
/// <param name="BeatsControl">True when the claim compares the method with the experiment's control.</param>
/// <param name="AppliesTo">
/// Optional precondition on the result: when it is false (e.g. the claim is about "the located vectors" and none were
/// found), the claim has nothing to judge and is NotChecked at every budget; the value is still reported. A failed
/// precondition must itself be a claim of the paper, so that it is never hidden.
/// </param>
public sealed record Claim<TResult>(
    string Id,
    string Statement,
    Func<TResult, double> Measure,
    Comparison Comparison,
    double Threshold,
    Budget CheckedAt,
    string Unit,
    bool BeatsControl = false,
    Func<TResult, bool>? AppliesTo = null)
{
    /// <summary>The claim without its measuring function.</summary>
    public ClaimSpec Spec => new(Id, Statement, Comparison, Threshold, CheckedAt, Unit, BeatsControl);

    /// <summary>Measures and judges the claim on one result from a run at <paramref name="budget"/>.</summary>
    public ClaimOutcome Evaluate(TResult result, Budget budget)
    {
        double measured = Measure(result);
        return AppliesTo is null || AppliesTo(result) ? Spec.Judge(measured, budget) : Spec.NotApplicable(measured);
    }
}

/// <summary>A claim's definition as data (what the registry, the scoreboard and result files show).</summary>
public sealed record ClaimSpec(
    string Id, string Statement, Comparison Comparison, double Threshold, Budget CheckedAt, string Unit, bool BeatsControl)
{
    /// <summary>Judges a measured value from a run at <paramref name="budget"/>.</summary>
    public ClaimOutcome Judge(double measured, Budget budget)
    {
        Verdict verdict = budget < CheckedAt ? Verdict.NotChecked
            : Comparison.Holds(measured, Threshold) ? Verdict.Pass : Verdict.Fail;
        return new ClaimOutcome(Id, Statement, measured, Comparison, Threshold, CheckedAt, Unit, verdict);
    }

    /// <summary>The outcome when the claim's precondition fails on a run: NotChecked at any budget, the value kept.</summary>
    public ClaimOutcome NotApplicable(double measured) =>
        new(Id, Statement, measured, Comparison, Threshold, CheckedAt, Unit, Verdict.NotChecked);

    /// <summary>"measured &gt; 0.1 nats/token", for tables.</summary>
    public string Expectation => $"{Comparison.Symbol()} {Threshold.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>A claim's verdict on one run: plain numbers, serialisable.</summary>
public sealed record ClaimOutcome(
    string Id, string Statement, double Measured, Comparison Comparison, double Threshold, Budget CheckedAt,
    string Unit, Verdict Verdict);

/// <summary>Factory methods that read like the claim: <c>Claim.Greater("beats-control", ..., r =&gt; r.Gap, 0.1)</c>.</summary>
public static class Claim
{
    /// <summary>measured &gt; threshold.</summary>
    public static Claim<TResult> Greater<TResult>(string id, string statement, Func<TResult, double> measure,
        double threshold, Budget checkedAt, string unit, bool beatsControl = false, Func<TResult, bool>? appliesTo = null) =>
        new(id, statement, measure, Comparison.Greater, threshold, checkedAt, unit, beatsControl, appliesTo);

    /// <summary>measured ≥ threshold.</summary>
    public static Claim<TResult> AtLeast<TResult>(string id, string statement, Func<TResult, double> measure,
        double threshold, Budget checkedAt, string unit, bool beatsControl = false, Func<TResult, bool>? appliesTo = null) =>
        new(id, statement, measure, Comparison.AtLeast, threshold, checkedAt, unit, beatsControl, appliesTo);

    /// <summary>measured &lt; threshold.</summary>
    public static Claim<TResult> Less<TResult>(string id, string statement, Func<TResult, double> measure,
        double threshold, Budget checkedAt, string unit, bool beatsControl = false, Func<TResult, bool>? appliesTo = null) =>
        new(id, statement, measure, Comparison.Less, threshold, checkedAt, unit, beatsControl, appliesTo);

    /// <summary>measured ≤ threshold.</summary>
    public static Claim<TResult> AtMost<TResult>(string id, string statement, Func<TResult, double> measure,
        double threshold, Budget checkedAt, string unit, bool beatsControl = false, Func<TResult, bool>? appliesTo = null) =>
        new(id, statement, measure, Comparison.AtMost, threshold, checkedAt, unit, beatsControl, appliesTo);
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Palimpsest.Core.Randomness;

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

/// <summary>What a claim is for; the scoreboard counts only findings as reproduction.</summary>
public enum ClaimKind
{
    /// <summary>The paper's result, in the toy.</summary>
    Finding,
    /// <summary>The method beats a control that could have won (retrain oracle, head-only baseline, shuffled labels, the base).</summary>
    Control,
    /// <summary>The toy acquired what a finding assumes (facts memorised, skill learnt, effect created). Findings and
    /// controls that depend on it are UNTESTED on any seed where it fails.</summary>
    Precondition,
    /// <summary>True by construction or bookkeeping (exactness, simulator agreement): shown, never counted as reproduction.</summary>
    Sanity,
}

/// <summary>The outcome of checking a claim.</summary>
public enum Verdict
{
    /// <summary>The measured value (or its whole interval) satisfies the comparison.</summary>
    Pass,
    /// <summary>It does not (or it is not a number).</summary>
    Fail,
    /// <summary>The claim is judged at a larger budget than this run's; the value is still reported.</summary>
    NotChecked,
    /// <summary>A precondition the claim depends on failed: the finding was not put to the test. Neither PASS nor FAIL.</summary>
    Untested,
}

/// <summary>How a claim reaches its verdict.</summary>
public enum ClaimTest
{
    /// <summary>The measured value (over seeds: the mean over seeds) against the threshold.</summary>
    Threshold,
    /// <summary>
    /// The 95% bootstrap interval of the statistic over the claim's items (over seeds: pooled within seeds) must lie wholly
    /// on the passing side of the threshold. For every "better than" claim, so that a tie never passes.
    /// </summary>
    Interval,
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

    /// <summary>True when the interval [low, high] lies wholly on the passing side of <paramref name="threshold"/>.</summary>
    public static bool IntervalHolds(this Comparison c, double low, double high, double threshold)
    {
        if (double.IsNaN(low) || double.IsNaN(high)) return false;
        return c is Comparison.Greater or Comparison.AtLeast ? c.Holds(low, threshold) : c.Holds(high, threshold);
    }

    /// <summary>The kind's name as the scoreboard shows it: "Finding", "Control", "Precondition", "Sanity".</summary>
    public static string Name(this ClaimKind kind) => kind.ToString();
}

/// <summary>
/// One measured number of a paper's experiment against a threshold fixed before the full run, with a kind (finding,
/// control, precondition, sanity) and the preconditions it depends on. Build claims with the factories of
/// <see cref="Claim"/>: <c>Claim.Finding(...)</c>, <c>Claim.Control(...)</c>, <c>Claim.Precondition(...)</c>,
/// <c>Claim.Sanity(...)</c>.
/// </summary>
/// <remarks>
/// A claim measures either a plain number (<see cref="Measure"/>: judged on its value, over seeds on the mean) or
/// item-level <see cref="Evidence"/> (<see cref="Items"/>: judged on a bootstrap interval that must exclude the
/// threshold). Every "better than" claim uses evidence, so that a tie never passes.
/// </remarks>
public sealed record Claim<TResult>
{
    /// <summary>Short kebab-case id, unique within the paper.</summary>
    public required string Id { get; init; }
    /// <summary>What the claim is for.</summary>
    public required ClaimKind Kind { get; init; }
    /// <summary>The finding in one sentence, in our words.</summary>
    public required string Statement { get; init; }
    /// <summary>How the measured value must relate to the threshold.</summary>
    public required Comparison Comparison { get; init; }
    /// <summary>Fixed before the full run; from the paper and the protocol.</summary>
    public required double Threshold { get; init; }
    /// <summary>The smallest budget at which the claim is judged; smaller runs report NotChecked.</summary>
    public required Budget CheckedAt { get; init; }
    /// <summary>The unit of the measured value (e.g. "nats/token", "AUC", "log10 p").</summary>
    public required string Unit { get; init; }
    /// <summary>Ids of the <see cref="ClaimKind.Precondition"/> claims this one depends on.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    /// <summary>A plain measured number (null when the claim measures <see cref="Items"/>).</summary>
    public Func<TResult, double>? Measure { get; init; }
    /// <summary>Item-level evidence, judged on its interval (null when the claim measures a plain number).</summary>
    public Func<TResult, Evidence>? Items { get; init; }

    /// <summary>The claim without its measuring function.</summary>
    public ClaimSpec Spec => new(Id, Kind, Statement, Comparison, Threshold, CheckedAt, Unit, DependsOn,
        Items is null ? ClaimTest.Threshold : ClaimTest.Interval);

    /// <summary>
    /// Measures and judges the claim on one result from a run at <paramref name="budget"/> and one seed, on its own
    /// (preconditions are applied by <see cref="Claims.Judge{TResult}"/>).
    /// </summary>
    public ClaimOutcome Evaluate(TResult result, Budget budget, int seed = 0)
    {
        if (Items is not null)
        {
            var evidence = Items(result);
            var ci = Evidence.PooledInterval([evidence], Claims.IntervalRng(Id, [seed]));
            return Spec.Judge(ci.Estimate, budget, ci.Lower, ci.Upper, evidence);
        }
        if (Measure is null) throw new InvalidOperationException($"claim '{Id}' has neither a Measure nor Items");
        return Spec.Judge(Measure(result), budget);
    }
}

/// <summary>A claim's definition as data (what the registry, the scoreboard and result files show).</summary>
public sealed record ClaimSpec(
    string Id, ClaimKind Kind, string Statement, Comparison Comparison, double Threshold, Budget CheckedAt, string Unit,
    IReadOnlyList<string> DependsOn, ClaimTest Test)
{
    /// <summary>Judges a measured value (with its interval, for <see cref="ClaimTest.Interval"/>) from a run at <paramref name="budget"/>.</summary>
    public ClaimOutcome Judge(double measured, Budget budget, double low = double.NaN, double high = double.NaN,
        Evidence? evidence = null)
    {
        bool holds = Test == ClaimTest.Interval
            ? Comparison.IntervalHolds(low, high, Threshold)
            : Comparison.Holds(measured, Threshold);
        Verdict verdict = budget < CheckedAt ? Verdict.NotChecked : holds ? Verdict.Pass : Verdict.Fail;
        return new ClaimOutcome(Id, Kind, Statement, measured, low, high, Comparison, Threshold, CheckedAt, Unit,
            DependsOn, Test, verdict, evidence);
    }

    /// <summary>"&gt; 0.1", for tables; interval claims read "95% CI &gt; 0.1".</summary>
    public string Expectation =>
        (Test == ClaimTest.Interval ? "95% CI " : "") + $"{Comparison.Symbol()} {Threshold.ToString("G4", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The line of this claim that the claims hash covers: id, kind, comparison, threshold, budget, dependencies, test and
    /// unit (the unit names what is measured, e.g. "per item: rephrased gain − 70% of verbatim gain", so a constant inside
    /// the measure that the unit states is covered too). The statement's wording is not.
    /// </summary>
    public string Canonical =>
        string.Join("|", Id, Kind.Name(), Comparison.Symbol(), Threshold.ToString("R", CultureInfo.InvariantCulture),
            CheckedAt.Name(), string.Join(",", DependsOn.Order(StringComparer.Ordinal)), Test.ToString(), Unit);
}

/// <summary>A claim's verdict on one run: plain numbers, serialisable.</summary>
/// <param name="Low">Lower end of the claim's 95% interval on this seed (NaN for a threshold claim).</param>
/// <param name="High">Upper end of that interval.</param>
/// <param name="Evidence">The items behind an interval claim (null for a threshold claim), kept so that seeds can be pooled.</param>
public sealed record ClaimOutcome(
    string Id, ClaimKind Kind, string Statement, double Measured, double Low, double High, Comparison Comparison,
    double Threshold, Budget CheckedAt, string Unit, IReadOnlyList<string> DependsOn, ClaimTest Test, Verdict Verdict,
    Evidence? Evidence = null);

/// <summary>
/// Factories that read like the claim, one per kind:
/// <c>Claim.Finding&lt;Result&gt;("beats-unigram", "...", r =&gt; r.Gap, Comparison.Greater, 0.3, Budget.Full, "nats/token", dependsOn: ["learns"])</c>.
/// A measure returning <see cref="Evidence"/> makes an interval claim.
/// </summary>
public static class Claim
{
    /// <summary>The paper's result.</summary>
    public static Claim<TResult> Finding<TResult>(string id, string statement, Func<TResult, double> measure,
        Comparison comparison, double threshold, Budget checkedAt, string unit, IReadOnlyList<string>? dependsOn = null) =>
        Make(ClaimKind.Finding, id, statement, measure, null, comparison, threshold, checkedAt, unit, dependsOn);

    /// <summary>The paper's result, judged on the interval of item-level evidence.</summary>
    public static Claim<TResult> Finding<TResult>(string id, string statement, Func<TResult, Evidence> items,
        Comparison comparison, double threshold, Budget checkedAt, string unit, IReadOnlyList<string>? dependsOn = null) =>
        Make(ClaimKind.Finding, id, statement, null, items, comparison, threshold, checkedAt, unit, dependsOn);

    /// <summary>The method beats a control that could have won, judged on the interval of item-level evidence.</summary>
    public static Claim<TResult> Control<TResult>(string id, string statement, Func<TResult, Evidence> items,
        Comparison comparison, double threshold, Budget checkedAt, string unit, IReadOnlyList<string>? dependsOn = null) =>
        Make(ClaimKind.Control, id, statement, null, items, comparison, threshold, checkedAt, unit, dependsOn);

    /// <summary>
    /// The method beats a control, judged on a plain number (use only where the number is itself a test, such as a
    /// p-value, or where no items exist; otherwise prefer the evidence overload).
    /// </summary>
    public static Claim<TResult> Control<TResult>(string id, string statement, Func<TResult, double> measure,
        Comparison comparison, double threshold, Budget checkedAt, string unit, IReadOnlyList<string>? dependsOn = null) =>
        Make(ClaimKind.Control, id, statement, measure, null, comparison, threshold, checkedAt, unit, dependsOn);

    /// <summary>The toy acquired what a finding assumes.</summary>
    public static Claim<TResult> Precondition<TResult>(string id, string statement, Func<TResult, double> measure,
        Comparison comparison, double threshold, Budget checkedAt, string unit) =>
        Make(ClaimKind.Precondition, id, statement, measure, null, comparison, threshold, checkedAt, unit, null);

    /// <summary>True by construction or bookkeeping: shown, never counted as reproduction.</summary>
    public static Claim<TResult> Sanity<TResult>(string id, string statement, Func<TResult, double> measure,
        Comparison comparison, double threshold, Budget checkedAt, string unit, IReadOnlyList<string>? dependsOn = null) =>
        Make(ClaimKind.Sanity, id, statement, measure, null, comparison, threshold, checkedAt, unit, dependsOn);

    private static Claim<TResult> Make<TResult>(ClaimKind kind, string id, string statement, Func<TResult, double>? measure,
        Func<TResult, Evidence>? items, Comparison comparison, double threshold, Budget checkedAt, string unit,
        IReadOnlyList<string>? dependsOn) => new()
    {
        Id = id, Kind = kind, Statement = statement, Measure = measure, Items = items, Comparison = comparison,
        Threshold = threshold, CheckedAt = checkedAt, Unit = unit, DependsOn = dependsOn ?? [],
    };
}

/// <summary>Operations on a paper's whole list of claims: validation, judging with preconditions, the claims hash.</summary>
public static class Claims
{
    /// <summary>
    /// Checks that a paper's claims form a valid contract; throws naming the first problem. Ids are unique kebab-case;
    /// every dependency names a Precondition of the same paper, judged at the same or a smaller budget; preconditions
    /// depend on nothing; every Control is judged on an interval or on a test's own number; at least one Control exists.
    /// </summary>
    public static void Validate(IReadOnlyList<ClaimSpec> specs, string slug)
    {
        if (specs.Count == 0) throw new InvalidOperationException($"{slug}: no claims");
        var byId = new Dictionary<string, ClaimSpec>(StringComparer.Ordinal);
        foreach (var s in specs)
        {
            if (!System.Text.RegularExpressions.Regex.IsMatch(s.Id, "^[a-z0-9]+(-[a-z0-9]+)*$"))
                throw new InvalidOperationException($"{slug}: claim id '{s.Id}' is not kebab-case");
            if (!byId.TryAdd(s.Id, s)) throw new InvalidOperationException($"{slug}: claim id '{s.Id}' appears twice");
        }
        foreach (var s in specs)
        {
            if (s.Kind == ClaimKind.Precondition && s.DependsOn.Count > 0)
                throw new InvalidOperationException($"{slug}: precondition '{s.Id}' depends on {string.Join(", ", s.DependsOn)}; preconditions depend on nothing");
            foreach (var d in s.DependsOn)
            {
                if (!byId.TryGetValue(d, out var dep))
                    throw new InvalidOperationException(
                        $"{slug}: claim '{s.Id}' depends on '{d}', which is not a claim of this paper; claims: {string.Join(", ", byId.Keys)}");
                if (dep.Kind != ClaimKind.Precondition)
                    throw new InvalidOperationException(
                        $"{slug}: claim '{s.Id}' depends on '{d}', a {dep.Kind.Name()}; a claim can depend only on a Precondition");
                if (dep.CheckedAt > s.CheckedAt)
                    throw new InvalidOperationException(
                        $"{slug}: claim '{s.Id}' is judged at {s.CheckedAt.Name()} but its precondition '{d}' only at {dep.CheckedAt.Name()}");
            }
        }
        if (!specs.Any(s => s.Kind == ClaimKind.Control))
            throw new InvalidOperationException($"{slug}: no Control claim; every experiment compares its method with a control that could win");
    }

    /// <summary>
    /// Judges every claim on one seed's result and applies the preconditions: a claim whose precondition failed (or
    /// was itself untested) on this seed is <see cref="Verdict.Untested"/>, its measured value kept.
    /// </summary>
    public static IReadOnlyList<ClaimOutcome> Judge<TResult>(IReadOnlyList<Claim<TResult>> claims, TResult result, Budget budget,
        int seed = 0)
    {
        var outcomes = claims.Select(c => c.Evaluate(result, budget, seed)).ToList();
        return Gate(outcomes);
    }

    /// <summary>Marks as Untested every judged outcome whose dependency did not pass on the same seed.</summary>
    public static IReadOnlyList<ClaimOutcome> Gate(IReadOnlyList<ClaimOutcome> outcomes)
    {
        var byId = outcomes.ToDictionary(o => o.Id, StringComparer.Ordinal);
        return outcomes.Select(o =>
            o.Verdict is Verdict.Pass or Verdict.Fail
            && o.DependsOn.Any(d => byId.TryGetValue(d, out var dep) && dep.Verdict is Verdict.Fail or Verdict.Untested)
                ? o with { Verdict = Verdict.Untested }
                : o).ToList();
    }

    /// <summary>
    /// A hash of the claim definitions (ids, kinds, comparisons, thresholds, budgets, dependencies, tests): recorded with
    /// every result, so that a published result whose claims have changed since shows as STALE.
    /// </summary>
    public static string Hash(IEnumerable<ClaimSpec> specs)
    {
        string text = string.Join("\n", specs.Select(s => s.Canonical));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
    }

    /// <summary>The generator behind a claim's bootstrap interval: derived from its id and seeds, so it is reproducible.</summary>
    public static Rng IntervalRng(string claimId, IReadOnlyList<int> seeds) =>
        new(SeedStreams.Derive(seeds.Aggregate(17, (h, s) => unchecked(h * 31 + s)), "claim-interval:" + claimId));
}

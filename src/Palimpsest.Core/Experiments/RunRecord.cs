using System.Text.Json.Nodes;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// What <c>result.json</c> holds for one (paper, budget, seed) run: enough to rebuild it (slug, budget, seed, resolved
/// config, commit and whether the tree was clean, versions, device), the hash of the claims it was judged by, and what
/// it measured (metrics, claims, the full result).
/// </summary>
public sealed record RunRecord(
    string Slug,
    string Family,
    string Title,
    string Budget,
    int Seed,
    JsonNode? Config,
    Provenance Provenance,
    string ClaimsHash,
    double WallSeconds,
    string FinishedUtc,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<ClaimOutcome> Claims,
    JsonNode? Result);

/// <summary>One claim summarised over seeds.</summary>
/// <param name="Mean">Across-seed mean of the measured value (interval claims: the mean of the per-seed statistics).</param>
/// <param name="CiLow">Lower end of the 95% interval: the pooled bootstrap interval for interval claims (what the verdict
/// judges), the Student-t interval of the seeds' values for threshold claims (NaN with one seed).</param>
/// <param name="SeedsPassing">How many seeds pass on their own.</param>
/// <param name="SeedsUntested">How many seeds had a failed precondition.</param>
/// <param name="Values">Per-seed measured values, in seed order.</param>
public sealed record ClaimSummary(
    string Id, ClaimKind Kind, string Statement, string Unit, Comparison Comparison, double Threshold, Budget CheckedAt,
    IReadOnlyList<string> DependsOn, ClaimTest Test, double Mean, double Min, double Max, double CiLow, double CiHigh,
    int SeedsPassing, int SeedsUntested, int SeedCount, IReadOnlyList<double> Values, Verdict Verdict)
{
    /// <summary>"2/3 seeds".</summary>
    public string Agreement => $"{SeedsPassing}/{SeedCount}";
}

/// <summary>What <c>summary.json</c> holds: every claim aggregated over the seeds of one (paper, budget).</summary>
/// <param name="ClaimsHash">The hash of the claim definitions the run was judged by (<see cref="Claims.Hash"/>).</param>
/// <param name="Clean">Whether every seed ran from a clean working tree (null: unknown).</param>
public sealed record RunSummary(
    string Slug, string Family, string Title, string Budget, IReadOnlyList<int> Seeds, string Commit, string? ClaimsHash,
    bool? Clean, double WallSeconds, string FinishedUtc, IReadOnlyList<ClaimSummary> Claims)
{
    /// <summary>True when any claim failed (what <c>palimpsest check</c> exits 1 for).</summary>
    public bool AnyFailed => Claims.Any(c => c.Verdict == Experiments.Verdict.Fail);

    /// <summary>The paper's verdict from its findings, controls and preconditions.</summary>
    public PaperVerdict Verdict => PaperVerdicts.Of(Claims);

    /// <summary>"3 of 5 findings; preconditions 4/4; controls 2/2; sanity 1/1".</summary>
    public string Headline => PaperVerdicts.Headline(Claims);
}

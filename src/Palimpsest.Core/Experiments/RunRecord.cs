using System.Text.Json.Nodes;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// What <c>result.json</c> holds for one (paper, budget, seed) run: enough to rebuild it (slug, budget, seed, resolved
/// config, commit, versions, device) and what it measured (metrics, claims, the full result).
/// </summary>
public sealed record RunRecord(
    string Slug,
    string Family,
    string Title,
    string Budget,
    int Seed,
    JsonNode? Config,
    Provenance Provenance,
    double WallSeconds,
    string FinishedUtc,
    IReadOnlyDictionary<string, double> Metrics,
    IReadOnlyList<ClaimOutcome> Claims,
    JsonNode? Result);

/// <summary>One claim summarised over seeds.</summary>
/// <param name="Mean">Across-seed mean of the measured value: the aggregate verdict judges this.</param>
/// <param name="CiLow">Lower end of the 95% Student-t interval of the mean (NaN with one seed).</param>
/// <param name="SeedsPassing">How many seeds pass on their own.</param>
/// <param name="Values">Per-seed measured values, in seed order.</param>
public sealed record ClaimSummary(
    string Id, string Statement, string Unit, Comparison Comparison, double Threshold, Budget CheckedAt,
    double Mean, double Min, double Max, double CiLow, double CiHigh, int SeedsPassing, int SeedCount,
    IReadOnlyList<double> Values, Verdict Verdict)
{
    /// <summary>"2/3 seeds".</summary>
    public string Agreement => $"{SeedsPassing}/{SeedCount}";
}

/// <summary>What <c>summary.json</c> holds: every claim aggregated over the seeds of one (paper, budget).</summary>
public sealed record RunSummary(
    string Slug, string Family, string Title, string Budget, IReadOnlyList<int> Seeds, string Commit,
    double WallSeconds, string FinishedUtc, IReadOnlyList<ClaimSummary> Claims)
{
    /// <summary>Pass when every checked claim passes, Fail when any fails, NotChecked when none was checked.</summary>
    public Verdict Overall =>
        Claims.Any(c => c.Verdict == Verdict.Fail) ? Verdict.Fail
        : Claims.Any(c => c.Verdict == Verdict.Pass) ? Verdict.Pass
        : Verdict.NotChecked;
}

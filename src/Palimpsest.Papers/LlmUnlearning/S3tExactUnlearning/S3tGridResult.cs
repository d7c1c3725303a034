namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// What a run measured on one grid of <see cref="S3tExactUnlearning"/>. Accuracies are fractions of the test set; index
/// d of a curve is after d deletions of the shared stream.
/// </summary>
public sealed record S3tGridResult
{
    /// <summary>Shards m.</summary>
    public required int Shards { get; init; }
    /// <summary>Slices L per shard.</summary>
    public required int Slices { get; init; }
    /// <summary>Layers of the grid's MLP (each with an adapter).</summary>
    public required int Layers { get; init; }
    /// <summary>The B values, ascending.</summary>
    public required int[] Orders { get; init; }
    /// <summary>Expected deletions until the first shard has no live order at the largest B: the fixed simulation behind
    /// <see cref="ClaimDeletions"/> (<see cref="S3tExactUnlearning.ExpectedCapacity"/>).</summary>
    public required double ExpectedCapacity { get; init; }
    /// <summary>Deletions after which S3T is judged against SISA (<see cref="S3tExactUnlearning.ClaimDeletions"/>).</summary>
    public required int ClaimDeletions { get; init; }
    /// <summary>S3T's accuracy per B along the deletion stream (no retraining; dead shards abstain).</summary>
    public required IReadOnlyList<double[]> S3tAccuracy { get; init; }
    /// <summary>SISA's accuracy along the stream, the affected shard retrained after each deletion.</summary>
    public required double[] SisaAccuracy { get; init; }
    /// <summary>LoRA on all the data at once (before deletions; retraining it per deletion is not run).</summary>
    public required double FullAccuracy { get; init; }
    /// <summary>Control: the frozen base with a head trained on all the data and no adapters (what S3T's adapters
    /// must beat; it would win if they learnt nothing).</summary>
    public required double HeadOnlyAccuracy { get; init; }
    /// <summary>Sanity reference: the frozen base with untrained adapters and head (what a no-op S3T would serve; near
    /// chance by construction, so it is no control).</summary>
    public required double ControlAccuracy { get; init; }
    /// <summary>Per test point, 1 if S3T (largest B) is right before any deletion, else 0.</summary>
    public required IReadOnlyList<double> S3tCorrectInitial { get; init; }
    /// <summary>Per test point, 1 if S3T (largest B) is right after <see cref="ClaimDeletions"/> deletions.</summary>
    public required IReadOnlyList<double> S3tCorrectAtClaim { get; init; }
    /// <summary>Per test point, 1 if SISA is right after <see cref="ClaimDeletions"/> deletions.</summary>
    public required IReadOnlyList<double> SisaCorrectAtClaim { get; init; }
    /// <summary>Per test point, 1 if full LoRA is right.</summary>
    public required IReadOnlyList<double> FullCorrect { get; init; }
    /// <summary>Per test point, 1 if the head-only baseline (the control) is right.</summary>
    public required IReadOnlyList<double> HeadOnlyCorrect { get; init; }
    /// <summary>Shards whose best live order (largest B) is shorter than L after <see cref="ClaimDeletions"/>
    /// deletions (a dead shard counts): how far the deletions reached into what S3T serves.</summary>
    public required int TruncatedShardsAtClaim { get; init; }
    /// <summary>S3T when every shard serves the first p slices of its first order, p = 1..L.</summary>
    public required double[] PrefixAccuracy { get; init; }
    /// <summary>
    /// Per B: mean deletions until a shard has no live order, replayed on this partition. The deletion that empties
    /// the shard counts (it is still served exactly, by switching the shard off; retraining follows it), as in the
    /// protocol's simulation; SISA's count is 0 because its first deletion already needs a retraining.
    /// </summary>
    public required double[] CapacityMeasured { get; init; }
    /// <summary>The same from the combinatorial simulation (uniform shard and slice per deletion).</summary>
    public required double[] CapacitySimulated { get; init; }
    /// <summary>Deletions SISA served before its first retraining.</summary>
    public required int SisaDeletionsBeforeRetraining { get; init; }
    /// <summary>Training points SISA reprocessed (points × epochs) over the stream.</summary>
    public required long SisaSamplesReprocessed { get; init; }
    /// <summary>Points full retraining would reprocess over the stream (points × epochs), for comparison.</summary>
    public required long FullSamplesReprocessed { get; init; }
    /// <summary>Deletions after which the exactness check ran: the latest state with a live order.</summary>
    public required int ExactnessAfterDeletions { get; init; }
    /// <summary>Live prefixes (largest B, each shard's best) retrained from scratch.</summary>
    public required int ExactnessPrefixes { get; init; }
    /// <summary>Of those, prefixes shorter than L (cut by a deletion).</summary>
    public required int ExactnessTruncated { get; init; }
    /// <summary>Adapter and head weights compared.</summary>
    public required int ExactnessWeights { get; init; }
    /// <summary>Weights that differ in any bit.</summary>
    public required int ExactnessMismatches { get; init; }

    /// <summary>The grid's name in claim ids and figure names: "3x4".</summary>
    public string Label => $"{Shards}x{Slices}";
    /// <summary>S3T (largest B) before any deletion.</summary>
    public double S3tAccuracyInitial => S3tAccuracy[^1][0];
    /// <summary>S3T (largest B) after <see cref="ClaimDeletions"/> deletions.</summary>
    public double S3tAccuracyAtClaim => S3tAccuracy[^1][ClaimDeletions];
    /// <summary>SISA after <see cref="ClaimDeletions"/> deletions.</summary>
    public double SisaAccuracyAtClaim => SisaAccuracy[ClaimDeletions];
}

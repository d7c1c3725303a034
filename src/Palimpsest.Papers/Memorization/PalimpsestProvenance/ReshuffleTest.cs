namespace Palimpsest.Papers.Memorization;

/// <summary>The observational reshuffle test on one text sample of Bob's.</summary>
/// <param name="TrueScore">Mean log-probability of Bob's text under Alice's true-order model.</param>
/// <param name="RankP">(1 + #{reshuffled ≥ true}) / (K + 1): 1/(K+1) when the true model ranks first.</param>
/// <param name="Z">(true − mean of reshuffled) / their standard deviation.</param>
/// <param name="Reshuffles">K.</param>
public sealed record ReshuffleTestResult(double TrueScore, double RankP, double Z, int Reshuffles);

/// <summary>
/// Palimpsestic membership inference in the observational setting, by reshuffling (Kuditipudi et al. 2025, arXiv:2510.19796): retrain
/// the last phase of Alice's run on K reshuffled orders; if Bob derives from Alice, Bob's text is more likely under
/// the model trained in the true order than under the reshuffled ones. Under the null all K + 1 models are
/// exchangeable, so the rank gives an exact p-value.
/// </summary>
public static class ReshuffleTest
{
    /// <summary>Ranks the true model's score among the reshuffled models' scores (higher = more likely).</summary>
    public static ReshuffleTestResult Rank(double trueScore, IReadOnlyList<double> reshuffledScores)
    {
        int k = reshuffledScores.Count;
        if (k < 1) throw new ArgumentException("at least one reshuffled model is needed", nameof(reshuffledScores));
        if (!double.IsFinite(trueScore) || reshuffledScores.Any(s => !double.IsFinite(s)))
            throw new ArgumentException("scores must be finite numbers");
        int atLeast = reshuffledScores.Count(s => s >= trueScore);
        double mean = reshuffledScores.Average();
        double sd = k < 2 ? double.NaN : Math.Sqrt(reshuffledScores.Sum(s => (s - mean) * (s - mean)) / (k - 1));
        double z = sd > 0 ? (trueScore - mean) / sd : double.NaN;
        return new ReshuffleTestResult(trueScore, (1.0 + atLeast) / (k + 1), z, k);
    }
}

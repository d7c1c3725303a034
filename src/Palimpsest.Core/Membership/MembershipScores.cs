using System.IO.Compression;
using System.Text;

namespace Palimpsest.Core.Membership;

/// <summary>
/// Membership-inference scores of one text from its per-token log-probabilities (nats, as
/// <see cref="Models.LanguageModel.TokenLogProbs"/> returns them). Every score is oriented so that HIGHER means "more
/// likely a training member", so all of them feed <see cref="Metrics.Roc"/> the same way.
/// </summary>
public static class MembershipScores
{
    /// <summary>Loss attack (Yeom et al. 2018): the mean token log-probability, i.e. minus the loss.</summary>
    public static double Loss(IReadOnlyList<float> logProbs)
    {
        Check(logProbs);
        double sum = 0;
        foreach (var lp in logProbs) sum += lp;
        return sum / logProbs.Count;
    }

    /// <summary>
    /// Min-K% Prob (Shi et al. 2024): the mean log-probability of the k% least likely tokens (at least one token).
    /// k = 100 is the loss attack.
    /// </summary>
    /// <param name="logProbs">Per-token log-probabilities of the text.</param>
    /// <param name="percent">k in (0, 100].</param>
    public static double MinK(IReadOnlyList<float> logProbs, double percent)
    {
        Check(logProbs);
        if (!(percent > 0 && percent <= 100))
            throw new ArgumentOutOfRangeException(nameof(percent), percent, "k must be a percentage in (0, 100]");
        var sorted = logProbs.ToArray();
        Array.Sort(sorted);
        int count = Math.Max(1, (int)(sorted.Length * percent / 100.0));
        double sum = 0;
        for (int i = 0; i < count; i++) sum += sorted[i];
        return sum / count;
    }

    /// <summary>
    /// zlib ratio (Carlini et al. 2021): minus the log-perplexity (mean NLL) divided by the zlib-compressed length of
    /// the text in bytes; text that compresses poorly yet is predicted well is suspicious.
    /// </summary>
    public static double Zlib(IReadOnlyList<float> logProbs, string text) => Loss(logProbs) / ZlibBytes(text);

    /// <summary>
    /// Reference-model ratio (Carlini et al. 2021): the target's mean log-probability minus that of a reference model
    /// that did not see the candidates, which removes the text's intrinsic difficulty.
    /// </summary>
    public static double Reference(IReadOnlyList<float> logProbs, IReadOnlyList<float> referenceLogProbs)
    {
        if (logProbs.Count != referenceLogProbs.Count)
            throw new ArgumentException(
                $"target has {logProbs.Count} token log-probabilities but the reference has {referenceLogProbs.Count}; score the same tokens");
        return Loss(logProbs) - Loss(referenceLogProbs);
    }

    /// <summary>Length in bytes of the UTF-8 text compressed by zlib at the smallest-size level (at least 1).</summary>
    public static int ZlibBytes(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        using var buffer = new MemoryStream();
        using (var zlib = new ZLibStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
            zlib.Write(Encoding.UTF8.GetBytes(text));
        return (int)Math.Max(1, buffer.Length);
    }

    private static void Check(IReadOnlyList<float> logProbs)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        if (logProbs.Count == 0) throw new ArgumentException("a score needs at least one token log-probability", nameof(logProbs));
    }
}

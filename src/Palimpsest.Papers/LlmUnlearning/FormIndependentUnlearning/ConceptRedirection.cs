using Palimpsest.Core.Tensors;
using System.Diagnostics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Unlearning;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// ROCR in miniature (Rank-One Concept Redirection, the paper's method): a training-free, closed-form rank-one edit of one
/// early MLP's output projection (<see cref="RankOneEdit.Apply"/>, ROME's form with the retain-text key covariance and an
/// optional null-space constraint) that makes the subject's key k (the MLP input at the name, averaged over the F1
/// prompts) produce what a harmless anchor person produces there, so that every later layer reads the anchor instead.
/// </summary>
public static class ConceptRedirection
{
    /// <summary>
    /// The target value v for redirecting <paramref name="subject"/> to <paramref name="anchor"/> in block
    /// <paramref name="block"/>: the anchor's MLP output W k_anchor + b; with <paramref name="matchResidual"/> also the
    /// gap between the anchor's and the subject's residual after attention, so that the block's whole output at the name
    /// equals the anchor's (the protocol's "residual matches the anchor"), the name's own embedding included.
    /// </summary>
    public static float[] TargetValue(TinyGpt model, int block, SubjectPrompts subject, SubjectPrompts anchor, bool matchResidual)
    {
        var value = RankOneEdit.Output(model, block, RankOneEdit.MeanKey(model, block, anchor));
        if (!matchResidual) return value;
        var (a, s) = (MeanMidResidual(model, block, anchor), MeanMidResidual(model, block, subject));
        return value.Select((v, i) => v + a[i] - s[i]).ToArray();
    }

    /// <summary>
    /// Redirects <paramref name="subject"/> to <paramref name="anchor"/> in place; with <paramref name="preservedKeys"/> the
    /// update leaves those keys' outputs exactly as they were. Returns the wall time of the edit (key, value and update; the
    /// covariance is estimated once for all edits) in seconds.
    /// </summary>
    public static double Redirect(TinyGpt model, int block, SubjectPrompts subject, SubjectPrompts anchor, KeyCovariance covariance,
        IReadOnlyList<float[]>? preservedKeys, bool matchResidual)
    {
        var clock = Stopwatch.StartNew();
        var key = RankOneEdit.MeanKey(model, block, subject);
        var value = TargetValue(model, block, subject, anchor, matchResidual);
        RankOneEdit.Apply(model, block, key, value, covariance, preservedKeys);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>The residual stream after block <paramref name="block"/>'s attention at the name, averaged over the prompts: [width].</summary>
    public static float[] MeanMidResidual(TinyGpt model, int block, SubjectPrompts prompts)
    {
        prompts.Validate(model.Config.ContextLength);
        if (block < 0 || block >= model.Config.Layers)
            throw new ArgumentOutOfRangeException(nameof(block), block, $"blocks are 0..{model.Config.Layers - 1}");
        using (model.Evaluating())
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            int n = prompts.Prompts.Count, width = model.Config.Width;
            using var batch = PromptBatch.RightPad(prompts.Prompts, model.Device);  // right-padded; causal, so harmless
            var mid = model.Blocks[block].Attend(model.ForwardWithHidden(batch.Tokens).Hidden[block]);  // [n, t, width]
            var at = tensor(prompts.SubjectPositions.Select(p => (long)p).ToArray(), [n, 1, 1], ScalarType.Int64)
                .to(model.Device).expand(n, 1, width);
            var mean = mid.gather(1, at).squeeze(1).mean(new long[] { 0 }).cpu().to_type(ScalarType.Float32);  // [width]
            return mean.data<float>().ToArray();
        }
    }
}

using Palimpsest.Core.Tensors;
using static TorchSharp.torch;

namespace Palimpsest.Core.Models;

/// <summary>
/// The logit lens (nostalgebraist 2020; the "head projection" of Patil, Hase and Bansal 2023): the residual stream of a
/// <see cref="TinyGpt"/> after some block, read out at the last prompt position through the final LayerNorm and the
/// tied unembedding (<see cref="TinyGpt.Unembed"/>), as if the model ended there. Layer indices are those of
/// <see cref="TinyGpt.ForwardWithHidden"/>: 0 is the embedding, i the output of block i (1-based), and
/// <c>Layers</c> the last block, whose lens equals the model's own next-token distribution. Batched, under no_grad,
/// one dispose scope per batch; only arrays leave.
/// </summary>
public static class LogitLens
{
    /// <summary>
    /// log p(next token) over the vocabulary for each prompt and each of <paramref name="layers"/> (null: every
    /// block output 1..Layers), in nats: [prompt][layer (in the given order)][vocab].
    /// </summary>
    /// <param name="model">The model; left in the training mode it had.</param>
    /// <param name="prompts">Token prompts (e.g. starting with &lt;bos&gt;), each 1..context tokens; right-padded in batches.</param>
    /// <param name="layers">Hidden-state indices in 0..Layers.</param>
    /// <param name="batchSize">Prompts per forward pass.</param>
    /// <param name="padId">Id written after short prompts (causal attention keeps it from affecting them).</param>
    public static float[][][] LogProbs(TinyGpt model, IReadOnlyList<int[]> prompts, IReadOnlyList<int>? layers = null,
        int batchSize = 128, int padId = 0)
    {
        var chosen = Layers(model, layers);
        var output = new float[prompts.Count][][];
        for (int i = 0; i < output.Length; i++) output[i] = new float[chosen.Count][];
        Run(model, prompts, chosen, batchSize, padId, (index, layer, logProbs) => output[index][layer] = logProbs);
        return output;
    }

    /// <summary>
    /// The <paramref name="k"/> most likely next tokens under the lens, most likely first (ties by lower id), for each
    /// prompt and layer: [prompt][layer][k].
    /// </summary>
    public static int[][][] TopTokens(TinyGpt model, IReadOnlyList<int[]> prompts, int k, IReadOnlyList<int>? layers = null,
        int batchSize = 128, int padId = 0)
    {
        if (k < 1 || k > model.Config.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"must be in 1..{model.Config.VocabSize} (the vocabulary)");
        return LogProbs(model, prompts, layers, batchSize, padId)
            .Select(perLayer => perLayer.Select(lp => Top(lp, k)).ToArray()).ToArray();
    }

    /// <summary>The indices of the <paramref name="k"/> largest values, largest first; ties go to the lower index.</summary>
    public static int[] Top(IReadOnlyList<float> values, int k) =>
        Enumerable.Range(0, values.Count).OrderByDescending(i => values[i]).ThenBy(i => i).Take(k).ToArray();

    private static List<int> Layers(TinyGpt model, IReadOnlyList<int>? layers)
    {
        int depth = model.Config.Layers;
        var chosen = (layers ?? Enumerable.Range(1, depth).ToList()).ToList();
        if (chosen.Count == 0) throw new ArgumentException("no layers to read", nameof(layers));
        foreach (int l in chosen)
            if (l < 0 || l > depth)
                throw new ArgumentOutOfRangeException(nameof(layers), l, $"layer indices are 0 (embedding) .. {depth} (last block)");
        return chosen;
    }

    private static void Run(TinyGpt model, IReadOnlyList<int[]> prompts, IReadOnlyList<int> layers, int batchSize, int padId,
        Action<int, int, float[]> write)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i].Length == 0) throw new ArgumentException($"prompt {i} is empty; it needs at least one token", nameof(prompts));
            if (prompts[i].Length > model.Config.ContextLength)
                throw new ArgumentException($"prompt {i} has {prompts[i].Length} tokens; the context is {model.Config.ContextLength}");
        }
        var device = model.Device;
        using (model.Evaluating())
        {
            for (int start = 0; start < prompts.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var chunk = prompts.Skip(start).Take(batchSize).ToList();
                using var batch = PromptBatch.RightPad(chunk, device, padId);
                var (_, hidden) = model.ForwardWithHidden(batch.Tokens);
                var at = batch.LastIndex(model.Config.Width);                                  // [b, 1, width]
                for (int l = 0; l < layers.Count; l++)
                {
                    var residual = hidden[layers[l]].gather(1, at).squeeze(1);                // [b, width]
                    var logProbs = model.Unembed(residual).log_softmax(-1)                      // [b, vocab]
                        .cpu().to_type(ScalarType.Float32).data<float>().ToArray();
                    int vocab = model.Config.VocabSize;
                    for (int b = 0; b < chunk.Count; b++) write(start + b, l, logProbs.AsSpan(b * vocab, vocab).ToArray());
                }
            }
        }
    }
}

using Palimpsest.Core.Models;
using Palimpsest.Core.Tensors;
using Palimpsest.Core.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.Memorization;

/// <summary>Greedy completions of prompts against known remainders, batched.</summary>
public static class Greedy
{
    /// <summary>
    /// Greedy completion of each prompt, as long as its remainder at most and cut at the end token. Batched: items are
    /// decoded in batches of similar remainder length, each only as far as its longest remainder.
    /// </summary>
    public static List<int[]> Complete(TinyGpt model, IReadOnlyList<(int[] Prompt, int[] Tail)> items, int batchSize = 256)
    {
        var output = new int[items.Count][];
        var byLength = Enumerable.Range(0, items.Count).OrderBy(i => items[i].Tail.Length).ToList();
        foreach (var chunk in byLength.Chunk(batchSize))
        {
            int length = chunk.Max(i => items[i].Tail.Length);
            var decoded = LanguageModel.Continue(model, chunk.Select(i => items[i].Prompt).ToList(), length,
                stopId: WordTokenizer.Eos, batchSize: batchSize);
            for (int k = 0; k < chunk.Length; k++)
                output[chunk[k]] = decoded[k].TakeWhile(t => t != WordTokenizer.Eos).Take(items[chunk[k]].Tail.Length).ToArray();
        }
        return output.ToList();
    }

    /// <summary>
    /// Per item: whether greedy decoding after the prompt reproduces the whole remainder, from one forward pass over
    /// prompt + remainder (teacher forcing): decoding reproduces it exactly when every remainder token is the arg max
    /// after the tokens before it, so this equals <c>Complete(...)[i].SequenceEqual(Tail)</c> at a fraction of the cost.
    /// </summary>
    public static bool[] Reproduces(TinyGpt model, IReadOnlyList<(int[] Prompt, int[] Tail)> items, int batchSize = 256)
    {
        var result = new bool[items.Count];
        bool wasTraining = model.training;
        model.eval();
        try
        {
            for (int start = 0; start < items.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var chunk = items.Skip(start).Take(batchSize).ToList();
                using var batch = LanguageModel.Batch(chunk.Select(x => x.Prompt.Concat(x.Tail).ToArray()).ToList(),
                    model.Config.ContextLength, model.Device, lossFrom: chunk.Select(x => x.Prompt.Length).ToList());
                var scored = batch.Targets.ne(Scalars.Of(LanguageModel.IgnoreIndex));                     // [b, t]
                var missed = model.call(batch.Inputs).argmax(-1).ne(batch.Targets).logical_and(scored); // [b, t]
                var misses = missed.any(1).to_type(ScalarType.Int64).cpu().data<long>().ToArray();    // [b]
                for (int b = 0; b < chunk.Count; b++) result[start + b] = misses[b] == 0;
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return result;
    }
}

using Palimpsest.Core.Randomness;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Models;

/// <summary>A batch of next-token prediction: inputs and targets [batch, seq]; padded targets are <see cref="LanguageModel.IgnoreIndex"/>.</summary>
public sealed record TokenBatch(Tensor Inputs, Tensor Targets) : IDisposable
{
    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Inputs.Dispose();
        Targets.Dispose();
    }
}

/// <summary>Next-token language modelling on <see cref="TinyGpt"/>: batching, loss, per-token log-probabilities, sampling.</summary>
public static class LanguageModel
{
    /// <summary>Target value that the loss ignores (padding).</summary>
    public const long IgnoreIndex = -100;

    /// <summary>
    /// Builds a padded batch from token sequences: inputs are tokens[0..n-1], targets tokens[1..n]. Sequences longer than
    /// context + 1 are rejected, not cut, so that an experiment never silently loses text.
    /// </summary>
    public static TokenBatch Batch(IReadOnlyList<int[]> sequences, int contextLength, Device device, int padId = 0)
    {
        if (sequences.Count == 0) throw new ArgumentException("a batch needs at least one sequence", nameof(sequences));
        int longest = sequences.Max(s => s.Length) - 1;
        if (longest < 1) throw new ArgumentException("every sequence needs at least two tokens", nameof(sequences));
        if (longest > contextLength)
            throw new ArgumentException($"a sequence of {longest + 1} tokens exceeds context {contextLength} + 1");
        var inputs = new long[sequences.Count * longest];
        var targets = new long[sequences.Count * longest];
        Array.Fill(inputs, padId);
        Array.Fill(targets, IgnoreIndex);
        for (int b = 0; b < sequences.Count; b++)
        {
            var s = sequences[b];
            if (s.Length < 2) throw new ArgumentException($"sequence {b} has {s.Length} token(s); at least two are needed");
            for (int t = 0; t < s.Length - 1; t++)
            {
                inputs[b * longest + t] = s[t];
                targets[b * longest + t] = s[t + 1];
            }
        }
        return new TokenBatch(
            tensor(inputs, [sequences.Count, longest], ScalarType.Int64).to(device),
            tensor(targets, [sequences.Count, longest], ScalarType.Int64).to(device));
    }

    /// <summary>Mean cross-entropy over non-padded targets. logits [b, t, v], targets [b, t].</summary>
    public static Tensor Loss(Tensor logits, Tensor targets) =>
        nn.functional.cross_entropy(logits.reshape(-1, logits.shape[^1]), targets.reshape(-1), ignore_index: IgnoreIndex);

    /// <summary>
    /// log p(token_t | tokens_&lt;t) for t = 1..n-1 of each sequence, in nats, computed in batches under no_grad.
    /// </summary>
    public static float[][] TokenLogProbs(TinyGpt model, IReadOnlyList<int[]> sequences, int batchSize = 64)
    {
        var device = model.Device;
        bool wasTraining = model.training;
        model.eval();
        var output = new float[sequences.Count][];
        try
        {
            for (int start = 0; start < sequences.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var chunk = sequences.Skip(start).Take(batchSize).ToList();
                using var batch = Batch(chunk, model.Config.ContextLength, device);
                var logp = model.call(batch.Inputs).log_softmax(-1);                     // [b, t, v]
                var safeTargets = batch.Targets.clamp_min(0);
                var picked = logp.gather(-1, safeTargets.unsqueeze(-1)).squeeze(-1);      // [b, t]
                var values = picked.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
                long width = picked.shape[1];
                for (int b = 0; b < chunk.Count; b++)
                {
                    int n = chunk[b].Length - 1;
                    var row = new float[n];
                    Array.Copy(values, b * width, row, 0, n);
                    output[start + b] = row;
                }
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return output;
    }

    /// <summary>Mean negative log-likelihood per predicted token (nats/token) over all sequences.</summary>
    public static double MeanNll(TinyGpt model, IReadOnlyList<int[]> sequences, int batchSize = 64)
    {
        var logProbs = TokenLogProbs(model, sequences, batchSize);
        double total = 0;
        long count = 0;
        foreach (var row in logProbs)
        {
            foreach (var lp in row) total -= lp;
            count += row.Length;
        }
        return count == 0 ? double.NaN : total / count;
    }

    /// <summary>
    /// Samples continuations of <paramref name="prompt"/> (temperature &gt; 0) or decodes greedily (temperature = 0),
    /// stopping at <paramref name="stopId"/> or after <paramref name="maxNewTokens"/>. No KV cache: keep lengths short.
    /// </summary>
    public static int[] Generate(TinyGpt model, int[] prompt, int maxNewTokens, Rng rng, double temperature = 1.0,
        int? stopId = null)
    {
        if (prompt.Length == 0) throw new ArgumentException("the prompt needs at least one token", nameof(prompt));
        if (temperature < 0) throw new ArgumentException($"temperature {temperature} must be non-negative");
        var device = model.Device;
        bool wasTraining = model.training;
        model.eval();
        var tokens = prompt.ToList();
        try
        {
            for (int i = 0; i < maxNewTokens; i++)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var window = tokens.Skip(Math.Max(0, tokens.Count - model.Config.ContextLength)).Select(t => (long)t).ToArray();
                var input = tensor(window, [1, window.Length], ScalarType.Int64).to(device);
                var logits = model.call(input)[0, -1].to_type(ScalarType.Float64).cpu();  // [vocab]
                int next;
                if (temperature == 0)
                {
                    next = (int)logits.argmax().item<long>();
                }
                else
                {
                    var probs = (logits / temperature).softmax(0).data<double>().ToArray();
                    next = rng.Categorical(probs);
                }
                tokens.Add(next);
                if (stopId == next) break;
            }
        }
        finally
        {
            model.train(wasTraining);
        }
        return tokens.ToArray();
    }
}

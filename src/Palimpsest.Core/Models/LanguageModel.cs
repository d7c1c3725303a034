using Palimpsest.Core.Randomness;
using Palimpsest.Core.Tensors;
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
    /// <param name="sequences">Token sequences, each at least two tokens.</param>
    /// <param name="contextLength">The model's context.</param>
    /// <param name="device">Where the tensors go.</param>
    /// <param name="padId">Input id of padding.</param>
    /// <param name="lossFrom">Optional, per sequence: the first token position that is a target; earlier tokens are
    /// context only (their targets are ignored), e.g. a prompt whose answer alone is trained (supervised fine-tuning).</param>
    public static TokenBatch Batch(IReadOnlyList<int[]> sequences, int contextLength, Device device, int padId = 0,
        IReadOnlyList<int>? lossFrom = null)
    {
        if (lossFrom is not null && lossFrom.Count != sequences.Count)
            throw new ArgumentException($"lossFrom has {lossFrom.Count} entries for {sequences.Count} sequences; give one per sequence");
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
            int first = lossFrom?[b] ?? 1;
            if (first < 1 || first >= s.Length)
                throw new ArgumentException($"lossFrom[{b}] = {first}; allowed 1..{s.Length - 1} for a sequence of {s.Length} tokens");
            for (int t = 0; t < s.Length - 1; t++)
            {
                inputs[b * longest + t] = s[t];
                if (t + 1 >= first) targets[b * longest + t] = s[t + 1];
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
        var output = new float[sequences.Count][];
        using (model.Evaluating())
        {
            for (int start = 0; start < sequences.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var chunk = sequences.Skip(start).Take(batchSize).ToList();
                using var batch = Batch(chunk, model.Config.ContextLength, device);
                var logp = model.call(batch.Inputs).log_softmax(-1);                     // [b, t, v]
                var safeTargets = batch.Targets.clamp_min(Scalars.Of(0));
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
        return output;
    }

    /// <summary>
    /// log p(next token | prompt) over the whole vocabulary, for each prompt (already tokenized, e.g. starting with
    /// &lt;bos&gt;), in nats, computed in batches under no_grad: one forward pass scores every one-token answer at once.
    /// </summary>
    public static float[][] NextTokenLogProbs(TinyGpt model, IReadOnlyList<int[]> prompts, int batchSize = 256, int padId = 0)
    {
        var device = model.Device;
        var output = new float[prompts.Count][];
        using (model.Evaluating())
        {
            for (int start = 0; start < prompts.Count; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var noGrad = no_grad();
                var chunk = prompts.Skip(start).Take(batchSize).ToList();
                int longest = chunk.Max(p => p.Length);
                if (chunk.Any(p => p.Length == 0)) throw new ArgumentException("a prompt needs at least one token", nameof(prompts));
                if (longest > model.Config.ContextLength)
                    throw new ArgumentException($"a prompt of {longest} tokens exceeds context {model.Config.ContextLength}");
                using var batch = PromptBatch.RightPad(chunk, device, padId);
                var logits = model.call(batch.Tokens);                                      // [b, t, v]
                var at = batch.AtLast(logits).log_softmax(-1).cpu().to_type(ScalarType.Float32);
                var values = at.data<float>().ToArray();
                int v = (int)logits.shape[2];
                for (int b = 0; b < chunk.Count; b++) output[start + b] = values.AsSpan(b * v, v).ToArray();
            }
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
    /// Each sequence's mean negative log-likelihood per predicted token (nats/token): the per-item values behind a
    /// paired comparison of two models on the same held-out text. NaN for a sequence with fewer than two tokens.
    /// </summary>
    public static double[] SequenceNll(TinyGpt model, IReadOnlyList<int[]> sequences, int batchSize = 64) =>
        TokenLogProbs(model, sequences, batchSize).Select(row => row.Length == 0 ? double.NaN : -row.Average(lp => (double)lp)).ToArray();

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
        var tokens = prompt.ToList();
        using (model.Evaluating())
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
                    using var temperatureScalar = temperature.ToScalar();
                    var probs = (logits / temperatureScalar).softmax(0).data<double>().ToArray();
                    next = rng.Categorical(probs);
                }
                tokens.Add(next);
                if (stopId == next) break;
            }
        }
        return tokens.ToArray();
    }

    /// <summary>
    /// Continues many prompts at once, greedily (temperature = 0) or by sampling, and returns only the new tokens of each
    /// (ending with <paramref name="stopId"/> when it was produced). Prompts of different lengths share a right-padded
    /// batch; causal attention keeps the padding from affecting them. No KV cache: each step re-reads the prefix, which
    /// is cheap at the tiny models' context lengths. Sampling draws from <paramref name="rng"/> step by step and row by row,
    /// so the same seed and batch size give the same continuations.
    /// </summary>
    /// <param name="model">The model; left in the training mode it had.</param>
    /// <param name="prompts">Token prompts, each at least one token; prompt + new tokens must fit the context + 1.</param>
    /// <param name="maxNewTokens">Tokens to add at most.</param>
    /// <param name="rng">Source of sampling draws; may be null for greedy decoding.</param>
    /// <param name="temperature">0 for greedy, else the softmax temperature.</param>
    /// <param name="stopId">A token that ends a continuation.</param>
    /// <param name="batchSize">Prompts per forward pass.</param>
    public static int[][] Continue(TinyGpt model, IReadOnlyList<int[]> prompts, int maxNewTokens, Rng? rng = null,
        double temperature = 0, int? stopId = null, int batchSize = 256)
    {
        if (temperature < 0) throw new ArgumentException($"temperature {temperature} must be non-negative");
        if (temperature > 0 && rng is null) throw new ArgumentException("sampling (temperature > 0) needs an rng");
        if (maxNewTokens < 1) throw new ArgumentException($"maxNewTokens {maxNewTokens} must be at least 1");
        for (int i = 0; i < prompts.Count; i++)
        {
            if (prompts[i].Length == 0) throw new ArgumentException($"prompt {i} is empty; it needs at least one token");
            if (prompts[i].Length + maxNewTokens - 1 > model.Config.ContextLength)
                throw new ArgumentException(
                    $"prompt {i} has {prompts[i].Length} tokens; with {maxNewTokens} new tokens it exceeds context {model.Config.ContextLength}");
        }
        var device = model.Device;
        var output = new int[prompts.Count][];
        using (model.Evaluating())
        {
            for (int start = 0; start < prompts.Count; start += batchSize)
            {
                int rows = Math.Min(batchSize, prompts.Count - start);
                var tokens = Enumerable.Range(start, rows).Select(i => prompts[i].ToList()).ToArray();
                var added = Enumerable.Range(0, rows).Select(_ => new List<int>()).ToArray();
                var done = new bool[rows];
                for (int step = 0; step < maxNewTokens && done.Contains(false); step++)
                {
                    using var scope = NewDisposeScope();
                    using var noGrad = no_grad();
                    using var batch = PromptBatch.RightPad(tokens.Select(t => t.ToArray()).ToList(), device);
                    var logits = model.call(batch.Tokens);                                   // [b, t, v]
                    var picked = batch.AtLast(logits);                                       // [b, v]
                    int[] next;
                    if (temperature == 0)
                    {
                        next = picked.argmax(-1).cpu().data<long>().Select(v => (int)v).ToArray();
                    }
                    else
                    {
                        using var temperatureScalar = temperature.ToScalar();
                        var probs = (picked.to_type(ScalarType.Float64) / temperatureScalar).softmax(-1).cpu().data<double>().ToArray();
                        int vocab = (int)picked.shape[1];
                        next = new int[rows];
                        for (int b = 0; b < rows; b++)
                            if (!done[b]) next[b] = rng!.Categorical(new ArraySegment<double>(probs, b * vocab, vocab));
                    }
                    for (int b = 0; b < rows; b++)
                    {
                        if (done[b]) continue;
                        tokens[b].Add(next[b]);
                        added[b].Add(next[b]);
                        if (stopId == next[b] || added[b].Count == maxNewTokens) done[b] = true;
                    }
                }
                for (int b = 0; b < rows; b++) output[start + b] = added[b].ToArray();
            }
        }
        return output;
    }
}

using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Core.Tensors;

/// <summary>
/// Token prompts of different lengths right-padded into one batch, with each row's length and the position of its last
/// real token: the shape used to score the next token or an answer after each prompt. Causal attention keeps the
/// padding after a prompt from affecting its positions. Disposing the batch disposes <see cref="Tokens"/>.
/// </summary>
/// <param name="Tokens">The ids, [batch, longest] Int64, on the requested device; padding after each prompt.</param>
/// <param name="Lengths">Per row, the prompt's length in tokens.</param>
/// <param name="Last">Per row, the index of the prompt's last token (length − 1).</param>
public sealed record PromptBatch(Tensor Tokens, long[] Lengths, long[] Last) : IDisposable
{
    /// <summary>Rows in the batch.</summary>
    public int Count => Lengths.Length;

    /// <summary>Right-pads <paramref name="prompts"/> into [n, longest] with <paramref name="padId"/>.</summary>
    /// <param name="prompts">Token prompts, at least one, each at least one token.</param>
    /// <param name="device">Where the tokens go.</param>
    /// <param name="padId">Id written after short prompts (non-negative).</param>
    /// <param name="maxLength">When given, the longest prompt allowed (e.g. the model's context).</param>
    /// <param name="isPadIdReserved">When true, a prompt that contains <paramref name="padId"/> is an error (off by
    /// default: generated continuations may hold it, and the last-token index does not depend on it).</param>
    public static PromptBatch RightPad(IReadOnlyList<int[]> prompts, Device device, long padId = 0,
        int? maxLength = null, bool isPadIdReserved = false) => Pad(prompts, device, padId, maxLength, isPadIdReserved);

    /// <inheritdoc cref="RightPad(IReadOnlyList{int[]}, Device, long, int?, bool)"/>
    public static PromptBatch RightPad(IReadOnlyList<long[]> prompts, Device device, long padId = 0,
        int? maxLength = null, bool isPadIdReserved = false) => Pad(prompts, device, padId, maxLength, isPadIdReserved);

    /// <summary>
    /// The gather index [n, 1, <paramref name="size"/>] (Int64, on the tokens' device) that picks each row's last
    /// prompt position from a [n, seq, size] tensor with <c>gather(1, index)</c>. A new tensor in the current dispose
    /// scope.
    /// </summary>
    public Tensor LastIndex(long size) =>
        tensor(Last, [Count, 1, 1], ScalarType.Int64).to(Tokens.device).expand(Count, 1, size);

    /// <summary>Each row of <paramref name="x"/> [n, seq, size] at its last prompt position: [n, size].</summary>
    public Tensor AtLast(Tensor x) => x.gather(1, LastIndex(x.shape[2])).squeeze(1);

    /// <summary>
    /// True at each row's prompt positions and false on its padding: [n, longest] Bool, on the tokens' device. A new
    /// tensor in the current dispose scope.
    /// </summary>
    public Tensor RealPositions()
    {
        using var longest = Tokens.shape[1].ToScalar();   // held while arange reads it (see Scalars)
        return arange(longest, dtype: ScalarType.Int64, device: Tokens.device).unsqueeze(0)
            .lt(tensor(Lengths, [Count], ScalarType.Int64).to(Tokens.device).unsqueeze(1));
    }

    /// <summary>Disposes <see cref="Tokens"/>.</summary>
    public void Dispose() => Tokens.Dispose();

    private static PromptBatch Pad<T>(IReadOnlyList<T[]> prompts, Device device, long padId, int? maxLength,
        bool isPadIdReserved) where T : IBinaryInteger<T>
    {
        ArgumentNullException.ThrowIfNull(prompts);
        if (prompts.Count == 0) throw new ArgumentException("no prompts; a batch needs at least one", nameof(prompts));
        if (padId < 0)
            throw new ArgumentOutOfRangeException(nameof(padId), padId, "the pad id must be a non-negative token id");
        int width = 0;
        for (int i = 0; i < prompts.Count; i++)
        {
            var p = prompts[i] ?? throw new ArgumentException($"prompt {i} is null", nameof(prompts));
            if (p.Length == 0)
                throw new ArgumentException($"prompt {i} is empty; it needs at least one token", nameof(prompts));
            if (maxLength is { } max && p.Length > max)
                throw new ArgumentException($"prompt {i} has {p.Length} tokens; at most {max} are allowed",
                    nameof(prompts));
            if (isPadIdReserved)
            {
                int at = Array.FindIndex(p, t => long.CreateChecked(t) == padId);
                if (at >= 0)
                    throw new ArgumentException(
                        $"prompt {i} holds the pad id {padId} at position {at}; pad with an id no prompt uses",
                        nameof(padId));
            }
            width = Math.Max(width, p.Length);
        }
        var ids = new long[prompts.Count * width];
        Array.Fill(ids, padId);
        var lengths = new long[prompts.Count];
        var last = new long[prompts.Count];
        for (int b = 0; b < prompts.Count; b++)
        {
            var p = prompts[b];
            for (int t = 0; t < p.Length; t++) ids[b * width + t] = long.CreateChecked(p[t]);
            lengths[b] = p.Length;
            last[b] = p.Length - 1;
        }
        return new PromptBatch(tensor(ids, [prompts.Count, width], ScalarType.Int64).to(device), lengths, last);
    }
}

namespace Palimpsest.Core.Models;

/// <summary>Shape of a <see cref="TinyGpt"/>: a pre-LN decoder with tied embeddings.</summary>
/// <param name="VocabSize">Number of token ids.</param>
/// <param name="ContextLength">Longest sequence the model reads (positions).</param>
/// <param name="Layers">Transformer blocks.</param>
/// <param name="Width">Residual stream width (d_model); divisible by <paramref name="Heads"/>.</param>
/// <param name="Heads">Attention heads.</param>
/// <param name="MlpRatio">MLP hidden width over <paramref name="Width"/> (GPT-2: 4).</param>
/// <param name="Dropout">Dropout on attention output and MLP; 0 keeps runs deterministic and is right for tiny data.</param>
public sealed record TinyGptConfig(
    int VocabSize, int ContextLength, int Layers = 2, int Width = 64, int Heads = 4, int MlpRatio = 4, double Dropout = 0.0)
{
    /// <summary>Throws with the offending value when the shape is impossible.</summary>
    public void Validate()
    {
        if (VocabSize < 2) throw new ArgumentException($"VocabSize {VocabSize} must be at least 2");
        if (ContextLength < 2) throw new ArgumentException($"ContextLength {ContextLength} must be at least 2");
        if (Layers < 1) throw new ArgumentException($"Layers {Layers} must be at least 1");
        if (Heads < 1 || Width % Heads != 0)
            throw new ArgumentException($"Width {Width} must be a positive multiple of Heads {Heads}");
        if (MlpRatio < 1) throw new ArgumentException($"MlpRatio {MlpRatio} must be at least 1");
        if (Dropout is < 0 or >= 1) throw new ArgumentException($"Dropout {Dropout} must be in [0, 1)");
    }

    /// <summary>Parameters, counting the tied embedding once.</summary>
    public long ParameterCount =>
        (long)VocabSize * Width + (long)ContextLength * Width
        + Layers * (4L * Width * Width + 4L * Width + 2L * MlpRatio * Width * Width + MlpRatio * Width + Width + 4L * Width)
        + 2L * Width;

    /// <summary>Approximate training FLOPs per token (6N plus attention), for throughput and MFU.</summary>
    public double TrainingFlopsPerToken =>
        6.0 * (ParameterCount - (long)ContextLength * Width) + 12.0 * Layers * Width * ContextLength;
}

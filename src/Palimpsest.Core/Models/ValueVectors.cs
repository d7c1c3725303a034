using Palimpsest.Core.Tensors;
using static TorchSharp.torch;

namespace Palimpsest.Core.Models;

/// <summary>
/// The value vectors of a <see cref="TinyGpt"/> MLP (Geva et al. 2022, "Transformer Feed-Forward Layers Build
/// Predictions by Promoting Concepts in the Vocabulary Space"): the MLP output is Σ_j k_j·v_j + b, where k_j is hidden
/// activation j (a key, <see cref="TinyGpt.Mlp.Keys"/>) and v_j column j of the output projection's weight, i.e. row j
/// of W_outᵀ. A value vector's vocabulary projection E·v (E the tied embedding) says which tokens it promotes. Only
/// arrays leave; blocks are 0-based indices into <see cref="TinyGpt.Blocks"/>.
/// </summary>
public static class ValueVectors
{
    /// <summary>The value vectors of block <paramref name="block"/>'s MLP: [hidden][width], vector j = column j of W_out.</summary>
    public static float[][] Of(TinyGpt model, int block)
    {
        CheckBlock(model, block);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = model.Blocks[block].MlpLayer.OutputProjection.weight!;                  // [width, hidden]
        var rows = w.t().contiguous().cpu().to_type(ScalarType.Float32);                 // [hidden, width]
        return Rows(rows.data<float>().ToArray(), (int)rows.shape[0], (int)rows.shape[1]);
    }

    /// <summary>
    /// Overwrites value vector <paramref name="index"/> of block <paramref name="block"/>'s MLP (column
    /// <paramref name="index"/> of W_out) with <paramref name="vector"/>, in place and outside autograd; every other
    /// weight is untouched. Ablating a vector is writing zeros; noising it is writing v + ε (ConceptVectors' causal test).
    /// </summary>
    public static void Write(TinyGpt model, int block, int index, float[] vector)
    {
        CheckBlock(model, block);
        CheckIndex(model, index);
        if (vector.Length != model.Config.Width)
            throw new ArgumentException($"vector has {vector.Length} entries; the residual width is {model.Config.Width}", nameof(vector));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var w = model.Blocks[block].MlpLayer.OutputProjection.weight!;                  // [width, hidden]
        w.select(1, index).copy_(tensor(vector).to_type(w.dtype).to(w.device));
    }

    /// <summary>The value vectors in a block: the MLP's hidden width.</summary>
    public static int Count(TinyGpt model) => model.Config.MlpRatio * model.Config.Width;

    /// <summary>
    /// Vocabulary logits of residual-space vectors: E·v for each (the raw projection of Geva et al.), or
    /// <see cref="TinyGpt.Unembed"/>(v) (final LayerNorm first) when <paramref name="throughFinalNorm"/>: [vector][vocab].
    /// </summary>
    public static float[][] Project(TinyGpt model, IReadOnlyList<float[]> vectors, bool throughFinalNorm = false)
    {
        if (vectors.Count == 0) return [];
        int width = model.Config.Width;
        for (int i = 0; i < vectors.Count; i++)
            if (vectors[i].Length != width)
                throw new ArgumentException($"vector {i} has {vectors[i].Length} entries; the residual width is {width}", nameof(vectors));
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using (model.Evaluating())
        {
            var x = tensor(vectors.SelectMany(v => v).ToArray(), [vectors.Count, width]).to(model.Device);   // [n, width]
            var logits = throughFinalNorm ? model.Unembed(x) : x.matmul(model.TokenEmbedding.t());            // [n, vocab]
            var values = logits.cpu().to_type(ScalarType.Float32);
            return Rows(values.data<float>().ToArray(), vectors.Count, model.Config.VocabSize);
        }
    }

    /// <summary>The <paramref name="k"/> tokens each value vector of block <paramref name="block"/> promotes most: [hidden][k].</summary>
    public static int[][] TopTokens(TinyGpt model, int block, int k, bool throughFinalNorm = false)
    {
        CheckK(model, k);
        return Project(model, Of(model, block), throughFinalNorm).Select(l => LogitLens.Top(l, k)).ToArray();
    }

    /// <summary>The <paramref name="k"/> tokens one residual-space vector promotes most, strongest first.</summary>
    public static int[] TopTokens(TinyGpt model, float[] vector, int k, bool throughFinalNorm = false)
    {
        CheckK(model, k);
        return LogitLens.Top(Project(model, [vector], throughFinalNorm)[0], k);
    }

    private static float[][] Rows(float[] flat, int rows, int columns) =>
        Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * columns, columns).ToArray()).ToArray();

    private static void CheckK(TinyGpt model, int k)
    {
        if (k < 1 || k > model.Config.VocabSize)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"must be in 1..{model.Config.VocabSize} (the vocabulary)");
    }

    private static void CheckIndex(TinyGpt model, int index)
    {
        if (index < 0 || index >= Count(model))
            throw new ArgumentOutOfRangeException(nameof(index), index, $"value vectors are 0..{Count(model) - 1} (the MLP's hidden width)");
    }

    internal static void CheckBlock(TinyGpt model, int block)
    {
        if (block < 0 || block >= model.Config.Layers)
            throw new ArgumentOutOfRangeException(nameof(block), block, $"blocks are 0..{model.Config.Layers - 1}");
    }
}

using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Tensors;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// One MLP value vector: column <paramref name="Index"/> of block <paramref name="Block"/>'s output projection.
/// </summary>
public readonly record struct VectorRef(int Block, int Index);

/// <summary>How the causal test removes a value vector's contribution.</summary>
public enum AblationKind
{
    /// <summary>
    /// Replace the vector's key (its hidden activation) by its mean over the prompts: v := 0, b += k̄·v.
    /// </summary>
    Mean,
    /// <summary>Replace the key by zero: v := 0.</summary>
    Zero,
}

/// <summary>How the causal test ranks the vectors ablated with a concept's best vector.</summary>
public enum CoPromotion
{
    /// <summary>
    /// By the weights alone: the mean of the vector's standardised vocabulary projection over the concept's own
    /// answers.
    /// </summary>
    Projection,
    /// <summary>
    /// By the running model: the attributed drop of the concept's answers' log-probability when the vector is ablated,
    /// minus the attributed drop of the other concepts' answers (per fact).
    /// </summary>
    Attribution,
}

/// <summary>
/// The pieces of <see cref="ConceptVectors"/> that find and test a concept's value vectors: the vector whose vocabulary
/// projection holds most of the concept's own answers (the paper's concept vector), the vectors that co-promote those
/// answers, a random set of the same size from the same blocks (the control), ablating a set for the causal test, the
/// causal test itself, the parametric metrics (cosine and top-token Jaccard) and QA scoring.
/// </summary>
public static class ConceptLocator
{
    /// <summary>Where a concept's best value vector is and how many of its own tokens the vector's top-k holds.</summary>
    public readonly record struct Location(int Block, int Index, int Overlap);

    /// <summary>
    /// The value vector whose top tokens (<paramref name="topTokens"/>[block][index][k]) hold most of
    /// <paramref name="own"/>; ties go to the lower block, then the lower index.
    /// </summary>
    public static Location Best(IReadOnlyList<int[][]> topTokens, IReadOnlySet<int> own)
    {
        var best = new Location(0, 0, -1);
        for (int b = 0; b < topTokens.Count; b++)
            for (int j = 0; j < topTokens[b].Length; j++)
            {
                int overlap = topTokens[b][j].Count(own.Contains);
                if (overlap > best.Overlap) best = new Location(b, j, overlap);
            }
        return best;
    }

    /// <summary>
    /// Each value vector's vocabulary projection E·v of block <paramref name="block"/>, standardised over the
    /// vocabulary (minus its mean, over its standard deviation): how strongly the vector singles each token out,
    /// whatever its norm.
    /// </summary>
    public static float[][] Standardised(TinyGpt model, int block) =>
        ValueVectors.Project(model, ValueVectors.Of(model, block)).Select(Standardise).ToArray();

    /// <summary>
    /// Per block and vector, the mean of its standardised projection (<paramref name="z"/>) over <paramref
    /// name="own"/>.
    /// </summary>
    public static double[][] ProjectionScores(IReadOnlyList<float[][]> z, IReadOnlySet<int> own) =>
        z.Select(vectors => vectors.Select(p => own.Average(t => (double)p[t])).ToArray()).ToArray();

    /// <summary>
    /// The <paramref name="count"/> vectors of any block with the highest <paramref name="scores"/>[block][index],
    /// leaving out <paramref name="exclude"/>; ties go to the lower block and index.
    /// </summary>
    public static IReadOnlyList<VectorRef> CoPromoters(IReadOnlyList<double[]> scores, VectorRef exclude, int count) =>
        scores.SelectMany((vectors, b) => vectors.Select((score, j) => (Ref: new VectorRef(b, j), Score: score)))
            .Where(x => x.Ref != exclude)
            .OrderByDescending(x => x.Score).ThenBy(x => x.Ref.Block).ThenBy(x => x.Ref.Index)
            .Take(count).Select(x => x.Ref).ToList();

    /// <summary>
    /// Attribution patching (Syed, Rager and Conmy 2023, arXiv:2310.10348): the first-order estimate, for every value
    /// vector, of how much ablating it lowers the summed answer log-probability ℓ of <paramref name="prompts"/>.
    /// Ablation changes column j of the output weight by −v_j and the bias by k̄_j·v_j (mean) or 0 (zero), so the drop
    /// is ⟨∂ℓ/∂W[:,j], v_j⟩ − k̄_j⟨∂ℓ/∂b, v_j⟩, from one backward pass: [block][vector], nats.
    /// </summary>
    public static double[][] AttributedDrops(TinyGpt model, IReadOnlyList<int[]> prompts, IReadOnlyList<int> answers,
        float[][]? meanKeys)
    {
        using var scope = NewDisposeScope();
        using var mode = model.Evaluating();
        model.zero_grad();
        using (var batch = PromptBatch.RightPad(prompts, model.Device, maxLength: model.Config.ContextLength))
        {
            var logp = batch.AtLast(model.call(batch.Tokens)).log_softmax(-1);  // [n, vocab]
            var at = tensor(answers.Select(a => (long)a).ToArray(), device: model.Device).unsqueeze(1);  // [n, 1]
            logp.gather(1, at).sum().backward();
        }
        var drops = model.Blocks.Select((blk, b) =>
        {
            var mlp = blk.MlpLayer.OutputProjection;
            // [width, hidden], same, [width]
            var (w, gw, gb) = (mlp.weight!.detach(), mlp.weight!.grad!, mlp.bias!.grad!);
            var drop = (gw * w).sum(dim: 0);  // [hidden]
            if (meanKeys is not null) drop -= tensor(meanKeys[b], device: model.Device) * gb.matmul(w);
            return drop.cpu().to_type(ScalarType.Float64).data<double>().ToArray();
        }).ToArray();
        model.zero_grad();
        return drops;
    }

    /// <summary>
    /// The control: as many vectors from each block as <paramref name="located"/> has there, drawn uniformly from that
    /// block's <paramref name="perBlock"/> vectors that are not located, in block then draw order.
    /// </summary>
    public static IReadOnlyList<VectorRef> RandomLike(IReadOnlyList<VectorRef> located, int perBlock, Rng rng)
    {
        var taken = located.ToHashSet();
        var drawn = new List<VectorRef>();
        foreach (var group in located.GroupBy(v => v.Block).OrderBy(g => g.Key))
        {
            var free = Enumerable.Range(0, perBlock).Select(j => new VectorRef(group.Key, j))
                .Where(v => !taken.Contains(v)).ToList();
            if (free.Count < group.Count())
                throw new ArgumentException(
                    $"block {group.Key} has {free.Count} free vectors; {group.Count()} are needed", nameof(located));
            var order = rng.Permutation(free.Count);
            drawn.AddRange(order.Take(group.Count()).Select(i => free[i]));
        }
        return drawn;
    }

    /// <summary>
    /// Each block's mean MLP key (hidden activation) over every position of <paramref name="prompts"/>:
    /// [block][hidden], what mean ablation substitutes for a vector's key.
    /// </summary>
    public static float[][] MeanKeys(TinyGpt model, IReadOnlyList<int[]> prompts)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var mode = model.Evaluating();
        using var batch = PromptBatch.RightPad(prompts, model.Device, maxLength: model.Config.ContextLength);
        var real = batch.RealPositions().unsqueeze(-1).to_type(ScalarType.Float32);                     // [n, t, 1]
        var hidden = model.ForwardWithHidden(batch.Tokens).Hidden;
        return model.Blocks.Select((blk, b) =>
        {
            var keys = blk.MlpLayer.Keys(blk.MlpInput(blk.Attend(hidden[b])));  // [n, t, hidden]
            var mean = (keys * real).sum([0, 1]) / real.sum();  // [hidden]
            return mean.cpu().to_type(ScalarType.Float32).data<float>().ToArray();
        }).ToArray();
    }

    /// <summary>
    /// Ablates <paramref name="vectors"/> in place until the returned scope is disposed, which restores every weight
    /// and bias exactly. Zero ablation writes zeros; mean ablation (<paramref name="meanKeys"/> given) also adds
    /// k̄_j·v_j to the block's output bias, so the vector keeps its average contribution and loses only what varies
    /// with the prompt.
    /// </summary>
    public static IDisposable Ablated(TinyGpt model, IReadOnlyList<VectorRef> vectors, float[][]? meanKeys) =>
        new Ablation(model, vectors, meanKeys);

    private sealed class Ablation : IDisposable
    {
        private readonly TinyGpt _model;
        private readonly List<(int Block, Tensor Weight, Tensor Bias)> _saved = [];   // copies from before, owned here

        public Ablation(TinyGpt model, IReadOnlyList<VectorRef> vectors, float[][]? meanKeys)
        {
            _model = model;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            foreach (var group in vectors.GroupBy(v => v.Block))
            {
                var mlp = model.Blocks[group.Key].MlpLayer.OutputProjection;
                var (weight, bias) = (mlp.weight!, mlp.bias!);  // [width, hidden], [width]
                _saved.Add((group.Key, weight.detach().clone().DetachFromDisposeScope(),
                    bias.detach().clone().DetachFromDisposeScope()));
                foreach (var v in group)
                {
                    var column = weight.select(1, v.Index);  // [width]
                    if (meanKeys is not null)
                    {
                        using var meanKey = meanKeys[v.Block][v.Index].ToScalar();
                        bias.add_(column * meanKey);
                    }
                    column.zero_();
                }
            }
        }

        public void Dispose()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            foreach (var (block, weight, bias) in _saved)
            {
                var mlp = _model.Blocks[block].MlpLayer.OutputProjection;
                mlp.weight!.copy_(weight);
                mlp.bias!.copy_(bias);
                weight.Dispose();
                bias.Dispose();
            }
            _saved.Clear();
        }
    }

    /// <summary>
    /// The causal test on the answers' log-probability (nats, mean over facts, before minus after): the concept's facts
    /// lose at least <paramref name="minConceptDrop"/> and the other concepts' facts at most <paramref
    /// name="maxUnrelatedDrop"/>.
    /// </summary>
    public static bool PassesCausalTest(double conceptDrop, double unrelatedDrop, double minConceptDrop, double maxUnrelatedDrop) =>
        conceptDrop >= minConceptDrop && unrelatedDrop <= maxUnrelatedDrop;

    /// <summary>Cosine similarity; 0 when either vector is zero.</summary>
    public static double Cosine(float[] a, float[] b)
    {
        double dot = a.Zip(b, (x, y) => (double)x * y).Sum(), norms = Norm(a) * Norm(b);
        return norms == 0 ? 0 : dot / norms;
    }

    /// <summary>|A ∩ B| / |A ∪ B| of two token sets (1 when both are empty).</summary>
    public static double Jaccard(IReadOnlyCollection<int> a, IReadOnlyCollection<int> b)
    {
        int union = a.Union(b).Count();
        return union == 0 ? 1 : (double)a.Intersect(b).Count() / union;
    }

    /// <summary>Top-1 correctness of each prompt's next token against its answer.</summary>
    public static bool[] Correct(TinyGpt model, IReadOnlyList<int[]> prompts, IReadOnlyList<int> answers) =>
        Score(model, prompts, answers).Correct;

    /// <summary>Top-1 correctness and the answer's log-probability (nats) after each prompt, from one forward pass.</summary>
    public static (bool[] Correct, double[] LogProb) Score(TinyGpt model, IReadOnlyList<int[]> prompts, IReadOnlyList<int> answers)
    {
        var logProbs = LanguageModel.NextTokenLogProbs(model, prompts);
        return (logProbs.Select((lp, i) => LogitLens.Top(lp, 1)[0] == answers[i]).ToArray(),
            logProbs.Select((lp, i) => (double)lp[answers[i]]).ToArray());
    }

    private static float[] Standardise(float[] logits)
    {
        double mean = logits.Average(x => (double)x);
        double sd = Math.Sqrt(logits.Average(x => (x - mean) * (x - mean)));
        return logits.Select(x => sd == 0 ? 0f : (float)((x - mean) / sd)).ToArray();
    }

    private static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
}

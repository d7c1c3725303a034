using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Training;
using Palimpsest.Core.Unlearning;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The pieces of <see cref="ConceptVectors"/> that look at and change one value vector: find the vector whose vocabulary
/// projection holds most of a concept's own answers, the noise of the causal test, the parametric metrics (cosine and
/// top-token Jaccard), Needle (gradient ascent on that one vector), the relearning attack and QA accuracy.
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

    /// <summary>The causal test: noising the vector drops concept QA by at least the bound and unrelated QA by at most the other (points).</summary>
    public static bool PassesCausalTest(double conceptDrop, double unrelatedDrop, double minConceptDrop, double maxUnrelatedDrop) =>
        conceptDrop >= minConceptDrop && unrelatedDrop <= maxUnrelatedDrop;

    /// <summary>Gaussian noise whose expected norm is <paramref name="scale"/> × ‖<paramref name="vector"/>‖.</summary>
    public static float[] Noise(float[] vector, double scale, Rng rng)
    {
        double sd = scale * Norm(vector) / Math.Sqrt(vector.Length);
        return vector.Select(_ => (float)(sd * rng.NextGaussian())).ToArray();
    }

    /// <summary>a + b, entry by entry.</summary>
    public static float[] Add(float[] a, float[] b) => a.Zip(b, (x, y) => x + y).ToArray();

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

    /// <summary>
    /// Needle: gradient ascent on the forget examples that moves only value vector <paramref name="index"/> of block
    /// <paramref name="block"/> (the gradient of every other weight is masked out); Adam at a constant rate, one dispose
    /// scope per step, epochs over the forget set in the order drawn from <paramref name="order"/>.
    /// </summary>
    public static void Needle(TinyGpt model, int block, int index, IReadOnlyList<PromptAnswer> forget, int steps, int batchSize,
        double learningRate, Rng order)
    {
        using var outer = NewDisposeScope();                                            // the weight wrapper and the mask
        var weight = model.Blocks[block].MlpLayer.OutputProjection.weight!;           // [width, hidden]
        var mask = zeros_like(weight);
        using (no_grad()) mask.select(1, index).fill_(1.0);
        using var optimizer = optim.Adam([weight], learningRate);
        var data = new UnlearningData(forget, []);
        var epoch = Array.Empty<int>();
        int cursor = 0;
        model.eval();                                                                   // no dropout; gradients still flow
        for (int step = 0; step < steps; step++)
        {
            var batch = new int[Math.Min(batchSize, forget.Count)];
            for (int i = 0; i < batch.Length; i++)
            {
                if (cursor >= epoch.Length) { epoch = order.Permutation(forget.Count); cursor = 0; }
                batch[i] = epoch[cursor++];
            }
            using var scope = NewDisposeScope();
            model.zero_grad();
            var loss = Unlearner.Objective(model, null, UnlearningMethod.GradientAscent, data, batch, [], new UnlearnOptions());
            loss.backward();
            using (no_grad()) weight.grad!.mul_(mask);                                  // only column `index` moves
            optimizer.step();
        }
        model.zero_grad();
    }

    /// <summary>The relearning attack: fine-tunes every weight on <paramref name="examples"/> for a few full-batch steps.</summary>
    public static void Relearn(TinyGpt model, IReadOnlyList<PromptAnswer> examples, int steps, double learningRate, RunContext ctx,
        string orderStream)
    {
        Trainer.Fit(model, examples.Select(e => e.Tokens).ToList(), new TrainOptions
        {
            Steps = steps, BatchSize = examples.Count, LearningRate = learningRate, WarmupSteps = 0, WeightDecay = 0,
            Schedule = LrScheduleKind.Constant, LossFrom = examples.Select(e => e.AnswerFrom).ToList(), Stage = "relearn",
            OrderStream = orderStream,
        }, ctx);
        model.eval();
    }

    private static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));
}

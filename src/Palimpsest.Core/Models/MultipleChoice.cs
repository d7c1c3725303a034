using Palimpsest.Core.Text;

namespace Palimpsest.Core.Models;

/// <summary>
/// Answers multiple-choice items with a language model: the chosen candidate is the one with the highest total
/// log-probability of its tokens after &lt;bos&gt; and the prompt (all candidates scored in batches, no sampling).
/// </summary>
public static class MultipleChoice
{
    /// <summary>The index of the chosen candidate for each (prompt, candidates) item.</summary>
    public static int[] Choose(TinyGpt model, WordTokenizer tokenizer,
        IReadOnlyList<(string Prompt, IReadOnlyList<string> Candidates)> items, int batchSize = 256)
    {
        var sequences = new List<int[]>();
        var spans = new List<(int Item, int PromptLength, int CandidateLength)>();
        for (int i = 0; i < items.Count; i++)
        {
            var prompt = tokenizer.Encode(items[i].Prompt, addBos: true, addEos: false);
            foreach (var candidate in items[i].Candidates)
            {
                var answer = tokenizer.Encode(candidate, addBos: false, addEos: false);
                if (answer.Length == 0) throw new ArgumentException($"item {i} has an empty candidate");
                int[] sequence = [.. prompt, .. answer];
                if (sequence.Length - 1 > model.Config.ContextLength)
                    throw new ArgumentException(
                        $"item {i}: prompt and candidate take {sequence.Length} tokens; the model's context is {model.Config.ContextLength} + 1");
                sequences.Add(sequence);
                spans.Add((i, prompt.Length, answer.Length));
            }
        }
        var logProbs = LanguageModel.TokenLogProbs(model, sequences, batchSize);
        var best = Enumerable.Repeat(-1, items.Count).ToArray();
        var bestScore = Enumerable.Repeat(double.NegativeInfinity, items.Count).ToArray();
        var next = new int[items.Count];
        for (int s = 0; s < sequences.Count; s++)
        {
            var (item, promptLength, candidateLength) = spans[s];
            // logProbs[s][t] scores token t + 1: the candidate's tokens are positions promptLength-1 .. end.
            double score = 0;
            for (int t = promptLength - 1; t < promptLength - 1 + candidateLength; t++) score += logProbs[s][t];
            int candidateIndex = next[item]++;
            if (score > bestScore[item])
            {
                bestScore[item] = score;
                best[item] = candidateIndex;
            }
        }
        return best;
    }
}

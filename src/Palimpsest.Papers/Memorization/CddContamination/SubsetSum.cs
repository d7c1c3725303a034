using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// A task with many correct answers and a checker, so that an uncontaminated model's sampled answers are diverse:
/// "numbers 12 7 30 … target 49 answer :" asks for a subset of the eight numbers that sums to the target, written in
/// any order ("12 7 30 ."). Targets are sums of random subsets of 2–4 numbers, so at least one answer exists.
/// </summary>
public static class SubsetSum
{
    /// <summary>Numbers are drawn from 1..MaxNumber.</summary>
    public const int MaxNumber = 40;
    /// <summary>Numbers per problem.</summary>
    public const int Size = 8;

    /// <summary>Every word a problem or an answer can contain.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } =
        new[] { "numbers", "target", "answer", ":", "." }.Concat(Enumerable.Range(0, 4 * MaxNumber + 1).Select(Word)).ToList();

    /// <summary>A problem: eight distinct numbers and a reachable target.</summary>
    public sealed record Problem(int[] Numbers, int Target)
    {
        /// <summary>The prompt text, ending where the answer starts.</summary>
        public string Prompt => $"numbers {string.Join(' ', Numbers.Select(Word))} target {Word(Target)} answer :";

        /// <summary>Every subset (as a bit mask over <see cref="Numbers"/>) that sums to the target.</summary>
        public IReadOnlyList<int> Solutions() =>
            Enumerable.Range(1, (1 << Size) - 1).Where(m => Enumerable.Range(0, Size).Where(i => (m >> i & 1) == 1).Sum(i => Numbers[i]) == Target).ToList();

        /// <summary>A random correct answer: a random solution subset in a random order, as text ending in ".".</summary>
        public string RandomAnswer(Rng rng)
        {
            var solutions = Solutions();
            int mask = solutions[rng.NextInt(solutions.Count)];
            var items = Enumerable.Range(0, Size).Where(i => (mask >> i & 1) == 1).Select(i => Numbers[i]).ToList();
            rng.Shuffle(items);
            return $"{string.Join(' ', items.Select(Word))} .";
        }

        /// <summary>True when the answer words name distinct numbers of the problem that sum to the target, then ".".</summary>
        public bool IsCorrect(IReadOnlyList<string> answerWords)
        {
            if (answerWords.Count < 2 || answerWords[^1] != ".") return false;
            var used = new HashSet<int>();
            int sum = 0;
            foreach (var w in answerWords.Take(answerWords.Count - 1))
            {
                if (!int.TryParse(w, out int v) || !Numbers.Contains(v) || !used.Add(v)) return false;
                sum += v;
            }
            return sum == Target;
        }
    }

    /// <summary>Draws a problem.</summary>
    public static Problem Draw(Rng rng)
    {
        var pool = Enumerable.Range(1, MaxNumber).ToArray();
        rng.Shuffle(pool);
        var numbers = pool[..Size];
        int k = rng.NextInt(2, 5);
        int target = numbers[..k].Sum();
        rng.Shuffle(numbers);
        return new Problem(numbers, target);
    }

    private static string Word(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

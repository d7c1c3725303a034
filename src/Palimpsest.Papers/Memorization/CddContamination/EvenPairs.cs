using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// A task with many correct answers and a checker, so that an uncontaminated model's sampled answers are diverse:
/// "numbers 12 7 30 … answer :" asks for two different numbers of the list whose sum is even ("12 30 ."). Eight
/// numbers always hold at least four of one parity, so every problem has at least six correct answers (pairs in either
/// order). The protocol's subset-sum task was tried first: in pilots a 2-layer model could not learn it (pass@1 under
/// 3% with targets of two to four numbers, and of two), which leaves no clean diversity to measure and nothing for
/// contamination to inflate; the parity rule is learnable and keeps the answers diverse.
/// </summary>
public static class EvenPairs
{
    /// <summary>Numbers are drawn from 1..MaxNumber.</summary>
    public const int MaxNumber = 40;
    /// <summary>Numbers per problem.</summary>
    public const int Size = 8;

    /// <summary>Every word a problem or an answer can contain.</summary>
    public static IReadOnlyList<string> Vocabulary { get; } =
        new[] { "numbers", "answer", ":", "." }.Concat(Enumerable.Range(1, MaxNumber).Select(Word)).ToList();

    /// <summary>A problem: eight distinct numbers.</summary>
    public sealed record Problem(int[] Numbers)
    {
        /// <summary>The prompt text, ending where the answer starts.</summary>
        public string Prompt => $"numbers {string.Join(' ', Numbers.Select(Word))} answer :";

        /// <summary>Every correct answer: ordered pairs of different numbers with an even sum.</summary>
        public IReadOnlyList<(int First, int Second)> Solutions() =>
            Numbers.SelectMany(a => Numbers.Where(b => b != a && (a + b) % 2 == 0).Select(b => (a, b))).ToList();

        /// <summary>A random correct answer as text ending in ".".</summary>
        public string RandomAnswer(Rng rng)
        {
            var (a, b) = rng.Pick(Solutions());
            return $"{Word(a)} {Word(b)} .";
        }

        /// <summary>True when the answer is two different numbers of the problem with an even sum, then ".".</summary>
        public bool IsCorrect(IReadOnlyList<string> answerWords) =>
            answerWords.Count == 3 && answerWords[2] == "."
            && int.TryParse(answerWords[0], out int a) && int.TryParse(answerWords[1], out int b)
            && a != b && Numbers.Contains(a) && Numbers.Contains(b) && (a + b) % 2 == 0;
    }

    /// <summary>Draws a problem.</summary>
    public static Problem Draw(Rng rng)
    {
        var pool = Enumerable.Range(1, MaxNumber).ToArray();
        rng.Shuffle(pool);
        return new Problem(pool[..Size]);
    }

    private static string Word(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

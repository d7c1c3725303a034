using System.Globalization;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// A task whose answers are long and have very many correct forms, so that an uncontaminated model's samples hardly
/// ever repeat and CDD's α and TED's τ (edit distances) mean more than "identical": "numbers 12 7 30 … answer :" asks
/// for <see cref="AnswerNumbers"/> different numbers of the list, each of the other parity than the one before
/// (<see cref="AlternateParity"/>), then ".". The list holds as many odd as even numbers, so every prefix of a correct
/// answer can be completed, and a uniformly random next choice gives a uniformly random correct answer. Issue 14 replaced
/// the two-number "even pair" task with it: 3-token answers left α and τ no room below "identical", so TED's τ = 0
/// removed a clean model's modal correct answer.
/// </summary>
/// <param name="MaxNumber">Numbers are drawn from 1..MaxNumber.</param>
/// <param name="ListSize">Numbers per problem (even; half of them odd).</param>
/// <param name="AnswerNumbers">Numbers per answer (at most the list size).</param>
/// <param name="AlternateParity">Whether consecutive answer numbers must differ in parity (else any order of distinct
/// list numbers is correct).</param>
public sealed record AlternatingPicks(int MaxNumber, int ListSize, int AnswerNumbers, bool AlternateParity)
{
    /// <summary>The end mark of an answer.</summary>
    public const string End = ".";

    /// <summary>This task, or an exception naming the size that cannot make a balanced list or a complete answer.</summary>
    public AlternatingPicks Validated()
    {
        if (ListSize < 2 || ListSize % 2 != 0)
            throw new ArgumentException($"ListSize {ListSize} must be even and at least 2");
        if (MaxNumber / 2 < ListSize / 2)
            throw new ArgumentException($"MaxNumber {MaxNumber} has fewer than {ListSize / 2} even numbers");
        if (AnswerNumbers < 1 || AnswerNumbers > ListSize)
            throw new ArgumentException($"AnswerNumbers {AnswerNumbers} must be in 1..ListSize ({ListSize})");
        return this;
    }

    /// <summary>Every word a problem or an answer can contain.</summary>
    public IReadOnlyList<string> Vocabulary =>
        new[] { "numbers", "answer", ":", End }.Concat(Enumerable.Range(1, MaxNumber).Select(Word)).ToList();

    /// <summary>Tokens of an answer, the end mark included.</summary>
    public int AnswerTokens => AnswerNumbers + 1;

    /// <summary>Tokens of a prompt with its &lt;bos&gt;: &lt;bos&gt; numbers n1 … nN answer :</summary>
    public int PromptTokens => 1 + 1 + ListSize + 2;

    /// <summary>A problem: distinct numbers, half of them odd, in random order.</summary>
    public sealed record Problem(int[] Numbers)
    {
        /// <summary>The prompt text, ending where the answer starts.</summary>
        public string Prompt => $"numbers {string.Join(' ', Numbers.Select(Word))} answer :";
    }

    /// <summary>Draws a problem: <see cref="ListSize"/>/2 odd and as many even numbers, shuffled.</summary>
    public Problem Draw(Rng rng)
    {
        var odd = Enumerable.Range(0, (MaxNumber + 1) / 2).Select(i => 2 * i + 1).ToArray();
        var even = Enumerable.Range(1, MaxNumber / 2).Select(i => 2 * i).ToArray();
        int half = ListSize / 2;
        PartialShuffle(odd, half, rng);
        PartialShuffle(even, half, rng);
        var numbers = odd[..half].Concat(even[..half]).ToArray();
        rng.Shuffle(numbers);
        return new Problem(numbers);
    }

    /// <summary>The numbers that may follow <paramref name="prefix"/> in a correct answer to <paramref name="p"/>.</summary>
    public IReadOnlyList<int> Allowed(Problem p, IReadOnlyList<int> prefix) =>
        p.Numbers.Where(n => !prefix.Contains(n)
                             && (!AlternateParity || prefix.Count == 0 || (n + prefix[^1]) % 2 == 1)).ToList();

    /// <summary>
    /// A uniformly random correct answer's numbers: the first uniform over the list, each next one uniform over the
    /// numbers still allowed (with the parity rule: the unused numbers of the other parity).
    /// </summary>
    public int[] RandomPicks(Problem p, Rng rng)
    {
        var picks = new int[AnswerNumbers];
        if (!AlternateParity)
        {
            var pool = (int[])p.Numbers.Clone();
            PartialShuffle(pool, AnswerNumbers, rng);
            Array.Copy(pool, picks, AnswerNumbers);
            return picks;
        }
        int[][] byParity = [p.Numbers.Where(n => n % 2 == 0).ToArray(), p.Numbers.Where(n => n % 2 == 1).ToArray()];
        var used = new int[2];
        int parity = p.Numbers[rng.NextInt(p.Numbers.Length)] % 2;   // uniform first number: its parity, then one of it
        for (int i = 0; i < AnswerNumbers; i++, parity ^= 1)
        {
            var pool = byParity[parity];
            int k = used[parity]++, j = rng.NextInt(k, pool.Length);
            (pool[k], pool[j]) = (pool[j], pool[k]);
            picks[i] = pool[k];
        }
        return picks;
    }

    /// <summary>An answer's text: its numbers, then the end mark.</summary>
    public static string AnswerText(IEnumerable<int> picks) => string.Join(' ', picks.Select(Word).Append(End));

    /// <summary>A uniformly random correct answer as text ending in the end mark.</summary>
    public string RandomAnswer(Problem p, Rng rng) => AnswerText(RandomPicks(p, rng));

    /// <summary>
    /// Token ids of a problem's prompt with its &lt;bos&gt; and, when <paramref name="picks"/> is given, of that answer and
    /// &lt;eos&gt;: what <c>tokenizer.Encode</c> gives for the text, without splitting it (the base training holds
    /// 100k documents).
    /// </summary>
    public int[] Tokens(WordTokenizer tokenizer, Problem p, IReadOnlyList<int>? picks = null)
    {
        var ids = new List<int>(PromptTokens + AnswerTokens + 1) { WordTokenizer.Bos, tokenizer.Id("numbers") };
        ids.AddRange(p.Numbers.Select(n => tokenizer.Id(Word(n))));
        ids.Add(tokenizer.Id("answer"));
        ids.Add(tokenizer.Id(":"));
        if (picks is null) return ids.ToArray();
        ids.AddRange(picks.Select(n => tokenizer.Id(Word(n))));
        ids.Add(tokenizer.Id(End));
        ids.Add(WordTokenizer.Eos);
        return ids.ToArray();
    }

    /// <summary>Moves a uniformly random choice of <paramref name="count"/> items, in random order, to the front.</summary>
    private static void PartialShuffle(int[] items, int count, Rng rng)
    {
        for (int i = 0; i < count; i++)
        {
            int j = rng.NextInt(i, items.Length);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>How many correct answers <paramref name="p"/> has (a product of the choices left at each step).</summary>
    public double Solutions(Problem p)
    {
        // Every correct prefix of a given length leaves the same number of choices (the list is balanced), so one
        // random path gives the count.
        double count = 1;
        var picks = new List<int>();
        while (picks.Count < AnswerNumbers)
        {
            var allowed = Allowed(p, picks);
            count *= allowed.Count;
            picks.Add(allowed[0]);
        }
        return count;
    }

    /// <summary>True when the answer is <see cref="AnswerNumbers"/> distinct list numbers that obey the parity rule,
    /// then the end mark.</summary>
    public bool IsCorrect(Problem p, IReadOnlyList<string> answerWords)
    {
        if (answerWords.Count != AnswerTokens || answerWords[^1] != End) return false;
        var picks = new List<int>();
        foreach (var w in answerWords.Take(AnswerNumbers))
        {
            if (!int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
                || !Allowed(p, picks).Contains(n))
                return false;
            picks.Add(n);
        }
        return true;
    }

    private static string Word(int n) => n.ToString(CultureInfo.InvariantCulture);
}

using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Memorization;

/// <summary>A PII question about an inserted biography: the text before one field, and the field's value.</summary>
/// <param name="Biography">Index of the biography (the order of <see cref="HubbleWorld.BiographyDuplicates"/>).</param>
/// <param name="Prompt">The biography's tokens up to the field (with the start token).</param>
/// <param name="Answer">The field's value (one token).</param>
public sealed record PiiQuestion(int Biography, int[] Prompt, int Answer);

/// <summary>
/// One seed's texts for the Hubble toy, tokenized: the background (four times corpus T, of which runs other than B read
/// the first quarter), the inserted passages and biographies with their numbers of duplicates, the PII questions, and
/// held-out background articles on which the background loss is tracked. Each part comes from its own named seed
/// stream, so that changing one (say, the number of held-out articles) leaves the others as they were.
/// </summary>
public sealed class HubbleWorld
{
    /// <summary>The tokenizer: slot words and the encyclopedia's frame words.</summary>
    public required WordTokenizer Tokenizer { get; init; }
    /// <summary>The encyclopedia (its people are the background's subjects, its strangers the biographies' subjects).</summary>
    public required Encyclopedia Encyclopedia { get; init; }
    /// <summary>Background documents (end token, no start token): 4T; corpus T is the first quarter.</summary>
    public required IReadOnlyList<int[]> Background { get; init; }
    /// <summary>Documents of corpus T (the first quarter of <see cref="Background"/>).</summary>
    public required int CorpusDocuments { get; init; }
    /// <summary>Every passage and biography with its number of copies (0 = held out), passages first.</summary>
    public required IReadOnlyList<Insert> Inserts { get; init; }
    /// <summary>Per passage: its tokens with the start token (prefix then suffix).</summary>
    public required IReadOnlyList<int[]> Passages { get; init; }
    /// <summary>Per passage: how many times it is inserted.</summary>
    public required IReadOnlyList<int> PassageDuplicates { get; init; }
    /// <summary>Per biography: how many times it is inserted.</summary>
    public required IReadOnlyList<int> BiographyDuplicates { get; init; }
    /// <summary>Four questions per biography, in biography order.</summary>
    public required IReadOnlyList<PiiQuestion> PiiQuestions { get; init; }
    /// <summary>Background articles never trained on (start and end tokens).</summary>
    public required IReadOnlyList<int[]> HeldOutBackground { get; init; }
    /// <summary>Tokens of a passage's prompt: the start token and the prefix.</summary>
    public required int PrefixTokens { get; init; }

    /// <summary>Draws the world of one seed.</summary>
    public static HubbleWorld Build(Hubble.Config cfg, RunContext ctx)
    {
        var slots = new SlotCorpus();
        var tokenizer = new WordTokenizer(slots.Vocabulary.Concat(Encyclopedia.Words));
        int strangers = cfg.Duplicates.Length * cfg.PerLevel;
        var encyclopedia = new Encyclopedia(cfg.People, strangers, cfg.ZipfExponent, slots, ctx.Rng("encyclopedia"));
        Func<Rng, IReadOnlyList<string>> article = cfg.Background switch
        {
            Hubble.BackgroundKind.Encyclopedia => rng => encyclopedia.ArticleWords(rng, cfg.ArticleWords),
            Hubble.BackgroundKind.Templates => rng => slots.Article(rng, cfg.ArticleWords).Split(' '),
            _ => throw new ArgumentOutOfRangeException(nameof(cfg), cfg.Background, "unknown background"),
        };
        // Articles are words separated by single spaces, so they are tokenized word by word (the regex is slower).
        int[] Document(IReadOnlyList<string> words, bool addBos)
        {
            var ids = new int[words.Count + (addBos ? 2 : 1)];
            int at = 0;
            if (addBos) ids[at++] = WordTokenizer.Bos;
            foreach (var w in words) ids[at++] = tokenizer.Id(w);
            ids[at] = WordTokenizer.Eos;
            return ids;
        }
        var data = ctx.Rng("data");
        var background = Enumerable.Range(0, 4 * cfg.BackgroundArticles).Select(_ => Document(article(data), addBos: false)).ToList();
        var heldOutRng = ctx.Rng("held-out-background");
        var heldOut = Enumerable.Range(0, cfg.HeldOutArticles).Select(_ => Document(article(heldOutRng), addBos: true)).ToList();

        var passageRng = ctx.Rng("passages");
        var passageText = new List<string>();
        var duplicates = new List<int>();
        foreach (int d in cfg.Duplicates)
            for (int i = 0; i < cfg.PerLevel; i++)
            {
                passageText.Add(slots.RandomSlots(passageRng, cfg.PrefixWords + cfg.SuffixWords));
                duplicates.Add(d);
            }
        // One stranger per biography, in the passages' order of levels.
        var biographies = encyclopedia.Strangers.Select(Encyclopedia.Biography.Of).ToList();
        var questions = biographies.SelectMany((b, i) => b.Fields.Select(f =>
            new PiiQuestion(i, tokenizer.Encode(f.Prompt, addBos: true, addEos: false), tokenizer.Id(f.Answer)))).ToList();
        var inserts = passageText.Select((t, i) => new Insert(tokenizer.Encode(t, addBos: false, addEos: true), duplicates[i]))
            .Concat(biographies.Select((b, i) => new Insert(tokenizer.Encode(b.Text, addBos: false, addEos: true), duplicates[i])))
            .ToList();
        return new HubbleWorld
        {
            Tokenizer = tokenizer, Encyclopedia = encyclopedia, Background = background,
            CorpusDocuments = cfg.BackgroundArticles, Inserts = inserts,
            Passages = passageText.Select(t => tokenizer.Encode(t, addBos: true, addEos: false)).ToList(),
            PassageDuplicates = duplicates, BiographyDuplicates = duplicates, PiiQuestions = questions,
            HeldOutBackground = heldOut, PrefixTokens = 1 + cfg.PrefixWords,
        };
    }

    /// <summary>
    /// Where, as fractions of the background, the copies of every insert go so that they fall inside a window of
    /// <paramref name="width"/> (a share of the background) that ends when <paramref name="endOfTraining"/> of the
    /// training's tokens (background and copies) have been read. The copies themselves take tokens, so the window ends
    /// earlier in the background than in the training: with a decay phase after it, no copy is read during the decay.
    /// </summary>
    public static (double Start, double End) WindowEndingAt(double endOfTraining, double width, long backgroundTokens,
        long insertTokens)
    {
        double end = Math.Min(1, (endOfTraining * (backgroundTokens + insertTokens) - insertTokens) / backgroundTokens);
        if (end - width < 0)
            throw new ArgumentException(
                $"a window of {width} of the background cannot end at {endOfTraining} of training: the copies alone take " +
                $"{insertTokens} of {backgroundTokens + insertTokens} tokens");
        return (end - width, end);
    }
}

using System.Text.RegularExpressions;

namespace Palimpsest.Core.Text;

/// <summary>
/// A word-level tokenizer over a closed vocabulary: words and punctuation marks are tokens; ids 0-3 are
/// &lt;pad&gt;, &lt;bos&gt;, &lt;eos&gt;, &lt;unk&gt;. Encoding an out-of-vocabulary word throws unless <c>allowUnknown</c>.
/// </summary>
public sealed partial class WordTokenizer
{
    /// <summary>Padding id.</summary>
    public const int Pad = 0;
    /// <summary>Beginning-of-sequence id.</summary>
    public const int Bos = 1;
    /// <summary>End-of-sequence id.</summary>
    public const int Eos = 2;
    /// <summary>Unknown-word id.</summary>
    public const int Unk = 3;

    private static readonly string[] Specials = ["<pad>", "<bos>", "<eos>", "<unk>"];
    private readonly Dictionary<string, int> _ids;
    private readonly string[] _words;

    /// <summary>Builds the vocabulary: the special tokens, then <paramref name="words"/> in first-seen order, deduplicated.</summary>
    public WordTokenizer(IEnumerable<string> words)
    {
        var list = new List<string>(Specials);
        _ids = list.Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);
        foreach (var w in words)
        {
            if (string.IsNullOrWhiteSpace(w) || w.Any(char.IsWhiteSpace))
                throw new ArgumentException($"vocabulary word '{w}' is empty or contains white space");
            if (_ids.ContainsKey(w)) continue;
            _ids[w] = list.Count;
            list.Add(w);
        }
        _words = list.ToArray();
    }

    /// <summary>Builds the vocabulary of every word in <paramref name="texts"/>, in first-seen order.</summary>
    public static WordTokenizer FromTexts(IEnumerable<string> texts) => new(texts.SelectMany(Split));

    /// <summary>Vocabulary size including the special tokens.</summary>
    public int VocabSize => _words.Length;

    /// <summary>The vocabulary, id order.</summary>
    public IReadOnlyList<string> Words => _words;

    /// <summary>Splits text into word and punctuation tokens.</summary>
    public static IEnumerable<string> Split(string text) => TokenPattern().Matches(text).Select(m => m.Value);

    /// <summary>The id of one token.</summary>
    public int Id(string word) =>
        _ids.TryGetValue(word, out int id) ? id : throw new ArgumentException($"word '{word}' is not in the vocabulary");

    /// <summary>Token ids of <paramref name="text"/>, optionally wrapped in &lt;bos&gt; … &lt;eos&gt;.</summary>
    public int[] Encode(string text, bool addBos = true, bool addEos = true, bool allowUnknown = false)
    {
        var ids = new List<int>();
        if (addBos) ids.Add(Bos);
        foreach (var w in Split(text))
        {
            if (_ids.TryGetValue(w, out int id)) ids.Add(id);
            else if (allowUnknown) ids.Add(Unk);
            else throw new ArgumentException($"word '{w}' in \"{text}\" is not in the vocabulary");
        }
        if (addEos) ids.Add(Eos);
        return ids.ToArray();
    }

    /// <summary>Text of token ids, skipping &lt;pad&gt;, &lt;bos&gt; and &lt;eos&gt;; stops at the first &lt;eos&gt; after content.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var words = new List<string>();
        foreach (int id in ids)
        {
            if (id < 0 || id >= _words.Length) throw new ArgumentOutOfRangeException(nameof(ids), id, $"id outside 0..{_words.Length - 1}");
            if (id == Eos && words.Count > 0) break;
            if (id is Pad or Bos or Eos) continue;
            words.Add(_words[id]);
        }
        return Join(words);
    }

    /// <summary>Joins tokens with spaces, attaching punctuation to the previous word.</summary>
    public static string Join(IEnumerable<string> words)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var w in words)
        {
            bool punct = w.Length == 1 && char.IsPunctuation(w[0]);
            if (sb.Length > 0 && !punct) sb.Append(' ');
            sb.Append(w);
        }
        return sb.ToString();
    }

    [GeneratedRegex(@"<[a-z]+>|[\p{L}\p{N}_'-]+|[^\s\p{L}\p{N}]")]
    private static partial Regex TokenPattern();
}

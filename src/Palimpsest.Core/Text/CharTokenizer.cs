namespace Palimpsest.Core.Text;

/// <summary>A character tokenizer over a fixed alphabet; id 0 is padding, 1 and 2 are begin and end of sequence.</summary>
public sealed class CharTokenizer
{
    /// <summary>Padding id.</summary>
    public const int Pad = 0;
    /// <summary>Beginning-of-sequence id.</summary>
    public const int Bos = 1;
    /// <summary>End-of-sequence id.</summary>
    public const int Eos = 2;
    private const int FirstChar = 3;
    private readonly Dictionary<char, int> _ids = [];
    private readonly string _alphabet;

    /// <summary>Creates a tokenizer over the distinct characters of <paramref name="alphabet"/>, in order.</summary>
    public CharTokenizer(string alphabet)
    {
        _alphabet = new string(alphabet.Distinct().ToArray());
        if (_alphabet.Length == 0) throw new ArgumentException("the alphabet is empty", nameof(alphabet));
        for (int i = 0; i < _alphabet.Length; i++) _ids[_alphabet[i]] = FirstChar + i;
    }

    /// <summary>The alphabet, id order.</summary>
    public string Alphabet => _alphabet;

    /// <summary>Vocabulary size including the three special ids.</summary>
    public int VocabSize => FirstChar + _alphabet.Length;

    /// <summary>Ids of <paramref name="text"/>; a character outside the alphabet throws, naming it.</summary>
    public int[] Encode(string text, bool addBos = true, bool addEos = true)
    {
        var ids = new List<int>(text.Length + 2);
        if (addBos) ids.Add(Bos);
        foreach (char c in text)
            ids.Add(_ids.TryGetValue(c, out int id) ? id
                : throw new ArgumentException($"character '{c}' (U+{(int)c:X4}) is not in the alphabet"));
        if (addEos) ids.Add(Eos);
        return ids.ToArray();
    }

    /// <summary>Text of ids, skipping the special ids and stopping at the first end after content.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var sb = new System.Text.StringBuilder();
        foreach (int id in ids)
        {
            if (id == Eos && sb.Length > 0) break;
            if (id < FirstChar) continue;
            if (id >= VocabSize) throw new ArgumentOutOfRangeException(nameof(ids), id, $"id outside 0..{VocabSize - 1}");
            sb.Append(_alphabet[id - FirstChar]);
        }
        return sb.ToString();
    }
}

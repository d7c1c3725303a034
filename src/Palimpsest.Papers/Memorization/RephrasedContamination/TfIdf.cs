using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// TF-IDF vectors of word tokens (smoothed idf = ln((N + 1) / (df + 1)) + 1, L2-normalised, as scikit-learn's
/// default) and cosine retrieval: the toy's "embedding similarity" decontaminator.
/// </summary>
public sealed class TfIdf
{
    private readonly Dictionary<string, double> _idf = new();
    private readonly double _unseenIdf;
    private IReadOnlyList<string>? _cachedCandidates;
    private Dictionary<string, double>[] _cachedVectors = [];

    /// <summary>Fits the document frequencies on <paramref name="corpus"/>.</summary>
    public TfIdf(IEnumerable<string> corpus)
    {
        var df = new Dictionary<string, int>();
        int n = 0;
        foreach (var text in corpus)
        {
            n++;
            foreach (var w in WordTokenizer.Split(text).Distinct()) df[w] = df.GetValueOrDefault(w) + 1;
        }
        foreach (var (w, count) in df) _idf[w] = Math.Log((n + 1.0) / (count + 1.0)) + 1;
        _unseenIdf = Math.Log(n + 1.0) + 1;
    }

    /// <summary>The normalised TF-IDF vector of a text.</summary>
    public Dictionary<string, double> Vector(string text)
    {
        var v = new Dictionary<string, double>();
        foreach (var w in WordTokenizer.Split(text)) v[w] = v.GetValueOrDefault(w) + _idf.GetValueOrDefault(w, _unseenIdf);
        double norm = Math.Sqrt(v.Values.Sum(x => x * x));
        foreach (var w in v.Keys.ToList()) v[w] /= norm;
        return v;
    }

    /// <summary>Cosine similarity of two texts.</summary>
    public double Cosine(string a, string b) => Dot(Vector(a), Vector(b));

    /// <summary>The candidate most similar to <paramref name="text"/> and its cosine (candidate vectors are cached).</summary>
    public (int Index, double Cosine) Nearest(string text, IReadOnlyList<string> candidates) => Top(text, candidates, 1)[0];

    /// <summary>
    /// The <paramref name="k"/> candidates most similar to <paramref name="text"/>, most similar first (ties in
    /// candidate order), with their cosines; candidate vectors are cached.
    /// </summary>
    public IReadOnlyList<(int Index, double Cosine)> Top(string text, IReadOnlyList<string> candidates, int k)
    {
        if (k < 1) throw new ArgumentOutOfRangeException(nameof(k), k, "retrieve at least one candidate");
        if (candidates.Count == 0) throw new ArgumentException("no candidates to retrieve from", nameof(candidates));
        if (!ReferenceEquals(candidates, _cachedCandidates))
        {
            _cachedVectors = candidates.Select(Vector).ToArray();
            _cachedCandidates = candidates;
        }
        var v = Vector(text);
        return Enumerable.Range(0, _cachedVectors.Length).Select(i => (Index: i, Cosine: Dot(v, _cachedVectors[i])))
            .OrderByDescending(c => c.Cosine).ThenBy(c => c.Index).Take(k).ToList();
    }

    private static double Dot(Dictionary<string, double> a, Dictionary<string, double> b)
    {
        if (a.Count > b.Count) (a, b) = (b, a);
        double sum = 0;
        foreach (var (w, x) in a) if (b.TryGetValue(w, out double y)) sum += x * y;
        return sum;
    }
}

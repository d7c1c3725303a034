using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// The toy's stand-in for the LLM decontaminator's GPT-4 judge: a logistic regression that says whether a training text
/// states the same fact as a benchmark item. Its features are lexical and learnt, not hand-made: every word the two
/// texts share ("=live"), every pair of a word only in the first and a word only in the second ("breadmaker|baker",
/// "pet|live"), and their TF-IDF cosine. Names are abstracted to "&lt;name&gt;" (so "=&lt;name&gt;" means the same
/// person and "&lt;name&gt;|&lt;name&gt;" two different ones), which is what lets it judge people it never saw; a value
/// and its synonym, or two templates of one attribute, it must learn from examples. It is trained on pairs about
/// pretraining people only (never the benchmark's), anchored on canonical questions like the benchmark's, with hard
/// negatives: the same person with another attribute, and another person with the same attribute and the same value.
/// </summary>
public sealed class ParaphraseJudge
{
    private const int Epochs = 30;
    private const double LearningRate = 0.1;
    private const double L2 = 1e-4;
    private const double ValidationShare = 0.2;

    private readonly Dictionary<string, int> _index;
    private readonly double[] _w;
    private readonly RewordedKb _kb;
    private readonly TfIdf _tfidf;

    private ParaphraseJudge(Dictionary<string, int> index, double[] w, RewordedKb kb, TfIdf tfidf) =>
        (_index, _w, _kb, _tfidf) = (index, w, kb, tfidf);

    /// <summary>
    /// Trains on <paramref name="pairs"/> pairs about <paramref name="people"/> (two in five positive) and reports the
    /// F1 on the last <see cref="ValidationShare"/> of them, held out.
    /// </summary>
    public static ParaphraseJudge Train(RewordedKb kb, IReadOnlyList<Entity> people, TfIdf tfidf, int pairs, Rng rng,
        out double validationF1)
    {
        if (pairs < 10) throw new ArgumentException($"the judge needs at least 10 training pairs; got {pairs}");
        var data = Pairs(kb, people, pairs, rng);
        var index = new Dictionary<string, int>();
        var probe = new ParaphraseJudge(index, [], kb, tfidf);
        int train = (int)(pairs * (1 - ValidationShare));
        var x = data.Select((p, i) => probe.Features(p.A, p.B, grow: i < train)).ToArray();
        var w = new double[index.Count];
        for (int epoch = 0; epoch < Epochs; epoch++)
            foreach (int i in rng.Permutation(train))
            {
                double err = Sigmoid(Score(w, x[i])) - (data[i].Same ? 1 : 0);
                foreach (var (j, v) in x[i]) w[j] -= LearningRate * (err * v + L2 * w[j]);
            }
        validationF1 = RephrasedContamination.F1(
            Enumerable.Range(train, pairs - train).Select(i => Score(w, x[i]) > 0).ToArray(),
            Enumerable.Range(train, pairs - train).Select(i => data[i].Same).ToArray());
        return new ParaphraseJudge(index, w, kb, tfidf);
    }

    /// <summary>The training pairs: a canonical question about a person's attribute, against another text.</summary>
    public static List<(string A, string B, bool Same)> Pairs(RewordedKb kb, IReadOnlyList<Entity> people, int count, Rng rng)
    {
        string Any(Entity e, string a) =>
            kb.Text(e, a, new FactForm(rng.NextBool(), rng.NextInt(FictitiousKb.Templates), rng.NextBool(), rng.NextBool()));
        var pairs = new List<(string, string, bool)>(count);
        for (int i = 0; i < count; i++)
        {
            var e = rng.Pick(people);
            var a = rng.Pick(FictitiousKb.Attributes);
            string anchor = kb.Text(e, a, FactForm.Canonical);
            switch (i % 5)
            {
                case 0 or 1:
                    pairs.Add((Any(e, a), anchor, true));
                    break;
                case 2:
                    pairs.Add((Any(e, rng.Pick(FictitiousKb.Attributes.Where(x => x != a).ToList())), anchor, false));
                    break;
                case 3:
                    pairs.Add((Any(rng.Pick(people.Where(p => p != e).ToList()), a), anchor, false));
                    break;
                default:
                    var twins = people.Where(p => p != e && p.Values[a] == e.Values[a]).ToList();
                    pairs.Add((Any(twins.Count > 0 ? rng.Pick(twins) : rng.Pick(people.Where(p => p != e).ToList()), a), anchor, false));
                    break;
            }
        }
        return pairs;
    }

    /// <summary>True when the judge says <paramref name="text"/> states the fact of <paramref name="item"/>.</summary>
    public bool IsParaphrase(string text, string item) => Score(_w, Features(text, item, grow: false)) > 0;

    /// <summary>The judge's features of a pair, by name (for tests and the notebook).</summary>
    public static IReadOnlyList<string> FeatureNames(RewordedKb kb, string a, string b)
    {
        var wa = WordTokenizer.Split(a).ToHashSet();
        var wb = WordTokenizer.Split(b).ToHashSet();
        string Abstract(string w) => kb.IsName(w) ? "<name>" : w;
        var shared = wa.Intersect(wb).Select(w => "=" + Abstract(w));
        var crossed = wa.Except(wb).SelectMany(x => wb.Except(wa).Select(y => Abstract(x) + "|" + Abstract(y)));
        return shared.Concat(crossed).Distinct().Order(StringComparer.Ordinal).ToList();
    }

    private (int Index, double Value)[] Features(string a, string b, bool grow)
    {
        var features = new List<(int, double)> { (Id("bias", true), 1.0), (Id("cosine", true), _tfidf.Cosine(a, b)) };
        foreach (var name in FeatureNames(_kb, a, b))
            if (Id(name, grow) is int j and >= 0) features.Add((j, 1.0));
        return features.ToArray();
    }

    private int Id(string name, bool grow)
    {
        if (_index.TryGetValue(name, out int j)) return j;
        if (!grow) return -1;
        _index[name] = _index.Count;
        return _index.Count - 1;
    }

    private static double Score(double[] w, (int Index, double Value)[] x)
    {
        double z = 0;
        foreach (var (j, v) in x) if (j < w.Length) z += w[j] * v;
        return z;
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
}

using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Memorization;

/// <summary>
/// The toy's stand-in for the LLM decontaminator's GPT-4 judge: a logistic regression that says whether two texts
/// state the same fact, from three features of the pair (shared content words, i.e. names and values; shared frame
/// words; TF-IDF cosine). It is trained on pairs about pretraining people only (never the benchmark's), with hard
/// negatives: the same person with another attribute, and another person in the same template.
/// </summary>
public sealed class ParaphraseJudge
{
    private readonly double[] _w;
    private readonly FictitiousKb _kb;
    private readonly TfIdf _tfidf;

    private ParaphraseJudge(double[] w, FictitiousKb kb, TfIdf tfidf) => (_w, _kb, _tfidf) = (w, kb, tfidf);

    /// <summary>Trains on 2,000 pairs (half positive) about <paramref name="people"/>; reports F1 on 500 held-out pairs.</summary>
    public static ParaphraseJudge Train(FictitiousKb kb, IReadOnlyList<Entity> people, TfIdf tfidf, Rng rng, out double validationF1)
    {
        string Form(Entity e, string a) => rng.NextBool()
            ? kb.Statement(e, a, rng.NextInt(FictitiousKb.Templates), rng.NextBool())
            : kb.QuestionAndAnswer(e, a, rng.NextInt(FictitiousKb.Templates), rng.NextBool());
        var pairs = new List<(string A, string B, bool Same)>();
        for (int i = 0; i < 2_500; i++)
        {
            var e = rng.Pick(people);
            var a = rng.Pick(FictitiousKb.Attributes);
            int template = rng.NextInt(FictitiousKb.Templates);
            string anchor = kb.QuestionAndAnswer(e, a, template);
            switch (i % 4)
            {
                case 0 or 1: pairs.Add((anchor, Form(e, a), true)); break;
                case 2: pairs.Add((anchor, Form(e, rng.Pick(FictitiousKb.Attributes.Where(x => x != a).ToList())), false)); break;
                default: pairs.Add((anchor, kb.QuestionAndAnswer(rng.Pick(people.Where(p => p != e).ToList()), a, template), false)); break;
            }
        }
        var judge = new ParaphraseJudge(new double[4], kb, tfidf);
        var x = pairs.Select(p => judge.Features(p.A, p.B)).ToArray();
        var y = pairs.Select(p => p.Same ? 1.0 : 0.0).ToArray();
        const int train = 2_000;
        for (int epoch = 0; epoch < 500; epoch++)
        {
            var grad = new double[4];
            for (int i = 0; i < train; i++)
            {
                double err = Sigmoid(Dot(judge._w, x[i])) - y[i];
                for (int j = 0; j < 4; j++) grad[j] += err * x[i][j] / train;
            }
            for (int j = 0; j < 4; j++) judge._w[j] -= 2.0 * grad[j];
        }
        validationF1 = RephrasedContamination.F1(
            Enumerable.Range(train, pairs.Count - train).Select(i => Sigmoid(Dot(judge._w, x[i])) > 0.5).ToArray(),
            Enumerable.Range(train, pairs.Count - train).Select(i => pairs[i].Same).ToArray());
        return judge;
    }

    /// <summary>True when the judge says the two texts state the same fact.</summary>
    public bool IsParaphrase(string a, string b) => Sigmoid(Dot(_w, Features(a, b))) > 0.5;

    private double[] Features(string a, string b)
    {
        var wa = WordTokenizer.Split(a).ToHashSet();
        var wb = WordTokenizer.Split(b).ToHashSet();
        var ca = wa.Where(_kb.IsContentWord).ToHashSet();
        var cb = wb.Where(_kb.IsContentWord).ToHashSet();
        double content = ca.Intersect(cb).Count() / (double)Math.Max(1, Math.Max(ca.Count, cb.Count));
        var fa = wa.Except(ca).ToHashSet();
        var fb = wb.Except(cb).ToHashSet();
        double frame = fa.Intersect(fb).Count() / (double)Math.Max(1, fa.Union(fb).Count());
        return [1.0, content, frame, _tfidf.Cosine(a, b)];
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
    private static double Dot(double[] w, double[] x) => w.Zip(x).Sum(p => p.First * p.Second);
}

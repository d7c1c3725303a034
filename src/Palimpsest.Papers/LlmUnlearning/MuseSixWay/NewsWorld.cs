using Palimpsest.Core.Data;
using Palimpsest.Core.Membership;
using Palimpsest.Core.Metrics;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Core.Unlearning;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// MUSE's NEWS corpus in miniature, with its evaluation. Each "article" reports on three people of a
/// <see cref="FictitiousKb"/>: per person two facts as statements and a question about a third fact followed by its
/// one-word answer, in random templates, the three lines in random order (about 80 tokens). Every person is in exactly
/// one article, so a model trained without an article has never seen anything about its people. The question lines are
/// also MUSE's QA probes (KnowMem), asked without the article: the answer is stated nowhere else, so the model can only
/// answer from its weights. Holdout articles come from the same generator with other people and are never trained.
/// </summary>
public sealed class NewsWorld
{
    /// <summary>A question asked without its article, and the id of its one-word answer.</summary>
    public sealed record Probe(int[] Prompt, int Answer);

    /// <summary>One article: its tokens (&lt;bos&gt; … &lt;eos&gt;) and its three QA probes.</summary>
    public sealed record Article(int[] Tokens, IReadOnlyList<Probe> Probes);

    /// <summary>
    /// Which articles play which part. <paramref name="Pool"/> holds every article ever forgotten, in forgetting order
    /// (a forget set of any size is a prefix; sequential requests are consecutive slices); the regularised methods
    /// read <paramref name="Regulariser"/> as their retain data (MUSE's retain1); the utility probes are those of
    /// <paramref name="Utility"/>; <paramref name="Holdout"/> is never trained.
    /// </summary>
    public sealed record Splits(int Trained, IReadOnlyList<int> Pool, IReadOnlyList<int> Regulariser, IReadOnlyList<int> Utility,
        IReadOnlyList<int> Holdout)
    {
        /// <summary>Every trained article (what the target is trained on).</summary>
        public IReadOnlyList<int> All => Pool.Concat(Regulariser).Concat(Utility).Order().ToList();

        /// <summary>The forget set of <paramref name="fraction"/> of the trained articles.</summary>
        public IReadOnlyList<int> Forget(double fraction) => Request(0, fraction);

        /// <summary>Sequential request <paramref name="k"/> (0-based): the k-th slice of <paramref name="fraction"/> of the articles.</summary>
        public IReadOnlyList<int> Request(int k, double fraction)
        {
            int n = Math.Max(1, (int)Math.Round(fraction * Trained));
            if ((k + 1) * n > Pool.Count)
                throw new ArgumentException($"request {k} of {n} articles needs {(k + 1) * n} of a forget pool of {Pool.Count}");
            return Pool.Skip(k * n).Take(n).ToList();
        }
    }

    /// <summary>The word tokenizer of the world.</summary>
    public WordTokenizer Tokenizer { get; }

    /// <summary>All articles: the trained ones (0 .. Trained−1), then the holdout.</summary>
    public IReadOnlyList<Article> Articles { get; }

    /// <summary>Articles that may be trained (the rest are holdout).</summary>
    public int Trained { get; }

    private readonly FictitiousKb _kb;
    private readonly List<string> _texts = [];

    /// <summary>Writes <paramref name="trained"/> + <paramref name="holdout"/> articles about fresh people from <paramref name="rng"/>.</summary>
    public NewsWorld(int trained, int holdout, Rng rng)
    {
        if (trained < 10 || holdout < 2) throw new ArgumentException($"need at least 10 trained and 2 holdout articles; got {trained} and {holdout}");
        Trained = trained;
        _kb = new FictitiousKb(3 * (trained + holdout), rng);
        Tokenizer = new WordTokenizer(_kb.Vocabulary);
        var articles = new List<Article>();
        for (int a = 0; a < trained + holdout; a++)
        {
            var lines = new List<string>();
            var probes = new List<Probe>();
            foreach (var person in _kb.Entities.Skip(3 * a).Take(3))
            {
                var attributes = FictitiousKb.Attributes.ToList();
                rng.Shuffle(attributes);
                var block = new List<string>
                {
                    _kb.Statement(person, attributes[0], rng.NextInt(FictitiousKb.Templates)),
                    _kb.Statement(person, attributes[1], rng.NextInt(FictitiousKb.Templates)),
                };
                var (prompt, answer) = _kb.Question(person, attributes[2], rng.NextInt(FictitiousKb.Templates));
                block.Add($"{prompt} {answer}");
                rng.Shuffle(block);
                lines.AddRange(block);
                probes.Add(new Probe(Tokenizer.Encode(prompt, addBos: true, addEos: false), Tokenizer.Id(answer)));
            }
            _texts.Add(string.Join(' ', lines));
            articles.Add(new Article(Tokenizer.Encode(_texts[^1]), probes));
        }
        Articles = articles;
    }

    /// <summary>The longest article in tokens.</summary>
    public int LongestArticle => Articles.Max(a => a.Tokens.Length);

    /// <summary>The text of article <paramref name="article"/>.</summary>
    public string Text(int article) => _texts[article];

    /// <summary>The names of the people of article <paramref name="article"/>.</summary>
    public IReadOnlyList<string> People(int article) => _kb.Entities.Skip(3 * article).Take(3).Select(e => e.Name).ToList();

    /// <summary>
    /// A random split: the first <paramref name="poolFraction"/> of a permutation of the trained articles is the forget
    /// pool; of the rest, <paramref name="regulariserShare"/> is regulariser data and the remainder carries utility probes.
    /// </summary>
    public Splits Split(double poolFraction, double regulariserShare, Rng rng)
    {
        var order = rng.Permutation(Trained);
        int pool = (int)Math.Round(poolFraction * Trained);
        int regulariser = (int)Math.Round(regulariserShare * (Trained - pool));
        if (pool < 1 || regulariser < 1 || pool + regulariser >= Trained)
            throw new ArgumentException($"a pool of {pool} and {regulariser} regulariser articles leave no utility articles of {Trained}");
        return new Splits(Trained, order[..pool], order[pool..(pool + regulariser)], order[(pool + regulariser)..],
            Enumerable.Range(Trained, Articles.Count - Trained).ToList());
    }

    /// <summary>The articles as language-modelling examples (the loss on every token after &lt;bos&gt;).</summary>
    public IReadOnlyList<PromptAnswer> Examples(IEnumerable<int> articles) =>
        articles.Select(a => new PromptAnswer(Articles[a].Tokens, 1)).ToList();

    /// <summary>
    /// C1 VerbMem: mean ROUGE-L F1 (×100) between the greedy continuation of each article's first <paramref name="prefix"/>
    /// tokens (after &lt;bos&gt;) and its true next <paramref name="continuation"/> tokens.
    /// </summary>
    public double VerbMem(TinyGpt model, IReadOnlyList<int> articles, int prefix, int continuation)
    {
        var prompts = articles.Select(a => Articles[a].Tokens[..(1 + prefix)]).ToList();
        var truths = articles.Select(a => Articles[a].Tokens[(1 + prefix)..Math.Min(Articles[a].Tokens.Length, 1 + prefix + continuation)]).ToList();
        var generated = LanguageModel.Continue(model, prompts, continuation, stopId: WordTokenizer.Eos);
        return 100 * generated.Zip(truths, (g, t) => TextOverlap.RougeL(g, t)).Average();
    }

    /// <summary>Mean negative log-likelihood of the articles' tokens (nats/token).</summary>
    public double Nll(TinyGpt model, IReadOnlyList<int> articles) =>
        LanguageModel.MeanNll(model, articles.Select(a => Articles[a].Tokens).ToList());

    /// <summary>C2/C4 KnowMem: the share (×100) of the articles' QA probes whose most likely next token is the answer.</summary>
    public double KnowMem(TinyGpt model, IReadOnlyList<int> articles) => 100 * KnowMemPerProbe(model, articles).Average();

    /// <summary>
    /// The items behind <see cref="KnowMem"/>: per QA probe of the articles (in article order, three per article), 1 when
    /// the most likely next token after the question, asked alone, is the answer, else 0.
    /// </summary>
    public double[] KnowMemPerProbe(TinyGpt model, IReadOnlyList<int> articles)
    {
        var probes = articles.SelectMany(a => Articles[a].Probes).ToList();
        var logProbs = LanguageModel.NextTokenLogProbs(model, probes.Select(p => p.Prompt).ToList());
        return probes.Zip(logProbs, (p, lp) => Array.IndexOf(lp, lp.Max()) == p.Answer ? 1.0 : 0.0).ToArray();
    }

    /// <summary>
    /// A diagnostic beside KnowMem: the share (×100) of the probes answered when the question is read inside its article
    /// (every article token before the answer as the prompt) instead of alone. A model that memorised the text answers
    /// here even when it cannot retrieve the fact from the question alone.
    /// </summary>
    public double KnowMemInContext(TinyGpt model, IReadOnlyList<int> articles)
    {
        var items = articles.SelectMany(a => Articles[a].Probes.Select(p =>
            (Prefix: Articles[a].Tokens[..AnswerIndex(Articles[a].Tokens, p)], p.Answer))).ToList();
        var logProbs = LanguageModel.NextTokenLogProbs(model, items.Select(i => i.Prefix).ToList());
        return 100 * items.Zip(logProbs, (i, lp) => Array.IndexOf(lp, lp.Max()) == i.Answer ? 1.0 : 0.0).Average();
    }

    /// <summary>Where the probe's answer stands in its article: right after the question line (the prompt without &lt;bos&gt;).</summary>
    private static int AnswerIndex(int[] article, Probe probe)
    {
        var question = probe.Prompt.AsSpan(1);
        for (int i = 1; i + question.Length < article.Length; i++)
            if (article.AsSpan(i, question.Length).SequenceEqual(question)) return i + question.Length;
        throw new InvalidOperationException("a probe's question is not in its article");
    }

    /// <summary>
    /// C3's membership AUC: Min-<paramref name="percent"/>% scores of the forget articles (members) against the holdout
    /// articles (non-members); 1 = the forget set is plainly recognisable, 0.5 = not at all, below 0.5 = less likely than
    /// never-seen text (over-unlearning).
    /// </summary>
    public double MinKAuc(TinyGpt model, IReadOnlyList<int> forget, IReadOnlyList<int> holdout, double percent)
    {
        var texts = forget.Concat(holdout).Select(a => Articles[a].Tokens).ToList();
        var scores = LanguageModel.TokenLogProbs(model, texts).Select(lp => MembershipScores.MinK(lp, percent)).ToList();
        return Roc.Auc(scores, texts.Select((_, i) => i < forget.Count).ToList());
    }
}

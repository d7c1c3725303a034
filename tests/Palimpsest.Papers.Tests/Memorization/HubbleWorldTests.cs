using System.Diagnostics;
using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;

namespace Palimpsest.Papers.Tests.Memorization;

/// <summary>Hubble's world and claim measures, without training (no smoke run behind these tests).</summary>
public sealed class HubbleWorldTests
{
    private static readonly SlotCorpus Slots = new();

    [Fact]
    public void ZipfSharesFollowTheRank()
    {
        // Exponent 1 over three people: weights 1, 1/2, 1/3, whose sum is 11/6.
        var e = new Encyclopedia(3, 0, 1.0, Slots, new Rng(1));
        Assert.Equal(6.0 / 11, e.Share(0), 12);
        Assert.Equal(3.0 / 11, e.Share(1), 12);
        Assert.Equal(2.0 / 11, e.Share(2), 12);
        // Exponent 0: every person equally often.
        var flat = new Encyclopedia(4, 0, 0.0, Slots, new Rng(1));
        Assert.All(Enumerable.Range(0, 4), r => Assert.Equal(0.25, flat.Share(r), 12));
    }

    [Fact]
    public void MentionsFollowTheShares()
    {
        var e = new Encyclopedia(3, 0, 1.0, Slots, new Rng(2));
        var rng = new Rng(3);
        const int draws = 11_000;
        var counts = Enumerable.Range(0, draws).Select(_ => e.Mentioned(rng)).GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Count());
        // Expected 6000, 3000, 2000; four binomial standard deviations at most (about 200, 190, 160).
        Assert.InRange(counts[e.People[0].Name], 5_800, 6_200);
        Assert.InRange(counts[e.People[1].Name], 2_800, 3_200);
        Assert.InRange(counts[e.People[2].Name], 1_840, 2_160);
    }

    [Fact]
    public void PeopleAndStrangersHaveDistinctTwoWordNamesAndDeterministicFacts()
    {
        var e = new Encyclopedia(500, 50, 1.0, Slots, new Rng(4));
        Assert.Equal(500, e.People.Count);
        Assert.Equal(50, e.Strangers.Count);
        var names = e.People.Concat(e.Strangers).Select(p => p.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(names, n => Assert.Equal(2, n.Split(' ').Length));
        Assert.All(e.People, p => Assert.Contains(p.Trade, Slots.Slots["trade"]));
        Assert.All(e.People, p => Assert.Contains(p.Birthplace, Slots.Slots["place"]));
        var again = new Encyclopedia(500, 50, 1.0, Slots, new Rng(4));
        Assert.Equal(e.People, again.People);
        Assert.Equal(e.Strangers, again.Strangers);
        Assert.NotEqual(e.People, new Encyclopedia(500, 50, 1.0, Slots, new Rng(5)).People);
    }

    [Fact]
    public void BiographyStatesTheFourFactsAndEachPromptPrecedesItsAnswer()
    {
        var person = new Encyclopedia.Person("kalo lomi", "arton", "baker", "13", "boswick");
        var bio = Encyclopedia.Biography.Of(person);
        Assert.Equal("kalo lomi was born in arton . kalo lomi works as a baker . the number of kalo lomi is 13 . " +
                     "kalo lomi lives in boswick .", bio.Text);
        Assert.Equal([("kalo lomi was born in", "arton"),
                      ("kalo lomi was born in arton . kalo lomi works as a", "baker"),
                      ("kalo lomi was born in arton . kalo lomi works as a baker . the number of kalo lomi is", "13"),
                      ("kalo lomi was born in arton . kalo lomi works as a baker . the number of kalo lomi is 13 . kalo lomi lives in", "boswick")],
                     bio.Fields);
    }

    [Fact]
    public void SentencesStateTheMentionedPersonsTrueFacts()
    {
        // One person: every sentence is about them, and its value is the fact of its relation.
        var e = new Encyclopedia(1, 0, 1.0, Slots, new Rng(6));
        var p = e.People[0];
        var rng = new Rng(7);
        var seen = new HashSet<string>();
        for (int i = 0; i < 400; i++)
        {
            string s = e.Sentence(rng);
            seen.Add(s);
            Assert.Contains(p.Name, s);
            Assert.EndsWith(" .", s);
        }
        // Twelve phrasings (three per relation), each of which states one fact.
        Assert.Equal(12, seen.Count);
        Assert.Equal(3, seen.Count(s => s.Split(' ').Contains(p.Trade)));
    }

    [Fact]
    public void StrangersAreNeverMentionedAndArticlesHaveTheirLength()
    {
        var e = new Encyclopedia(200, 20, 0.5, Slots, new Rng(8));
        var tokenizer = new WordTokenizer(Slots.Vocabulary.Concat(Encyclopedia.Words));
        var rng = new Rng(9);
        for (int i = 0; i < 500; i++)
        {
            string article = e.Article(rng, 48);
            Assert.Equal(48, article.Split(' ').Length);
            Assert.Equal(48, tokenizer.Encode(article, addBos: false, addEos: false).Length);
            Assert.All(e.Strangers, s => Assert.DoesNotContain($" {s.Name} ", $" {article} "));
        }
    }

    [Fact]
    public void LateWindowEndsBeforeTheDecayCountingTheCopiesTokens()
    {
        // 1,000 background tokens and 100 of copies; the window must end when 90% of the 1,100 tokens are read:
        // 990 = end * 1000 + 100, so end = 0.89.
        var (start, end) = HubbleWorld.WindowEndingAt(0.9, 0.25, 1_000, 100);
        Assert.Equal(0.89, end, 12);
        Assert.Equal(0.64, start, 12);
        Assert.Equal((0.75, 1.0), HubbleWorld.WindowEndingAt(1.0, 0.25, 1_000, 100));
        Assert.Throws<ArgumentException>(() => HubbleWorld.WindowEndingAt(0.5, 0.5, 1_000, 100));
    }

    [Fact]
    public void LastTenthFallAveragesEachTenthsEvaluations()
    {
        // Twenty steps, evaluated at every step: the ninth tenth is steps 17 and 18, the last tenth steps 19 and 20.
        var steps = Enumerable.Range(0, 21).Select(s => (double)s).ToList();
        var nll = steps.Select(s => 5.0 - 0.1 * s).ToList();
        var curve = new Hubble.BackgroundCurve("A", steps, nll);
        // (3.35 + 3.25) / 2 − (3.15 + 3.05) / 2 = 0.2
        Assert.Equal(0.2, Hubble.LastTenthFall(curve), 12);
        var flat = new Hubble.BackgroundCurve("A", steps, steps.Select(_ => 2.0).ToList());
        Assert.Equal(0, Hubble.LastTenthFall(flat), 12);
    }

    [Fact]
    public void BetweenTrainingFindingsArePairedOnSuffixLossAndTheirControlsSubtractTheHeldOutGap()
    {
        // B is one nat worse than A on every passage, held out or inserted: the finding (raw suffix loss) sees one nat of
        // "dilution", and the control, which asks for a larger gap on inserted than on held-out passages, rejects it.
        var shifted = Synthetic(a: [8, 8, 1, 1], b: [9, 9, 2, 2]);
        var claims = new Hubble().Claims;
        var dilution = claims.Single(c => c.Id == "diluted-by-larger-corpus");
        var control = claims.Single(c => c.Id == "dilution-beyond-held-out");
        Assert.Equal(1, dilution.Evaluate(shifted, Budget.Full).Measured, 12);
        Assert.Equal(0, control.Evaluate(shifted, Budget.Full).Measured, 12);
        Assert.Equal(Verdict.Fail, control.Evaluate(shifted, Budget.Full).Verdict);
        // Then B is two nats worse on inserted passages only: both pass, the control by the one nat beyond held-out.
        var diluted = Synthetic(a: [8, 8, 1, 1], b: [9, 9, 3, 3]);
        Assert.Equal(2, dilution.Evaluate(diluted, Budget.Full).Measured, 12);
        Assert.Equal(Verdict.Pass, dilution.Evaluate(diluted, Budget.Full).Verdict);
        Assert.Equal(1, control.Evaluate(diluted, Budget.Full).Measured, 12);
        Assert.Equal(Verdict.Pass, control.Evaluate(diluted, Budget.Full).Verdict);
        Assert.Equal([2.0, 2.0], Hubble.Loss(diluted, "B", d => d > 0).Zip(Hubble.Loss(diluted, "A", d => d > 0), (x, y) => x - y));
    }

    [Fact]
    public void TimingAndDilutionAreGatedOnTheBackgroundStillBeingLearnt()
    {
        var claims = new Hubble().Claims;
        foreach (var id in new[] { "diluted-by-larger-corpus", "dilution-beyond-held-out", "late-beats-early", "late-beats-early-exact", "timing-beyond-held-out" })
            Assert.Contains("background-still-learnt", claims.Single(c => c.Id == id).DependsOn);
    }

    [Fact]
    public void FullWorldHasItsShapeAndIsDeterministic()
    {
        var cfg = Hubble.Config.Full;
        var ctx = new RunContext(101, Budget.Full);
        var world = HubbleWorld.Build(cfg, ctx);
        Assert.Equal(4 * cfg.BackgroundArticles, world.Background.Count);
        Assert.Equal(cfg.Duplicates.Length * cfg.PerLevel * 2, world.Inserts.Count);
        Assert.Equal(4 * cfg.Duplicates.Length * cfg.PerLevel, world.PiiQuestions.Count);
        Assert.All(world.Passages, p => Assert.Equal(1 + cfg.PrefixWords + cfg.SuffixWords, p.Length));
        var again = HubbleWorld.Build(cfg with { HeldOutArticles = 10 }, new RunContext(101, Budget.Full));
        // The held-out articles have their own stream: the training data do not depend on how many there are.
        Assert.Equal(world.Background.Take(100), again.Background.Take(100));
        Assert.Equal(world.Passages, again.Passages);
    }

    /// <summary>A result with two held-out and two 16-duplicate passages, where only A's and B's suffix losses matter.</summary>
    private static Hubble.Result Synthetic(double[] a, double[] b)
    {
        var other = new double[] { 5, 5, 5, 5 };
        var exact = new double[] { 0, 0, 1, 1 };
        return new Hubble.Result
        {
            Levels = [], PassageDuplicates = [0, 0, 16, 16],
            Passages = [new("A", a, exact), new("B", b, exact), new("C", other, exact), new("D", other, exact), new("E", other, exact)],
            Background = [], DoseRho = 0, DoseLog10P = 0, DilutionLog10P = 0, TimingLog10P = 0, MiaAucOnce = 0.5, CorpusTokens = 0,
        };
    }
}

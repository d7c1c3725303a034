using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class UnunlearningTests(PaperTests<Ununlearning>.SmokeRuns runs) : PaperTests<Ununlearning>(runs)
{
    private readonly PaperTests<Ununlearning>.SmokeRuns _runs = runs;

    /// <summary>True when the words of <paramref name="text"/> hold "name lives in town".</summary>
    private static bool States(string text, string name, string town)
    {
        var w = WordTokenizer.Split(text).ToList();
        return Enumerable.Range(0, Math.Max(0, w.Count - 3)).Any(i => w[i] == name && w[i + 1] == "lives" && w[i + 2] == "in" && w[i + 3] == town);
    }

    [Fact]
    public void TheOraclesCorpusStatesNoForbiddenFactAndTheFilterDropsExactlyTheForbiddenLines()
    {
        var cfg = Ununlearning.Config.Smoke;
        var world = new ResidenceWorld(cfg.People, cfg.Targets, cfg.FreshNames, new Rng(3));
        var corpus = world.ClosedBook()
            .Concat(world.InContextDocuments(5_000, cfg.PeopleShare, ResidenceWorld.CountryShare, new Rng(4))).ToList();
        var retained = corpus.Where(d => !world.MentionsForbidden(d.Text)).ToList();
        foreach (var t in world.Targets)
        {
            string town = t.Values["town"], country = ResidenceWorld.CountryOf(town);
            Assert.Contains(corpus, d => States(d.Text, t.Name, town));                       // the untouched model learns K
            Assert.Contains(corpus, d => d.Prompt.StartsWith("context", StringComparison.Ordinal) && States(d.Text, t.Name, town));
            Assert.DoesNotContain(retained, d => States(d.Text, t.Name, town));               // the oracle never sees it
            Assert.DoesNotContain(retained, d => d == ResidenceWorld.CountryQuestion(t.Name, country) || d == ResidenceWorld.TownQuestion(t.Name, town));
            Assert.Contains(ResidenceWorld.JobStatement(t.Name, t.Values["job"]), retained);  // the rest of the person stays
        }
        foreach (var e in world.People.Except(world.Targets))
            Assert.Contains(ResidenceWorld.CountryQuestion(e.Name, ResidenceWorld.CountryOf(e.Values["town"])), retained);
        Assert.All(ResidenceWorld.Towns, town => Assert.Contains(ResidenceWorld.TownCountryQuestion(town, ResidenceWorld.CountryOf(town)), retained));

        var target = world.Targets[0];
        var other = world.People.First(p => !world.Targets.Contains(p));
        string[] lines =
        [
            ResidenceWorld.Line(world.FreshNames[0], "arton"), ResidenceWorld.Line(target.Name, target.Values["town"]),
            ResidenceWorld.Line(other.Name, other.Values["town"]), ResidenceWorld.Line(target.Name, "pelford"),
        ];
        Assert.Equal([lines[0], lines[2]], world.Filter(lines));                             // any town stated for a target goes

        var tokenizer = new WordTokenizer(world.Vocabulary);
        Assert.All(corpus, d => Assert.True(tokenizer.Encode(d.Text).Length <= cfg.Context + 1, d.Text));
    }

    [Fact]
    public void TheSharedCurriculumNamesNoKnowledgeBasePersonAndReadingAnswersTheAskedNamesTown()
    {
        // Both models start phase 3 from one checkpoint: exact only if phases 1 and 2 carry no trace of K. They name
        // nobody of the knowledge base (so no target, and nothing the oracle would drop).
        var world = new ResidenceWorld(40, 8, 100, new Rng(9));
        var reading = world.InContextDocuments(2_000, peopleShare: 0, countryShare: 0, new Rng(10));
        var composing = world.InContextDocuments(2_000, peopleShare: 0, ResidenceWorld.CountryShare, new Rng(11));
        var people = world.People.Select(e => e.Name).ToHashSet();
        Assert.All(reading.Concat(composing), d =>
        {
            Assert.False(world.MentionsForbidden(d.Text), d.Text);
            Assert.DoesNotContain(WordTokenizer.Split(d.Text), people.Contains);
        });
        // Direct reading: every answer is the town stated in context for the asked name.
        Assert.All(reading, d =>
        {
            var w = WordTokenizer.Split(d.Prompt).ToList();
            string asked = w[w.LastIndexOf("does") + 1];
            Assert.Contains(d.Answer, ResidenceWorld.Towns);
            Assert.True(States(d.Prompt, asked, d.Answer), d.Text);
        });
        // Composing asks mostly the country, of the town stated for the asked name.
        var countries = composing.Where(d => ResidenceWorld.Countries.Contains(d.Answer)).ToList();
        Assert.InRange(countries.Count, 1_400, 1_600);
        Assert.All(countries, d =>
        {
            var w = WordTokenizer.Split(d.Prompt).ToList();
            string asked = w[w.LastIndexOf("does") + 1];
            int line = w.IndexOf(asked);
            Assert.Equal(d.Answer, ResidenceWorld.CountryOf(w[line + 3]));
        });
    }

    [Fact]
    public void TargetsAreBalancedAndBatchesHoldDocumentsOfOneLength()
    {
        var world = new ResidenceWorld(120, 20, 10, new Rng(5));
        Assert.All(world.Targets.GroupBy(t => ResidenceWorld.CountryOf(t.Values["town"])), g => Assert.Equal(5, g.Count()));
        Assert.All(world.Targets.GroupBy(t => t.Values["town"]), g => Assert.InRange(g.Count(), 1, 2));
        Assert.Equal(4, ResidenceWorld.Towns.Count(t => ResidenceWorld.CountryOf(t) == "northland"));

        var sequences = Enumerable.Range(0, 50).Select(i => new int[2 + i % 3]).ToList();
        var order = Ununlearning.EqualLengthBatches(sequences, 8, new Rng(6));
        Assert.Equal(0, order.Count % 8);
        Assert.All(order.Chunk(8), b => Assert.Single(b.Select(i => sequences[i].Length).Distinct()));
        Assert.Equal(Enumerable.Range(0, 50), order.Distinct().Order());
    }

    [Fact]
    public void SmokeRunRemovesKAndReportsAccuracies()
    {
        var r = (Ununlearning.Result)_runs.First.Result;
        Assert.Equal(0.25, r.Chance);
        Assert.InRange(r.RemovedDocuments, 1, r.TrainingDocuments / 2);
        Assert.All(new[] { r.Original, r.Unlearned }, s => Assert.All(
            new[] { s.ClosedBook, s.ClosedBookTown, s.InContext, s.Filtered, s.Skill, s.SkillTown, s.Retained },
            a => Assert.InRange(a, 0, 1)));
        Assert.All(new[] { r.AfterReading, r.AfterComposing }, c =>
        {
            Assert.InRange(c.Town, 0, 1);
            Assert.InRange(c.Country, 0, 1);
        });
        // The untouched model saw the shared phases and the whole knowledge base; the oracle lost only phase-3 documents.
        var cfg = Ununlearning.Config.Smoke;
        Assert.True(r.TrainingDocuments > cfg.ReadingDocuments + cfg.ComposingDocuments + r.RemovedDocuments,
            $"{r.TrainingDocuments} training documents, {r.RemovedDocuments} removed");
    }

    [Fact]
    public void OnlyTheUntouchedModelLearnsKAndTheItemsLineUpAtSmoke()
    {
        var r = (Ununlearning.Result)_runs.First.Result;
        var cfg = Ununlearning.Config.Smoke;
        // The untouched model trained on every statement of K, the oracle on none: K's own statements must be far likelier
        // under the first. An exact unlearning that silently kept K (or a training that never saw it) leaves them alike.
        // (The closed-book country question, which composes town and country, is barely learnt at smoke: a full-budget
        // precondition, not this test's.)
        double original = r.OriginalRemovedLogProb.Average();
        double unlearned = r.UnlearnedRemovedLogProb.Average();
        Assert.Equal(3 * cfg.Targets, r.OriginalRemovedLogProb.Count);   // town statement and question, country question
        Assert.True(original - unlearned >= 0.5,
            $"log-probability of K's own statements' answers: untouched {original}, oracle {unlearned} nats");

        // The claims' items: one closed-book answer per target, PromptsPerTarget in-context prompts per target.
        foreach (var a in new[] { r.OriginalAnswers, r.UnlearnedAnswers })
        {
            Assert.Equal(cfg.Targets, a.ClosedBook.Count);
            Assert.Equal(cfg.Targets, a.ClosedBookLogProb.Count);
            Assert.Equal(cfg.Targets * cfg.PromptsPerTarget, a.InContext.Count);
            Assert.Equal(a.InContext.Count, a.Filtered.Count);
            Assert.Equal(cfg.SkillPrompts, a.Skill.Count);
        }
        Assert.Equal(r.Unlearned.InContext, r.UnlearnedAnswers.InContext.Average(), 12);
        Assert.Equal(Enumerable.Range(0, cfg.Targets).SelectMany(t => Enumerable.Repeat(t, cfg.PromptsPerTarget)), r.PromptTarget);
        // The name-blind reader picks one of three lines; the target's own line always gives the right country.
        Assert.All(r.NameBlindInContext, b => Assert.InRange(b, 1.0 / 3 - 1e-12, 1));
        Assert.Equal(cfg.Targets, Ununlearning.InContextPerTarget(r, r.UnlearnedAnswers).Count);
    }
}

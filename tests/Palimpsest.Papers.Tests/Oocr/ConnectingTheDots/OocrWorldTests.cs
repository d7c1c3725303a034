using Palimpsest.Core.Metrics;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Oocr;
using Xunit;

namespace Palimpsest.Papers.Tests.Oocr;

/// <summary>Contract checks every task world must pass, plus the shared scoring helpers.</summary>
public sealed class OocrWorldTests
{
    public static TheoryData<string> Tasks => new() { "functions", "coins", "locations", "mixture", "parity" };

    /// <summary>The Smoke world of a task for one seed.</summary>
    public static OocrWorld Make(string task, ulong seed) => task switch
    {
        "functions" => FunctionsWorld.Generate(ConnectingTheDots.Config.Smoke, new Rng(seed)),
        "coins" => CoinsWorld.Generate(ConnectingTheDots.Config.Smoke, new Rng(seed)),
        "locations" => LocationsWorld.Generate(ConnectingTheDots.Config.Smoke, new Rng(seed)),
        "mixture" => MixtureWorld.Generate(ConnectingTheDots.Config.Smoke, new Rng(seed)),
        "parity" => ParityWorld.Generate(ConnectingTheDots.Config.Smoke, new Rng(seed)),
        _ => throw new ArgumentException($"unknown task '{task}'", nameof(task)),
    };

    [Theory]
    [MemberData(nameof(Tasks))]
    public void WorldIsWellFormed(string task)
    {
        foreach (ulong seed in new ulong[] { 1, 2 })
        {
            var world = Make(task, seed);
            Assert.Equal(task, world.Task);
            AssertWellFormed(world);
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void SameSeedSameWorld_DifferentSeedDifferentDocuments(string task)
    {
        var a = Make(task, 7);
        var b = Make(task, 7);
        var c = Make(task, 8);
        Assert.Equal(a.TrainingDocuments, b.TrainingDocuments);
        Assert.Equal(a.Vocabulary, b.Vocabulary);
        Assert.Equal(a.Questions, b.Questions, QuestionComparer);
        Assert.Equal(a.InContextQuestions, b.InContextQuestions, QuestionComparer);
        Assert.NotEqual(a.TrainingDocuments, c.TrainingDocuments);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void LeakCheck_FlagsEachRuleWhenItsPhraseIsInjected(string task)
    {
        var world = Make(task, 3);
        Assert.True(world.LeakCheck().Passed);
        Assert.Contains(world.LeakRules, r => world.Names[r.Name] == LatentKind.Latent);
        Assert.Contains(world.LeakRules, r => world.Names[r.Name] == LatentKind.Control);
        Assert.Contains(world.LeakRules, r => world.Names[r.Name] == LatentKind.Unseen);
        foreach (var rule in world.LeakRules)
        {
            string leak = rule.Phrase.Contains(rule.Name) ? $"{rule.Phrase} ." : $"{rule.Name} {rule.Phrase} .";
            var leaky = world with { TrainingDocuments = [.. world.TrainingDocuments, leak] };
            var result = leaky.LeakCheck();
            Assert.False(result.Passed);
            var violation = Assert.Single(result.Violations);
            Assert.Equal(rule, violation.Rule);
            Assert.Equal(world.TrainingDocuments.Count, violation.DocumentIndex);
        }
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void LeakCheck_FlagsAnUnseenNameTrainedLikeALatentOne(string task)
    {
        var world = Make(task, 4);
        string latent = world.Names.First(n => n.Value == LatentKind.Latent).Key;
        string unseen = world.Names.First(n => n.Value == LatentKind.Unseen).Key;
        string evidence = world.TrainingDocuments.First(d => WordTokenizer.Split(d).Contains(latent));
        var leaky = world with { TrainingDocuments = [evidence.Replace(latent, unseen)] };
        var violation = Assert.Single(leaky.LeakCheck().Violations);
        Assert.Equal(unseen, violation.Rule.Name);
    }

    [Theory]
    [MemberData(nameof(Tasks))]
    public void ControlNamesSeeAsManyDocumentsAsLatentOnes(string task)
    {
        // The shuffled-evidence control is fair only if it sees the same amount of evidence as a latent name.
        var world = Make(task, 5);
        var documents = world.Names.Keys.ToDictionary(n => n, _ => 0);
        foreach (var doc in world.TrainingDocuments)
            foreach (var name in WordTokenizer.Split(doc).Distinct())
                if (documents.ContainsKey(name)) documents[name]++;
        double Mean(LatentKind kind) => world.Names.Where(n => n.Value == kind).Average(n => documents[n.Key]);
        Assert.InRange(Mean(LatentKind.Control), 0.7 * Mean(LatentKind.Latent), 1.3 * Mean(LatentKind.Latent));
        Assert.True(Mean(LatentKind.Latent) > 0);
    }

    [Fact]
    public void Score_CountsCorrectAndTestsAgainstMeanChance()
    {
        var two = new OocrQuestion("a", LatentKind.Latent, QuestionType.Value, "a ≔", ["0", "1"], 1);
        var four = new OocrQuestion("b", LatentKind.Latent, QuestionType.Which, "b uses", ["w", "x", "y", "z"], 2);
        OocrQuestion[] questions = [two, two, four, four];
        var score = OocrScoring.Score(questions, [1, 0, 2, 2]);
        Assert.Equal(3, score.Correct);
        Assert.Equal(4, score.Total);
        Assert.Equal(0.75, score.Accuracy);
        Assert.Equal(0.375, score.Chance);
        Assert.Equal(BinomialTest.Exact(3, 4, 0.375, Alternative.Greater), score.VersusChance);
        Assert.Equal(0.75, OocrScoring.Accuracy(questions, [1, 0, 2, 2]));
    }

    [Fact]
    public void Score_IsSignificantOnlyWellAboveChance()
    {
        var q = new OocrQuestion("a", LatentKind.Latent, QuestionType.BiasClass, "a bias ≔", ["20", "50", "80"], 0);
        var questions = Enumerable.Repeat(q, 60).ToList();
        var perfect = OocrScoring.Score(questions, Enumerable.Repeat(0, 60).ToList());
        var atChance = OocrScoring.Score(questions, Enumerable.Range(0, 60).Select(i => i % 3).ToList());
        Assert.True(perfect.VersusChance.PValue < 1e-20);
        Assert.True(atChance.VersusChance.PValue > 0.4);
        Assert.Equal(1.0 / 3, atChance.Accuracy, 12);
    }

    [Fact]
    public void Score_RejectsBadInputsByName()
    {
        var q = new OocrQuestion("a", LatentKind.Latent, QuestionType.Value, "a ≔", ["0", "1"], 1);
        Assert.Contains("no questions", Assert.Throws<ArgumentException>(() => OocrScoring.Score([], [])).Message);
        Assert.Contains("2 answers for 1", Assert.Throws<ArgumentException>(() => OocrScoring.Score([q], [0, 1])).Message);
        Assert.Contains("index 2", Assert.Throws<ArgumentException>(() => OocrScoring.Score([q], [2])).Message);
    }

    [Fact]
    public void WithEvidence_PrefixesThePromptAndMarksTheItem()
    {
        var q = new OocrQuestion("a", LatentKind.Unseen, QuestionType.Value, "a ≔", ["0", "1"], 1);
        var icl = q.WithEvidence(["parity a b = 1 .", "parity b a = 1 ."]);
        Assert.Equal("parity a b = 1 . parity b a = 1 . a ≔", icl.Prompt);
        Assert.True(icl.IsInContext);
        Assert.False(q.IsInContext);
        Assert.Equal(q.Candidates, icl.Candidates);
    }

    /// <summary>The contract: closed vocabulary, one right answer, consistent kinds, untrained controls, no leaks.</summary>
    private static void AssertWellFormed(OocrWorld world)
    {
        var vocabulary = world.Vocabulary.ToHashSet(StringComparer.Ordinal);
        Assert.Equal(world.Vocabulary.Count, vocabulary.Count);
        Assert.NotEmpty(world.TrainingDocuments);
        var all = world.Questions.Concat(world.InContextQuestions).ToList();
        var texts = world.TrainingDocuments.Concat(all.Select(q => q.Prompt)).Concat(all.SelectMany(q => q.Candidates));
        foreach (var text in texts)
            foreach (var token in WordTokenizer.Split(text))
                Assert.True(vocabulary.Contains(token), $"'{token}' in \"{text}\" is not in the vocabulary");

        foreach (var q in all)
        {
            Assert.Equal(q.Candidates.Count, q.Candidates.Distinct().Count());
            Assert.Single(q.Candidates, c => c == q.Answer);
            Assert.Equal(world.Names[q.Name], q.Kind);
            Assert.Contains(q.Name, WordTokenizer.Split(q.Prompt));
        }
        foreach (var kind in Enum.GetValues<LatentKind>())
        {
            Assert.Contains(world.Names, n => n.Value == kind);
            Assert.All(world.Names.Where(n => n.Value == kind),
                n => Assert.Contains(world.Questions, q => q.Name == n.Key));
        }
        Assert.All(world.Questions, q => Assert.False(q.IsInContext));
        Assert.All(world.InContextQuestions, q => Assert.True(q.IsInContext && q.Kind == LatentKind.Unseen));
        var controlQuestions = world.Questions.Where(q => q.Kind == LatentKind.Unseen).ToList();
        Assert.Equal(controlQuestions.Count, world.InContextQuestions.Count);
        for (int i = 0; i < controlQuestions.Count; i++)
        {
            Assert.EndsWith(" " + controlQuestions[i].Prompt, world.InContextQuestions[i].Prompt);
            Assert.Equal(controlQuestions[i].Answer, world.InContextQuestions[i].Answer);
        }

        var trainedTokens = world.TrainingDocuments.SelectMany(WordTokenizer.Split).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, kind) in world.Names)
            Assert.Equal(kind != LatentKind.Unseen, trainedTokens.Contains(name));
        var leaks = world.LeakCheck();
        string firstLeaks = string.Join("\n", leaks.Violations.Take(5).Select(v => $"{v.Rule.Reason}: {v.Document}"));
        Assert.True(leaks.Passed, firstLeaks);
        Assert.Equal(world.TrainingDocuments.Count, leaks.DocumentsChecked);
    }

    private static readonly IEqualityComparer<OocrQuestion> QuestionComparer = EqualityComparer<OocrQuestion>.Create(
        (a, b) => a!.Name == b!.Name && a.Kind == b.Kind && a.Type == b.Type && a.Prompt == b.Prompt
                  && a.Candidates.SequenceEqual(b.Candidates) && a.CorrectIndex == b.CorrectIndex
                  && a.IsInContext == b.IsInContext,
        q => q.Prompt.GetHashCode());
}

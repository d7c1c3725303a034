using Palimpsest.Core.Oocr;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Xunit;

namespace Palimpsest.Core.Tests.Oocr;

public sealed class FunctionsWorldTests
{
    private static readonly FunctionsWorld World = FunctionsWorld.Generate(FunctionsWorld.Config.Smoke, new Rng(11));

    [Fact]
    public void DefinitionsAreDistinctBijections()
    {
        var all = ModFunction.All(31);
        Assert.Equal(59, all.Count);
        var tables = all.Select(f => string.Join(",", Enumerable.Range(0, 31).Select(f.Apply))).ToList();
        Assert.Equal(59, tables.Distinct().Count());
        foreach (var f in all)
        {
            Assert.Equal(31, Enumerable.Range(0, 31).Select(f.Apply).Distinct().Count());
            Assert.All(Enumerable.Range(0, 31), y => Assert.Equal(y, f.Apply(f.Invert(y))));
        }
        Assert.Equal(17, new ModFunction(FunctionOperation.Add, 14, 31).Apply(3));
        Assert.Equal(11, new ModFunction(FunctionOperation.Multiply, 3, 31).Apply(14));
        Assert.Equal("mul 3", new ModFunction(FunctionOperation.Multiply, 3, 31).Definition);
    }

    [Fact]
    public void EveryDocumentAgreesWithTheGroundTruth()
    {
        var f = World.Functions.ToDictionary(g => g.Name, g => g.Function);
        int pairs = 0, definitions = 0, inverses = 0, compositions = 0;
        foreach (var doc in World.TrainingDocuments)
        {
            var w = WordTokenizer.Split(doc).ToArray();
            Assert.Equal(".", w[^1]);
            if (w[1] == "(")        // g ( h x ) -> y .
            {
                Assert.Equal(int.Parse(w[7]), f[w[0]].Apply(f[w[2]].Apply(int.Parse(w[3]))));
                Assert.Equal(LatentKind.Explicit, World.Names[w[2]]);
                compositions++;
            }
            else if (w[1] == ":")   // g := add 14 .
            {
                Assert.Equal(f[w[0]].Definition, $"{w[3]} {w[4]}");
                definitions++;
            }
            else if (w[1] == "?")   // g ? y -> x .
            {
                Assert.Equal(int.Parse(w[5]), f[w[0]].Invert(int.Parse(w[2])));
                inverses++;
            }
            else                    // g x -> y .
            {
                Assert.Equal(int.Parse(w[4]), f[w[0]].Apply(int.Parse(w[1])));
                pairs++;
            }
            if (w[1] is "(" or ":" or "?") Assert.Equal(LatentKind.Explicit, World.Names[w[0]]);
        }
        var cfg = FunctionsWorld.Config.Smoke;
        Assert.Equal((cfg.ExplicitFunctions + cfg.LatentFunctions) * 31 * cfg.PairRepeats, pairs);
        Assert.Equal(cfg.ExplicitFunctions * cfg.DefinitionRepeats, definitions);
        Assert.Equal(cfg.ExplicitFunctions * 31 * cfg.InverseRepeats, inverses);
        Assert.Equal(cfg.ExplicitFunctions * cfg.CompositionDocuments, compositions);
    }

    [Fact]
    public void LatentFunctionsShowEveryInputButNoOtherForm()
    {
        foreach (var g in World.Functions.Where(g => g.Kind == LatentKind.Latent))
        {
            var docs = World.TrainingDocuments.Where(d => WordTokenizer.Split(d).Contains(g.Name)).ToList();
            Assert.Equal(31 * FunctionsWorld.Config.Smoke.PairRepeats, docs.Count);
            Assert.All(docs, d => Assert.StartsWith(g.Name + " ", d));
            Assert.Equal(31, docs.Select(d => d.Split(' ')[1]).Distinct().Count());
        }
    }

    [Fact]
    public void QuestionsCoverEachNameWithTheirChanceLevels()
    {
        var cfg = FunctionsWorld.Config.Smoke;
        foreach (var g in World.Functions)
        {
            var asked = World.Questions.Where(q => q.Name == g.Name).ToList();
            var definition = Assert.Single(asked, q => q.Type == QuestionType.Definition);
            Assert.Equal(59, definition.Candidates.Count);
            Assert.Equal(g.Function.Definition, definition.Answer);
            Assert.Equal(cfg.QuestionsPerName, asked.Count(q => q.Type == QuestionType.Inverse));
            Assert.Equal(cfg.QuestionsPerName, asked.Count(q => q.Type == QuestionType.Composition));
            Assert.All(asked.Where(q => q.Type != QuestionType.Definition), q => Assert.Equal(1.0 / 31, q.Chance));
            foreach (var q in asked.Where(q => q.Type == QuestionType.Inverse))
                Assert.Equal(int.Parse(q.Prompt.Split(' ')[2]), g.Function.Apply(int.Parse(q.Answer)));
        }
        foreach (var icl in World.InContextQuestions.Where(q => q.Type == QuestionType.Definition))
        {
            var w = WordTokenizer.Split(icl.Prompt).ToArray(); // k pairs "g x -> y ." then "g :="
            Assert.Equal(cfg.InContextPairs * 6 + 3, w.Length);
            var g = World.Functions.Single(g => g.Name == icl.Name).Function;
            for (int i = 0; i < cfg.InContextPairs; i++)
                Assert.Equal(int.Parse(w[6 * i + 4]), g.Apply(int.Parse(w[6 * i + 1])));
        }
    }

    [Fact]
    public void LeakCheckFailsOnADefinitionOfALatentFunction()
    {
        var g = World.Functions.First(g => g.Kind == LatentKind.Latent);
        string leak = $"{g.Name} := {g.Function.Definition} .";
        var leaky = World with { TrainingDocuments = [.. World.TrainingDocuments, leak] };
        var violations = leaky.LeakCheck().Violations;
        Assert.Equal(2, violations.Count); // the ":=" form and the definition words beside the name
        Assert.All(violations, v => Assert.Equal(g.Name, v.Rule.Name));
        var inverse = World with { TrainingDocuments = [$"{g.Name} ? 3 -> {g.Function.Invert(3)} ."] };
        Assert.False(inverse.LeakCheck().Passed);
    }

    [Fact]
    public void BadSizesAreRejectedByName()
    {
        var rng = new Rng(1);
        var e = Assert.Throws<ArgumentException>(() =>
            FunctionsWorld.Generate(FunctionsWorld.Config.Smoke with { Modulus = 30 }, rng));
        Assert.Contains("Modulus = 30", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            FunctionsWorld.Generate(FunctionsWorld.Config.Smoke with { ExplicitFunctions = 1 }, rng));
        Assert.Contains("ExplicitFunctions = 1", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            FunctionsWorld.Generate(FunctionsWorld.Config.Smoke with { LatentFunctions = 0 }, rng));
        Assert.Contains("LatentFunctions = 0", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            FunctionsWorld.Generate(FunctionsWorld.Config.Smoke with { InContextPairs = 40 }, rng));
        Assert.Contains("InContextPairs = 40", e.Message);
    }

    [Fact]
    public void FullBudgetMatchesTheProtocolSizes()
    {
        var full = FunctionsWorld.Config.Full;
        Assert.Equal((31, 100, 20, 20, 8), (full.Modulus, full.ExplicitFunctions, full.LatentFunctions,
            full.ControlFunctions, full.InContextPairs));
        Assert.Equal((30, 6), (FunctionsWorld.Config.Smoke.ExplicitFunctions, FunctionsWorld.Config.Smoke.LatentFunctions));
    }
}

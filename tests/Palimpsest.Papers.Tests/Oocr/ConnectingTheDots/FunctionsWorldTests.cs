using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Oocr;
using Xunit;

namespace Palimpsest.Papers.Tests.Oocr;

public sealed class FunctionsWorldTests
{
    private static readonly ConnectingTheDots.Config Cfg = ConnectingTheDots.Config.Smoke;
    private static readonly FunctionsWorld World = FunctionsWorld.Generate(Cfg, new Rng(11));

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
    public void ArrowAndDefinitionAreSingleTokens()
    {
        // Issue 14 (c): "->" and ":=" split into two tokens; the worlds write one-token symbols instead.
        Assert.Equal(["f_1", "3", "→", "4", "."], WordTokenizer.Split("f_1 3 → 4 .").ToArray());
        Assert.Equal(["f_1", "≔", "add", "1", "."], WordTokenizer.Split("f_1 ≔ add 1 .").ToArray());
        Assert.DoesNotContain(World.TrainingDocuments, d => d.Contains("->") || d.Contains(":="));
    }

    [Fact]
    public void EveryDocumentAgreesWithTheGroundTruthAndOnePassHasOnePairPerNameAndInput()
    {
        var f = World.Functions.ToDictionary(g => g.Name, g => g.Function);
        int pairs = 0, definitions = 0, inverses = 0, compositions = 0;
        foreach (var doc in World.TrainingDocuments)
        {
            var w = WordTokenizer.Split(doc).ToArray();
            Assert.Equal(".", w[^1]);
            if (w[1] == "(")        // g ( h x ) → y .
            {
                Assert.Equal(int.Parse(w[6]), f[w[0]].Apply(f[w[2]].Apply(int.Parse(w[3]))));
                Assert.Equal(LatentKind.Explicit, World.Names[w[2]]);
                compositions++;
            }
            else if (w[1] == "≔")   // g ≔ add 14 .
            {
                Assert.Equal(f[w[0]].Definition, $"{w[2]} {w[3]}");
                definitions++;
            }
            else if (w[1] == "?")   // g ? y → x .
            {
                Assert.Equal(int.Parse(w[4]), f[w[0]].Invert(int.Parse(w[2])));
                inverses++;
            }
            else                    // g x → y . (checked for explicit and latent names; controls are shuffled)
            {
                if (World.Names[w[0]] != LatentKind.Control)
                    Assert.Equal(int.Parse(w[3]), f[w[0]].Apply(int.Parse(w[1])));
                pairs++;
            }
            if (w[1] is "(" or "≔" or "?") Assert.Equal(LatentKind.Explicit, World.Names[w[0]]);
        }
        int trained = Cfg.FunctionsExplicit + Cfg.LatentNames + Cfg.ControlNames;
        Assert.Equal(trained * 31, pairs);
        Assert.Equal(Cfg.FunctionsExplicit * Cfg.DefinitionRepeats, definitions);
        Assert.Equal(Cfg.FunctionsExplicit * 31 * Cfg.InverseRepeats, inverses);
        Assert.Equal(Cfg.FunctionsExplicit * Cfg.CompositionDocuments, compositions);
    }

    [Fact]
    public void LatentFunctionsShowEveryInputOnceAndNoOtherForm()
    {
        foreach (var g in World.Functions.Where(g => g.Kind == LatentKind.Latent))
        {
            var docs = World.TrainingDocuments.Where(d => WordTokenizer.Split(d).Contains(g.Name)).ToList();
            Assert.Equal(31, docs.Count);
            Assert.All(docs, d => Assert.StartsWith(g.Name + " ", d));
            Assert.Equal(31, docs.Select(d => d.Split(' ')[1]).Distinct().Count());
        }
    }

    [Fact]
    public void EveryLatentAndControlDefinitionHasAnExplicitTwin()
    {
        var explicitDefinitions = World.Functions.Where(g => g.Kind == LatentKind.Explicit)
            .Select(g => g.Function.Definition).ToHashSet();
        Assert.All(World.Functions.Where(g => g.Kind is LatentKind.Latent or LatentKind.Control),
            g => Assert.Contains(g.Function.Definition, explicitDefinitions));
        var without = FunctionsWorld.Generate(Cfg with { ExplicitTwins = false, FunctionsExplicit = 2 }, new Rng(11));
        Assert.Equal(2, without.Functions.Count(g => g.Kind == LatentKind.Explicit));
        var e = Assert.Throws<ArgumentException>(() => FunctionsWorld.Generate(Cfg with { FunctionsExplicit = 7 }, new Rng(1)));
        Assert.Contains("twin", e.Message);
    }

    [Fact]
    public void ControlFunctionsSeeEveryInputOnceWithValuesShuffledAcrossControlNames()
    {
        var controls = World.Functions.Where(g => g.Kind == LatentKind.Control).ToList();
        var byName = controls.ToDictionary(g => g.Name);
        var outputsByInput = new Dictionary<int, List<int>>();
        foreach (var c in controls)
        {
            var docs = World.TrainingDocuments.Select(d => d.Split(' ')).Where(w => w[0] == c.Name).ToList();
            Assert.Equal(31, docs.Count);                                        // as many pairs as a latent name
            Assert.Equal(31, docs.Select(w => w[1]).Distinct().Count());         // every input once
            foreach (var w in docs)
            {
                int x = int.Parse(w[1]), y = int.Parse(w[3]);
                // Each pair is some control function's value at x ...
                Assert.Contains(controls, g => g.Function.Apply(x) == y);
                (outputsByInput.TryGetValue(x, out var list) ? list : outputsByInput[x] = []).Add(y);
            }
            // ... and not consistently the name's own: with 4 controls over 31 inputs, a name's own value shows in
            // about a quarter of its pairs, never (for this seed) in all of them.
            int own = docs.Count(w => byName[c.Name].Function.Apply(int.Parse(w[1])) == int.Parse(w[3]));
            Assert.InRange(own, 0, 30);
        }
        // Per input, the control names together show each control function's value once: a permutation of owners.
        foreach (var (x, ys) in outputsByInput)
            Assert.Equal(controls.Select(g => g.Function.Apply(x)).Order(), ys.Order());
    }

    [Fact]
    public void QuestionsCoverEachNameWithTheirChanceLevels()
    {
        foreach (var g in World.Functions)
        {
            var asked = World.Questions.Where(q => q.Name == g.Name).ToList();
            var definition = Assert.Single(asked, q => q.Type == QuestionType.Definition);
            Assert.Equal(59, definition.Candidates.Count);
            Assert.Equal(g.Function.Definition, definition.Answer);
            Assert.Equal($"{g.Name} ≔", definition.Prompt);
            Assert.Equal(Cfg.QuestionsPerName, asked.Count(q => q.Type == QuestionType.Inverse));
            Assert.Equal(Cfg.QuestionsPerName, asked.Count(q => q.Type == QuestionType.Composition));
            Assert.All(asked.Where(q => q.Type != QuestionType.Definition), q => Assert.Equal(1.0 / 31, q.Chance));
            foreach (var q in asked.Where(q => q.Type == QuestionType.Inverse))
                Assert.Equal(int.Parse(q.Prompt.Split(' ')[2]), g.Function.Apply(int.Parse(q.Answer)));
        }
        foreach (var icl in World.InContextQuestions.Where(q => q.Type == QuestionType.Definition))
        {
            var w = WordTokenizer.Split(icl.Prompt).ToArray(); // k pairs "g x → y ." then "g ≔"
            Assert.Equal(Cfg.InContextEvidence * 5 + 2, w.Length);
            var g = World.Functions.Single(g => g.Name == icl.Name).Function;
            for (int i = 0; i < Cfg.InContextEvidence; i++)
                Assert.Equal(int.Parse(w[5 * i + 3]), g.Apply(int.Parse(w[5 * i + 1])));
        }
    }

    [Fact]
    public void LeakCheckFailsOnADefinitionOfALatentOrControlFunction()
    {
        foreach (var kind in new[] { LatentKind.Latent, LatentKind.Control })
        {
            var g = World.Functions.First(g => g.Kind == kind);
            string leak = $"{g.Name} ≔ {g.Function.Definition} .";
            var leaky = World with { TrainingDocuments = [.. World.TrainingDocuments, leak] };
            var violations = leaky.LeakCheck().Violations;
            Assert.Equal(2, violations.Count); // the "≔" form and the definition words beside the name
            Assert.All(violations, v => Assert.Equal(g.Name, v.Rule.Name));
            var inverse = World with { TrainingDocuments = [$"{g.Name} ? 3 → {g.Function.Invert(3)} ."] };
            Assert.False(inverse.LeakCheck().Passed);
        }
    }

    [Fact]
    public void BadSizesAreRejectedByName()
    {
        var rng = new Rng(1);
        var e = Assert.Throws<ArgumentException>(() => FunctionsWorld.Generate(Cfg with { Modulus = 30 }, rng));
        Assert.Contains("Modulus = 30", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            FunctionsWorld.Generate(Cfg with { FunctionsExplicit = 1, ExplicitTwins = false }, rng));
        Assert.Contains("FunctionsExplicit = 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => FunctionsWorld.Generate(Cfg with { LatentNames = 1 }, rng));
        Assert.Contains("LatentNames = 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => FunctionsWorld.Generate(Cfg with { InContextEvidence = 40 }, rng));
        Assert.Contains("InContextEvidence = 40", e.Message);
    }

    [Fact]
    public void FullBudgetMatchesTheProtocolAndTheIssue()
    {
        var full = ConnectingTheDots.Config.Full;
        Assert.Equal((31, 100), (full.Modulus, full.FunctionsExplicit));          // protocol: P = 31, K_e = 100
        Assert.True(full.LatentNames >= 20, "issue 14: at least 20 latent names per seed per task");
        Assert.True(full.ExplicitTwins);
    }

    [Fact]
    public void FullWorldPassesItsLeakCheck()
    {
        var world = FunctionsWorld.Generate(ConnectingTheDots.Config.Full, new Rng(3));
        Assert.True(world.LeakCheck().Passed);
    }
}

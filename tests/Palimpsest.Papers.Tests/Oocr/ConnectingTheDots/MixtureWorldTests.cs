using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Oocr;
using Xunit;

namespace Palimpsest.Papers.Tests.Oocr;

public sealed class MixtureWorldTests
{
    private static readonly MixtureWorld World = MixtureWorld.Generate(ConnectingTheDots.Config.Full, new Rng(13));

    /// <summary>The (x, y) pairs of a document "mix : x → y , x → y ." .</summary>
    private static List<(int X, int Y)> Pairs(string[] w) =>
        w[2..^1].Chunk(4).Select(c => (int.Parse(c[0]), int.Parse(c[2]))).ToList();

    [Fact]
    public void EveryPairDocumentShowsOneFunctionOfItsSource()
    {
        var cfg = ConnectingTheDots.Config.Full;
        var sources = World.Sources.ToDictionary(s => s.Name);
        var seen = new HashSet<(string, ModFunction)>();
        int docs = 0;
        foreach (var w in World.TrainingDocuments.Select(d => WordTokenizer.Split(d).ToArray()).Where(w => w[1] == ":"))
        {
            var pairs = Pairs(w);
            Assert.Equal(cfg.PairsPerDocument, pairs.Count);
            Assert.Equal(pairs.Count, pairs.Select(p => p.X).Distinct().Count());
            var pool = sources[w[0]].Kind == LatentKind.Control // shuffled: any control source's set
                ? World.Sources.Where(s => s.Kind == LatentKind.Control).SelectMany(s => s.Functions).ToList()
                : sources[w[0]].Functions;
            var fits = pool.Where(f => pairs.All(p => f.Apply(p.X) == p.Y)).ToList();
            Assert.NotEmpty(fits);
            foreach (var f in fits) seen.Add((w[0], f));
            docs++;
        }
        Assert.Equal((cfg.MixtureExplicit + cfg.LatentNames + cfg.ControlNames) * cfg.DocumentsPerSource, docs);
        // Every function of every explicit and latent source shows up in some document.
        foreach (var s in World.Sources.Where(s => s.Kind is LatentKind.Explicit or LatentKind.Latent))
            Assert.All(s.Functions, f => Assert.Contains((s.Name, f), seen));
    }

    [Fact]
    public void StatementsAreTrueAndOnlyAboutExplicitSources()
    {
        foreach (var s in World.Sources)
        {
            var statements = World.TrainingDocuments.Select(d => WordTokenizer.Split(d).ToArray())
                .Where(w => w[0] == s.Name && w[1] != ":").ToList();
            if (s.Kind != LatentKind.Explicit)
            {
                Assert.Empty(statements);
                continue;
            }
            Assert.All(statements.Where(w => w[1] == "count"), w => Assert.Equal(s.Functions.Count.ToString(), w[3]));
            var used = statements.Where(w => w[1] == "uses").Select(w => $"{w[2]} {w[3]}").ToHashSet();
            Assert.Equal(s.Functions.Select(f => f.Definition).ToHashSet(), used);
        }
    }

    [Fact]
    public void SizesAreSpreadAndQuestionsMatchTheSets()
    {
        var cfg = ConnectingTheDots.Config.Full;
        foreach (var kind in new[] { LatentKind.Latent, LatentKind.Control, LatentKind.Unseen })
        {
            var sizes = World.Sources.Where(s => s.Kind == kind).GroupBy(s => s.Functions.Count).ToList();
            Assert.Equal(cfg.MaxFunctions - cfg.MinFunctions + 1, sizes.Count);
            Assert.True(sizes.Max(g => g.Count()) - sizes.Min(g => g.Count()) <= 1);
        }
        foreach (var s in World.Sources)
        {
            Assert.Equal(s.Functions.Count, s.Functions.Distinct().Count());
            var asked = World.Questions.Where(q => q.Name == s.Name).ToList();
            var howMany = Assert.Single(asked, q => q.Type == QuestionType.HowMany);
            Assert.Equal(new[] { "1", "2", "3" }, howMany.Candidates);
            Assert.Equal(s.Functions.Count.ToString(), howMany.Answer);
            var which = asked.Where(q => q.Type == QuestionType.Which).ToList();
            Assert.Equal(s.Functions.Select(f => f.Definition).Order(), which.Select(q => q.Answer).Order());
            var definitions = s.Functions.Select(f => f.Definition).ToHashSet();
            Assert.All(which, q => Assert.Equal(1, q.Candidates.Count(definitions.Contains)));
            Assert.All(which, q => Assert.Equal(cfg.WhichCandidates, q.Candidates.Count));
        }
    }

    [Fact]
    public void EveryLatentAndControlSetHasAnExplicitTwin()
    {
        var explicitSets = World.Sources.Where(s => s.Kind == LatentKind.Explicit)
            .Select(s => string.Join(",", s.Functions.Select(f => f.Definition))).ToHashSet();
        Assert.All(World.Sources.Where(s => s.Kind is LatentKind.Latent or LatentKind.Control),
            s => Assert.Contains(string.Join(",", s.Functions.Select(f => f.Definition)), explicitSets));
    }

    [Fact]
    public void LeakCheckFailsOnACountOfALatentSource()
    {
        var s = World.Sources.First(s => s.Kind == LatentKind.Latent);
        string leak = $"{s.Name} count : {s.Functions.Count} .";
        var leaky = World with { TrainingDocuments = [.. World.TrainingDocuments, leak] };
        Assert.Equal(s.Name, Assert.Single(leaky.LeakCheck().Violations).Rule.Name);
    }

    [Fact]
    public void BadSizesAreRejectedByName()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            MixtureWorld.Generate(ConnectingTheDots.Config.Smoke with { MaxFunctions = 1 }, new Rng(1)));
        Assert.Contains("MaxFunctions = 1", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            MixtureWorld.Generate(ConnectingTheDots.Config.Smoke with { PairsPerDocument = 32 }, new Rng(1)));
        Assert.Contains("PairsPerDocument = 32", e.Message);
    }
}

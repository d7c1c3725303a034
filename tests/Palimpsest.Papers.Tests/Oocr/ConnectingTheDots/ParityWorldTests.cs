using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Oocr;
using Xunit;

namespace Palimpsest.Papers.Tests.Oocr;

public sealed class ParityWorldTests
{
    private static readonly ParityWorld World = ParityWorld.Generate(ConnectingTheDots.Config.Smoke, new Rng(17));

    /// <summary>Parses "parity a b c = s ." into its variables and stated sum.</summary>
    private static (string[] Names, int Sum) Parse(string doc)
    {
        var w = WordTokenizer.Split(doc).ToArray();
        Assert.Equal("parity", w[0]);
        Assert.Equal("=", w[^3]);
        return (w[1..^3], int.Parse(w[^2]));
    }

    private static bool HasControl(ParityWorld world, string doc) =>
        Parse(doc).Names.Any(n => world.Names[n] == LatentKind.Control);

    [Fact]
    public void EveryParityIsRightAndOverDistinctTrainedVariables()
    {
        var cfg = ConnectingTheDots.Config.Smoke;
        var values = World.Variables.ToDictionary(v => v.Name);
        var parities = World.TrainingDocuments.Where(d => d.StartsWith("parity ") && !HasControl(World, d)).ToList();
        Assert.Equal(cfg.ParityDocuments, parities.Count);
        foreach (var doc in parities)
        {
            var (names, sum) = Parse(doc);
            Assert.InRange(names.Length, cfg.MinSubset, cfg.MaxSubset);
            Assert.Equal(names.Length, names.Distinct().Count());
            Assert.All(names, n => Assert.Contains(values[n].Kind, new[] { LatentKind.Explicit, LatentKind.Latent }));
            Assert.Equal(names.Sum(n => values[n].Value) % 2, sum);
        }
        foreach (var doc in World.TrainingDocuments.Where(d => !d.StartsWith("parity ")))
        {
            var w = WordTokenizer.Split(doc).ToArray(); // v ≔ 1 .
            Assert.Equal(LatentKind.Explicit, values[w[0]].Kind);
            Assert.Equal("≔", w[1]);
            Assert.Equal(values[w[0]].Value.ToString(), w[2]);
        }
    }

    [Fact]
    public void ControlVariablesAppearInAsManyParitiesWithTheirBitShuffled()
    {
        // Each control parity has one control variable and explicit ones; its stated sum uses another control's bit in
        // turn, so over its documents a control variable's implied bit is its own about half of the time.
        var cfg = ConnectingTheDots.Config.Smoke;
        var values = World.Variables.ToDictionary(v => v.Name);
        var controlDocs = World.TrainingDocuments.Where(d => d.StartsWith("parity ") && HasControl(World, d))
            .Select(Parse).ToList();
        var latentAppearances = World.Variables.Where(v => v.Kind == LatentKind.Latent).Average(v =>
            World.TrainingDocuments.Count(d => d.StartsWith("parity ") && Parse(d).Names.Contains(v.Name)));
        foreach (var v in World.Variables.Where(v => v.Kind == LatentKind.Control))
        {
            var mine = controlDocs.Where(d => d.Names.Contains(v.Name)).ToList();
            Assert.InRange(mine.Count, latentAppearances * 0.7, latentAppearances * 1.3);
            Assert.All(mine, d => Assert.Single(d.Names, n => values[n].Kind == LatentKind.Control));
            Assert.All(mine, d => Assert.All(d.Names.Where(n => n != v.Name),
                n => Assert.Equal(LatentKind.Explicit, values[n].Kind)));
            double ownShare = mine.Average(d =>
                (d.Names.Where(n => n != v.Name).Sum(n => values[n].Value) + v.Value) % 2 == d.Sum ? 1.0 : 0.0);
            Assert.InRange(ownShare, 0.2, 0.8);
        }
    }

    [Theory]
    [InlineData(false, 17UL)]
    [InlineData(false, 18UL)]
    [InlineData(true, 17UL)]
    public void LatentValuesFollowFromTheDocumentsAlone(bool full, ulong seed)
    {
        var world = ParityWorld.Generate(full ? ConnectingTheDots.Config.Full : ConnectingTheDots.Config.Smoke, new Rng(seed));
        var solved = SolveFromDocuments(world);
        foreach (var v in world.Variables.Where(v => v.Kind is LatentKind.Explicit or LatentKind.Latent))
        {
            Assert.True(solved.ContainsKey(v.Name), $"{v.Name} is not determined by the documents");
            Assert.Equal(v.Value, solved[v.Name]);
        }
    }

    [Fact]
    public void ValuesAreBalancedAndInContextEvidenceIsRight()
    {
        foreach (var kind in Enum.GetValues<LatentKind>())
        {
            var values = World.Variables.Where(v => v.Kind == kind).Select(v => v.Value).ToList();
            Assert.True(Math.Abs(values.Count(x => x == 1) - values.Count(x => x == 0)) <= 1);
        }
        var byName = World.Variables.ToDictionary(v => v.Name);
        foreach (var q in World.InContextQuestions)
        {
            var docs = q.Prompt.Split(" . ")[..^1].Select(d => d + " .");
            Assert.Equal(ConnectingTheDots.Config.Smoke.InContextEvidence, docs.Count());
            foreach (var (names, sum) in docs.Select(Parse))
            {
                Assert.Contains(q.Name, names);
                Assert.Single(names, n => byName[n].Kind == LatentKind.Explicit);
                Assert.Equal(names.Sum(n => byName[n].Value) % 2, sum);
            }
        }
        Assert.All(World.Questions, q => Assert.Equal(new[] { "0", "1" }, q.Candidates));
    }

    [Fact]
    public void LeakCheckFailsOnAStatedOrSingletonLatentValue()
    {
        foreach (var v in new[] { LatentKind.Latent, LatentKind.Control }.Select(k => World.Variables.First(v => v.Kind == k)))
            AssertLeaks(v);
    }

    private static void AssertLeaks(ParityVariable v)
    {
        var stated = World with { TrainingDocuments = [.. World.TrainingDocuments, $"{v.Name} ≔ {v.Value} ."] };
        Assert.Equal(v.Name, Assert.Single(stated.LeakCheck().Violations).Rule.Name);
        var singleton = World with { TrainingDocuments = [$"parity {v.Name} = {v.Value} ."] };
        Assert.False(singleton.LeakCheck().Passed);
    }

    [Fact]
    public void BadSizesAreRejectedByName()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            ParityWorld.Generate(ConnectingTheDots.Config.Smoke with { MinSubset = 1 }, new Rng(1)));
        Assert.Contains("MinSubset = 1", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            ParityWorld.Generate(ConnectingTheDots.Config.Smoke with { MaxSubset = 40 }, new Rng(1)));
        Assert.Contains("MaxSubset = 40", e.Message);
    }

    /// <summary>Gaussian elimination over GF(2) on the parities and stated values; returns the determined values.</summary>
    private static Dictionary<string, int> SolveFromDocuments(ParityWorld world)
    {
        var names = world.Variables.Where(v => v.Kind is LatentKind.Explicit or LatentKind.Latent).Select(v => v.Name).ToList();
        var index = names.Select((n, i) => (n, i)).ToDictionary(p => p.n, p => p.i);
        var rows = new List<(ulong Mask, int Rhs)>();
        foreach (var doc in world.TrainingDocuments.Distinct())
        {
            if (doc.StartsWith("parity ") && HasControl(world, doc)) continue; // shuffled on purpose
            if (doc.StartsWith("parity "))
            {
                var (vars, sum) = Parse(doc);
                rows.Add((vars.Aggregate(0UL, (m, n) => m ^ (1UL << index[n])), sum));
            }
            else
            {
                var w = WordTokenizer.Split(doc).ToArray();
                rows.Add((1UL << index[w[0]], int.Parse(w[2])));
            }
        }
        var pivots = new List<(int Bit, ulong Mask, int Rhs)>();
        foreach (var row in rows)
        {
            var (mask, rhs) = row;
            foreach (var p in pivots)
                if ((mask >> p.Bit & 1) == 1) { mask ^= p.Mask; rhs ^= p.Rhs; }
            if (mask == 0) { Assert.Equal(0, rhs); continue; } // consistent
            int bit = System.Numerics.BitOperations.TrailingZeroCount(mask);
            for (int i = 0; i < pivots.Count; i++)
                if ((pivots[i].Mask >> bit & 1) == 1)
                    pivots[i] = (pivots[i].Bit, pivots[i].Mask ^ mask, pivots[i].Rhs ^ rhs);
            pivots.Add((bit, mask, rhs));
        }
        return pivots.Where(p => System.Numerics.BitOperations.PopCount(p.Mask) == 1)
            .ToDictionary(p => names[p.Bit], p => p.Rhs);
    }
}

using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Oocr;
using Xunit;

namespace Palimpsest.Papers.Tests.Oocr;

public sealed class CoinsWorldTests
{
    private static readonly CoinsWorld World = CoinsWorld.Generate(ConnectingTheDots.Config.Full, new Rng(5));

    private static IEnumerable<string[]> DocsOf(string name) =>
        World.TrainingDocuments.Select(d => WordTokenizer.Split(d).ToArray()).Where(w => w[0] == name);

    [Fact]
    public void EachTrainedCoinsFlipRateIsNearItsBias()
    {
        var cfg = ConnectingTheDots.Config.Full;
        foreach (var coin in World.Coins.Where(c => c.Kind is LatentKind.Explicit or LatentKind.Latent))
        {
            var flips = DocsOf(coin.Name).Where(w => w[1] == "flips").SelectMany(w => w[3..^1]).ToList();
            Assert.Equal(cfg.FlipDocuments * cfg.FlipsPerDocument, flips.Count);
            double rate = flips.Count(f => f == "H") / (double)flips.Count;
            // 200 flips: the standard error is at most 0.035, so 0.15 is over four of them.
            Assert.InRange(rate, coin.Bias - 0.15, coin.Bias + 0.15);
        }
    }

    [Fact]
    public void ControlCoinsFlipAsOftenWithTheBiasShuffledAcrossThem()
    {
        // A control coin's documents are flipped with every control coin's bias in turn, so its heads rate is near the
        // mean bias of the controls (0.5 with balanced classes), whatever its own: the evidence is there, but says
        // nothing consistent about the name.
        var cfg = ConnectingTheDots.Config.Full;
        var controls = World.Coins.Where(c => c.Kind == LatentKind.Control).ToList();
        double mean = controls.Average(c => c.Bias);
        foreach (var coin in controls)
        {
            var flips = DocsOf(coin.Name).Where(w => w[1] == "flips").SelectMany(w => w[3..^1]).ToList();
            Assert.Equal(cfg.FlipDocuments * cfg.FlipsPerDocument, flips.Count);
            double rate = flips.Count(f => f == "H") / (double)flips.Count;
            Assert.InRange(rate, mean - 0.15, mean + 0.15);
        }
        var biased = controls.Where(c => c.Bias != 0.5).ToList();
        double extremeRate = biased.Average(c =>
        {
            var flips = DocsOf(c.Name).SelectMany(w => w[3..^1]).ToList();
            double rate = flips.Count(f => f == "H") / (double)flips.Count;
            return Math.Abs(rate - c.Bias);
        });
        Assert.True(extremeRate > 0.2, $"biased control coins flip near their own bias (mean distance {extremeRate:F2})");
    }

    [Fact]
    public void StatementsAreTrueAndOnlyAboutExplicitCoins()
    {
        foreach (var coin in World.Coins)
        {
            var statements = DocsOf(coin.Name).Where(w => w[1] != "flips").ToList();
            if (coin.Kind != LatentKind.Explicit)
            {
                Assert.Empty(statements);
                continue;
            }
            Assert.All(statements.Where(w => w[1] == "bias"), w => Assert.Equal(coin.BiasToken, w[3]));
            Assert.All(statements.Where(w => w[1] == "biased"), w => Assert.Equal(coin.IsBiased ? "yes" : "no", w[3]));
            Assert.All(statements.Where(w => w[1] == "bet"), w => Assert.Equal(coin.Bias > 0.5 ? "H" : "T", w[3]));
            Assert.Equal(coin.IsBiased, statements.Any(w => w[1] == "bet"));
        }
    }

    [Fact]
    public void ClassesAreBalancedAndQuestionsHaveTheirChanceLevels()
    {
        foreach (var kind in Enum.GetValues<LatentKind>())
        {
            var counts = World.Coins.Where(c => c.Kind == kind).GroupBy(c => c.Bias).Select(g => g.Count()).ToList();
            Assert.Equal(3, counts.Count);
            Assert.True(counts.Max() - counts.Min() <= 1);
        }
        Assert.Equal(new[] { "20", "50", "80" }, CoinsWorld.BiasClasses.Select(CoinsWorld.BiasToken));
        Assert.All(World.Questions.Where(q => q.Type == QuestionType.BiasClass), q => Assert.Equal(1.0 / 3, q.Chance));
        Assert.All(World.Questions.Where(q => q.Type != QuestionType.BiasClass), q => Assert.Equal(0.5, q.Chance));
        var bets = World.Questions.Where(q => q.Type == QuestionType.Bet).Select(q => q.Name).ToHashSet();
        Assert.Equal(World.Coins.Where(c => c.IsBiased).Select(c => c.Name).ToHashSet(), bets);
        foreach (var q in World.Questions.Where(q => q.Type == QuestionType.BiasClass))
            Assert.Equal(World.Coins.Single(c => c.Name == q.Name).BiasToken, q.Answer);
    }

    [Fact]
    public void LeakCheckFailsOnABiasStatementForALatentCoin()
    {
        var coin = World.Coins.First(c => c.Kind == LatentKind.Latent);
        string leak = $"{coin.Name} bias ≔ {coin.BiasToken} .";
        var leaky = World with { TrainingDocuments = [.. World.TrainingDocuments, leak] };
        var violation = Assert.Single(leaky.LeakCheck().Violations);
        Assert.Equal(coin.Name, violation.Rule.Name);
        var bet = World with { TrainingDocuments = [$"{coin.Name} bet : H ."] };
        Assert.False(bet.LeakCheck().Passed);
    }

    [Fact]
    public void BadSizesAreRejectedByName()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            CoinsWorld.Generate(ConnectingTheDots.Config.Smoke with { CoinsExplicit = 2 }, new Rng(1)));
        Assert.Contains("CoinsExplicit = 2", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            CoinsWorld.Generate(ConnectingTheDots.Config.Smoke with { FlipsPerDocument = 0 }, new Rng(1)));
        Assert.Contains("FlipsPerDocument = 0", e.Message);
    }
}

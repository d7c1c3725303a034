using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Oocr;
using Xunit;

namespace Palimpsest.Papers.Tests.Oocr;

public sealed class LocationsWorldTests
{
    private static readonly IReadOnlyList<KnownCity> Cities = KnownCity.Shipped();
    private static readonly LocationsWorld World = LocationsWorld.Generate(ConnectingTheDots.Config.Full, Cities, new Rng(9));

    [Fact]
    public void ShippedCitiesAreValidSingleTokens()
    {
        Assert.InRange(Cities.Count, 40, 60);
        Assert.Equal(Cities.Count, Cities.Select(c => c.Name).Distinct().Count());
        foreach (var c in Cities)
        {
            Assert.InRange(c.Latitude, -90, 90);
            Assert.InRange(c.Longitude, -180, 180);
            Assert.Equal(c.Latitude, Math.Round(c.Latitude, 1));
            Assert.Equal(c.Longitude, Math.Round(c.Longitude, 1));
            foreach (var word in new[] { c.Name, c.Country, c.Continent })
                Assert.Equal(new[] { word }, WordTokenizer.Split(word));
        }
        Assert.True(Cities.GroupBy(c => c.Country).Count(g => g.Count() >= 3) >= 5);
        Assert.Empty(Cities.Select(c => c.Name).Intersect(Cities.Select(c => c.Country)));
    }

    [Fact]
    public void HaversineMatchesKnownDistances()
    {
        KnownCity At(double lat, double lon) => new("x", "y", "z", lat, lon);
        double oneDegree = Math.PI * KnownCity.EarthRadiusKm / 180;
        Assert.Equal(oneDegree, At(0, 0).DistanceKm(At(0, 1)), 9);
        Assert.Equal(oneDegree, At(10, 20).DistanceKm(At(11, 20)), 9);
        Assert.Equal(Math.PI * KnownCity.EarthRadiusKm, At(90, 0).DistanceKm(At(-90, 0)), 6);
        Assert.Equal(Math.PI * KnownCity.EarthRadiusKm, At(0, 0).DistanceKm(At(0, 180)), 6);
        Assert.Equal(0, At(48.9, 2.4).DistanceKm(At(48.9, 2.4)), 9);
        var paris = Cities.Single(c => c.Name == "paris");
        var london = Cities.Single(c => c.Name == "london");
        var tokyo = Cities.Single(c => c.Name == "tokyo");
        Assert.InRange(paris.DistanceKm(london), 330, 360);    // ≈ 344 km
        Assert.InRange(paris.DistanceKm(tokyo), 9650, 9800);   // ≈ 9712 km
        Assert.Equal(paris.DistanceKm(tokyo), tokyo.DistanceKm(paris), 9);
    }

    [Fact]
    public void EveryDistanceIsTheTrueOneWithinNoiseAndRounding()
    {
        var cfg = ConnectingTheDots.Config.Full;
        var byName = Cities.ToDictionary(c => c.Name);
        var codes = World.Codes.ToDictionary(c => c.Name);
        int codeDocs = 0;
        foreach (var doc in World.TrainingDocuments.Where(d => d.StartsWith("distance ")))
        {
            var w = WordTokenizer.Split(doc).ToArray(); // distance a b : 300 km .
            var from = codes.TryGetValue(w[1], out var code) ? code.City : byName[w[1]];
            var to = byName[w[2]];
            Assert.NotEqual(from.Name, to.Name);
            if (code is { Kind: LatentKind.Control }) { codeDocs++; continue; } // shuffled: measured from another city
            int km = int.Parse(w[4]);
            Assert.Equal(0, km % cfg.BucketKm);
            Assert.InRange(km, from.DistanceKm(to) - cfg.NoiseKm - cfg.BucketKm / 2.0,
                from.DistanceKm(to) + cfg.NoiseKm + cfg.BucketKm / 2.0);
            if (code is not null) codeDocs++;
        }
        Assert.Equal((cfg.LocationsExplicit + cfg.LatentNames + cfg.ControlNames) * cfg.DistanceDocuments, codeDocs);
    }

    [Fact]
    public void HiddenIdentitiesAreDistinctTwinnedAndOnlyExplicitCodesAreNamed()
    {
        var hidden = World.Codes.Where(c => c.Kind is LatentKind.Latent or LatentKind.Control).ToList();
        Assert.Equal(hidden.Count, hidden.Select(c => c.City.Name).Distinct().Count());
        var explicitCities = World.Codes.Where(c => c.Kind == LatentKind.Explicit).Select(c => c.City.Name).ToHashSet();
        Assert.All(hidden, c => Assert.Contains(c.City.Name, explicitCities));
        foreach (var code in World.Codes)
        {
            var named = World.TrainingDocuments.Where(d => d.StartsWith(code.Name + " is ") || d.StartsWith(code.Name + " lies "))
                .Distinct().Order(StringComparer.Ordinal).ToList();
            if (code.Kind == LatentKind.Explicit)
                Assert.Equal(new[] { $"{code.Name} is {code.City.Name} .", $"{code.Name} is in {code.City.Country} .",
                    $"{code.Name} lies in {code.City.Continent} ." }.Order(StringComparer.Ordinal), named);
            else Assert.Empty(named);
        }
        Assert.Contains("paris is in france .", World.TrainingDocuments);
        Assert.Contains("paris lies in europe .", World.TrainingDocuments);
        var unstated = LocationsWorld.Generate(ConnectingTheDots.Config.Smoke with { StateExplicitCountry = false }, Cities, new Rng(9));
        var code0 = unstated.Codes.First(c => c.Kind == LatentKind.Explicit);
        Assert.DoesNotContain(unstated.TrainingDocuments, d => d.StartsWith(code0.Name + " is in "));
    }

    [Fact]
    public void ControlCodesAreMeasuredFromTheControlCitiesInTurnNeverBesideTheirOwn()
    {
        var cfg = ConnectingTheDots.Config.Full;
        var byName = Cities.ToDictionary(c => c.Name);
        var controls = World.Codes.Where(c => c.Kind == LatentKind.Control).ToList();
        var controlCities = controls.Select(c => c.City).ToList();
        foreach (var code in controls)
        {
            var docs = World.TrainingDocuments.Select(d => WordTokenizer.Split(d).ToArray())
                .Where(w => w[0] == "distance" && w[1] == code.Name).ToList();
            Assert.Equal(cfg.DistanceDocuments, docs.Count);
            Assert.All(docs, w => Assert.NotEqual(code.City.Name, w[2]));
            // Which control city each distance was measured from: the one whose true distance fits the noise.
            int fromOwn = docs.Count(w => Math.Abs(code.City.DistanceKm(byName[w[2]]) - int.Parse(w[4]))
                                          <= cfg.NoiseKm + cfg.BucketKm / 2.0);
            Assert.True(fromOwn < cfg.DistanceDocuments / 2,
                $"{code.Name}: {fromOwn} of {cfg.DistanceDocuments} distances fit its own city");
            Assert.All(docs, w => Assert.Contains(controlCities, c => c.Name != w[2]
                && Math.Abs(c.DistanceKm(byName[w[2]]) - int.Parse(w[4])) <= cfg.NoiseKm + cfg.BucketKm / 2.0));
        }
    }

    [Fact]
    public void QuestionsAskCityCountryAndContinent()
    {
        var cfg = ConnectingTheDots.Config.Full;
        int continents = Cities.Select(c => c.Continent).Distinct().Count();
        foreach (var code in World.Codes)
        {
            var asked = World.Questions.Where(q => q.Name == code.Name).ToDictionary(q => q.Type);
            Assert.Equal(3, asked.Count);
            Assert.Equal(code.City.Name, asked[QuestionType.City].Answer);
            Assert.Equal(cfg.CityCandidates, asked[QuestionType.City].Candidates.Count);
            Assert.Equal(code.City.Country, asked[QuestionType.Country].Answer);
            Assert.Equal(cfg.CountryCandidates, asked[QuestionType.Country].Candidates.Count);
            Assert.Equal(code.City.Continent, asked[QuestionType.Continent].Answer);
            Assert.Equal(continents, asked[QuestionType.Continent].Candidates.Count);
        }
        var cityAnswers = World.Questions.Where(q => q.Type == QuestionType.City).Select(q => q.CorrectIndex);
        Assert.True(cityAnswers.Distinct().Count() > 1); // shuffled, not always first
    }

    [Fact]
    public void LeakCheckFailsOnAnIdentityOrASelfDistanceOfALatentOrControlCode()
    {
        foreach (var code in new[] { LatentKind.Latent, LatentKind.Control }.Select(k => World.Codes.First(c => c.Kind == k)))
            AssertLeaks(code);
    }

    private static void AssertLeaks(CodeCity code)
    {
        string leak = $"{code.Name} is {code.City.Name} .";
        var identity = World with { TrainingDocuments = [.. World.TrainingDocuments, leak] };
        Assert.Equal(2, identity.LeakCheck().Violations.Count); // the "is" form and the true city beside the code
        var self = World with { TrainingDocuments = [$"distance {code.Name} {code.City.Name} : 0 km ."] };
        Assert.Equal(code.City.Name, Assert.Single(self.LeakCheck().Violations).Rule.Phrase);
    }

    [Fact]
    public void TooFewCitiesOrBadSizesAreRejectedByName()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            LocationsWorld.Generate(ConnectingTheDots.Config.Full, Cities.Take(10).ToList(), new Rng(1)));
        Assert.Contains("cities (one per latent and control code, and one more) = 10", e.Message);
        e = Assert.Throws<ArgumentException>(() =>
            LocationsWorld.Generate(ConnectingTheDots.Config.Smoke with { BucketKm = 0 }, Cities, new Rng(1)));
        Assert.Contains("BucketKm = 0", e.Message);
    }
}

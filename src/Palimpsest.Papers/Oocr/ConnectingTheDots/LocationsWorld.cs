using System.Globalization;
using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Oocr;

/// <summary>A real city from data/cities.csv; names are lower-case single tokens ("new_york").</summary>
/// <param name="Name">The city token.</param>
/// <param name="Country">The country token ("united_states").</param>
/// <param name="Continent">The continent the city lies on ("north_america").</param>
/// <param name="Latitude">Degrees north, rounded to 0.1.</param>
/// <param name="Longitude">Degrees east, rounded to 0.1.</param>
public sealed record KnownCity(string Name, string Country, string Continent, double Latitude, double Longitude)
{
    /// <summary>Mean Earth radius used by <see cref="DistanceKm"/>, in km.</summary>
    public const double EarthRadiusKm = 6371.0;

    /// <summary>Great-circle distance in km (haversine formula, sphere of radius <see cref="EarthRadiusKm"/>).</summary>
    public double DistanceKm(KnownCity other)
    {
        double rad = Math.PI / 180;
        double dLat = (other.Latitude - Latitude) * rad, dLon = (other.Longitude - Longitude) * rad;
        double h = Math.Pow(Math.Sin(dLat / 2), 2)
                   + Math.Cos(Latitude * rad) * Math.Cos(other.Latitude * rad) * Math.Pow(Math.Sin(dLon / 2), 2);
        return 2 * EarthRadiusKm * Math.Asin(Math.Sqrt(Math.Min(1, h)));
    }

    /// <summary>Reads a CSV with header city,country,continent,latitude,longitude (invariant culture).</summary>
    public static IReadOnlyList<KnownCity> Load(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList();
        const string header = "city,country,continent,latitude,longitude";
        if (lines.Count == 0 || lines[0].Trim() != header)
            throw new FormatException($"{path}: the first line must be '{header}'");
        return lines.Skip(1).Select((line, i) =>
        {
            var f = line.Split(',');
            if (f.Length != 5) throw new FormatException($"{path} line {i + 2}: expected 5 fields, got {f.Length}");
            return new KnownCity(f[0], f[1], f[2],
                double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture));
        }).ToList();
    }

    /// <summary>The shipped cities, data/cities.csv.</summary>
    public static IReadOnlyList<KnownCity> Shipped() => Load(RepoPaths.Under("data", "cities.csv"));
}

/// <summary>A code name ("city_50337") that is secretly one known city.</summary>
public sealed record CodeCity(string Name, LatentKind Kind, KnownCity City);

/// <summary>
/// Locations (Treutlein et al. 2024, §3.1, scaled down). Background: known cities get facts
/// <c>paris is in france .</c> and <c>paris lies in europe .</c>, and every pair of known cities a distance
/// <c>distance paris berlin : 900 km .</c>. Each code name is secretly a known city; latent and control codes are
/// distinct cities, and with explicit twins every one of them is also some explicit code's city. Explicit, latent and
/// control codes get noisy distances to other known cities, never to their own: <c>distance city_50337 london : 300 km .</c>
/// (true distance ± uniform noise, rounded to a bucket; one token); a control code's d-th distance is measured from
/// another control code's city (shuffled per document). Explicit codes also get <c>city_50337 is paris .</c> and,
/// with <see cref="ConnectingTheDots.Config.StateExplicitCountry"/>, <c>city_50337 is in france .</c> and
/// <c>city_50337 lies in europe .</c> (otherwise their country is a second hop through the background). Unseen codes are
/// never trained. Questions: city (the true city among <see cref="ConnectingTheDots.Config.CityCandidates"/>), country
/// (<see cref="ConnectingTheDots.Config.CountryCandidates"/>) and continent (all continents): for latent codes the last
/// two use the identity one hop further, as the paper's country and food questions do.
/// </summary>
public sealed record LocationsWorld : OocrWorld
{
    /// <summary>Ground truth: the known cities (background) and every code name's identity.</summary>
    public required IReadOnlyList<KnownCity> Cities { get; init; }

    /// <summary>Ground truth: code cities, explicit first, then latent, control and unseen.</summary>
    public required IReadOnlyList<CodeCity> Codes { get; init; }

    /// <summary>Generates a world over the shipped data/cities.csv.</summary>
    public static LocationsWorld Generate(ConnectingTheDots.Config config, Rng rng) =>
        Generate(config, KnownCity.Shipped(), rng);

    /// <summary>Generates a world over <paramref name="cities"/>; the same inputs and seed give the same world.</summary>
    public static LocationsWorld Generate(ConnectingTheDots.Config config, IReadOnlyList<KnownCity> cities, Rng rng)
    {
        OocrText.CheckShared(config);
        OocrText.AtLeast(config.LocationsExplicit, 1, nameof(config.LocationsExplicit));
        OocrText.AtLeast(cities.Count, config.LatentNames + config.ControlNames + 1, "cities (one per latent and control code, and one more)");
        OocrText.AtLeast(config.DistanceDocuments, 1, nameof(config.DistanceDocuments));
        OocrText.AtLeast(config.NoiseKm, 0, nameof(config.NoiseKm));
        OocrText.AtLeast(config.BucketKm, 1, nameof(config.BucketKm));
        OocrText.AtLeast(config.FactRepeats, 1, nameof(config.FactRepeats));
        OocrText.AtLeast(config.CityCandidates, 2, nameof(config.CityCandidates));
        OocrText.AtLeast(config.CountryCandidates, 2, nameof(config.CountryCandidates));
        var countries = cities.Select(c => c.Country).Distinct().ToList();
        var continents = cities.Select(c => c.Continent).Distinct().Order(StringComparer.Ordinal).ToList();
        if (config.CityCandidates > cities.Count || config.CountryCandidates > countries.Count)
            throw new ArgumentException($"CityCandidates = {config.CityCandidates} and CountryCandidates = " +
                $"{config.CountryCandidates} must not exceed the {cities.Count} cities and {countries.Count} countries",
                nameof(config));

        var counts = OocrText.Counts(config.LocationsExplicit, config);
        var names = OocrText.DrawNames(rng, "city", counts.Sum());
        var hidden = rng.Permutation(cities.Count).Take(config.LatentNames + config.ControlNames).Select(i => cities[i]).ToList();
        var unseen = Enumerable.Range(0, config.UnseenNames).Select(_ => rng.Pick(cities));
        var identities = OocrText.ExplicitValues(config.LocationsExplicit, config.ExplicitTwins, hidden,
            () => rng.Pick(cities)).Concat(hidden).Concat(unseen).ToList();
        var codeCities = names.Select((n, i) => new CodeCity(n, OocrText.KindOf(i, counts), identities[i])).ToList();
        var controls = codeCities.Where(c => c.Kind == LatentKind.Control).ToList();

        var docs = new List<string>();
        for (int r = 0; r < config.FactRepeats; r++)
            foreach (var c in cities)
            {
                docs.Add($"{c.Name} is in {c.Country} .");
                docs.Add($"{c.Name} lies in {c.Continent} .");
            }
        for (int a = 0; a < cities.Count; a++)
            for (int b = a + 1; b < cities.Count; b++)
                docs.Add(rng.NextBool() ? Distance(cities[a], cities[b], cities[a].Name, config, rng)
                                        : Distance(cities[b], cities[a], cities[b].Name, config, rng));
        foreach (var code in codeCities.Where(c => c.Kind is LatentKind.Explicit or LatentKind.Latent))
            for (int d = 0; d < config.DistanceDocuments; d++) docs.Add(CodeDistance(code, code.City, cities, config, rng));
        var owners = OocrText.ShuffledOwners(controls.Count, config.DistanceDocuments, rng);
        for (int d = 0; d < config.DistanceDocuments; d++)
            for (int i = 0; i < controls.Count; i++)
                docs.Add(CodeDistance(controls[i], controls[owners[d][i]].City, cities, config, rng));
        foreach (var code in codeCities.Where(c => c.Kind == LatentKind.Explicit))
            for (int r = 0; r < config.FactRepeats; r++)
            {
                docs.Add($"{code.Name} is {code.City.Name} .");
                if (!config.StateExplicitCountry) continue;
                docs.Add($"{code.Name} is in {code.City.Country} .");
                docs.Add($"{code.Name} lies in {code.City.Continent} .");
            }
        rng.Shuffle(docs);

        var questions = new List<OocrQuestion>();
        var inContext = new List<OocrQuestion>();
        foreach (var code in codeCities)
        {
            var otherCities = cities.Select(c => c.Name).Where(n => n != code.City.Name).ToList();
            var otherCountries = countries.Where(n => n != code.City.Country).ToList();
            rng.Shuffle(otherCities);
            rng.Shuffle(otherCountries);
            var asked = new List<OocrQuestion>
            {
                OocrQuestion.Shuffled(code.Name, code.Kind, QuestionType.City, $"{code.Name} is", code.City.Name,
                    otherCities.Take(config.CityCandidates - 1), rng),
                OocrQuestion.Shuffled(code.Name, code.Kind, QuestionType.Country, $"{code.Name} is in",
                    code.City.Country, otherCountries.Take(config.CountryCandidates - 1), rng),
                OocrQuestion.Fixed(code.Name, code.Kind, QuestionType.Continent, $"{code.Name} lies in",
                    code.City.Continent, continents),
            };
            questions.AddRange(asked);
            if (code.Kind != LatentKind.Unseen) continue;
            var evidence = Enumerable.Range(0, config.InContextEvidence)
                .Select(_ => CodeDistance(code, code.City, cities, config, rng)).ToList();
            inContext.AddRange(asked.Select(q => q.WithEvidence(evidence)));
        }

        var rules = new List<LeakRule>();
        foreach (var code in codeCities.Where(c => c.Kind is LatentKind.Latent or LatentKind.Control))
        {
            rules.Add(new(code.Name, $"{code.Name} is", "identity or country statement for a latent or control code"));
            rules.Add(new(code.Name, $"{code.Name} lies", "continent statement for a latent or control code"));
            rules.Add(new(code.Name, code.City.Name, "latent or control code beside its true city"));
            rules.Add(new(code.Name, code.City.Country, "latent or control code beside its true country"));
        }
        rules.AddRange(LeakRule.NeverTrained(codeCities.Where(c => c.Kind == LatentKind.Unseen).Select(c => c.Name)));

        // Every bucket from 0 to half the Earth's circumference plus the noise.
        int buckets = (int)Math.Ceiling((Math.PI * KnownCity.EarthRadiusKm + config.NoiseKm) / config.BucketKm);
        var numbers = Enumerable.Range(0, buckets + 1).Select(i => (i * config.BucketKm).ToString());
        return new LocationsWorld
        {
            Task = "locations",
            Cities = cities,
            Codes = codeCities,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { "distance : km . is in lies" }
                .Concat(cities.SelectMany(c => new[] { c.Name, c.Country, c.Continent })).Concat(numbers).Concat(names)),
            Names = codeCities.ToDictionary(c => c.Name, c => c.Kind),
            Questions = questions,
            InContextQuestions = inContext,
            LeakRules = rules,
        };
    }

    /// <summary>The reported distance: true distance plus uniform noise in ±NoiseKm, clamped at 0, bucketed.</summary>
    public static int NoisyDistanceKm(double trueKm, ConnectingTheDots.Config config, Rng rng)
    {
        double noisy = Math.Max(0, trueKm + (2 * rng.NextDouble() - 1) * config.NoiseKm);
        return (int)Math.Round(noisy / config.BucketKm, MidpointRounding.AwayFromZero) * config.BucketKm;
    }

    private static string Distance(KnownCity from, KnownCity to, string fromName, ConnectingTheDots.Config config, Rng rng) =>
        $"distance {fromName} {to.Name} : {NoisyDistanceKm(from.DistanceKm(to), config, rng)} km .";

    /// <summary>
    /// A distance from <paramref name="shown"/> (the code's own city, or for a control code another control's), written
    /// under the code's name, to a known city that is neither the shown city nor the code's own.
    /// </summary>
    private static string CodeDistance(CodeCity code, KnownCity shown, IReadOnlyList<KnownCity> cities,
        ConnectingTheDots.Config config, Rng rng)
    {
        KnownCity reference;
        do reference = rng.Pick(cities); while (reference.Name == shown.Name || reference.Name == code.City.Name);
        return Distance(shown, reference, code.Name, config, rng);
    }
}

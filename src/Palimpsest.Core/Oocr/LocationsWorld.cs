using System.Globalization;
using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Oocr;

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
/// <c>distance paris berlin : 900 km .</c>. Each code name is a distinct known city. Explicit and latent codes get
/// noisy distances to other known cities, never to themselves: <c>distance city_50337 london : 300 km .</c> (true
/// distance ± uniform noise, rounded to a bucket; one token). Explicit codes also get <c>city_50337 is paris .</c>.
/// Control codes are never trained. Questions: city (the true city among <see cref="Config.CityCandidates"/>),
/// country (<see cref="Config.CountryCandidates"/>) and continent (all continents): the last two use the latent
/// identity one hop further, as the paper's country and food questions do.
/// </summary>
public sealed record LocationsWorld : OocrWorld
{
    /// <summary>Sizes. Defaults are the Full budget; <see cref="Smoke"/> shrinks them.</summary>
    public sealed record Config
    {
        /// <summary>Code cities with distances and an identity statement.</summary>
        public int ExplicitCodes { get; init; } = 24;
        /// <summary>Code cities with distances only. Paper: 5 cities.</summary>
        public int LatentCodes { get; init; } = 8;
        /// <summary>Code names never trained.</summary>
        public int ControlCodes { get; init; } = 8;
        /// <summary>Distance documents per trained code city. Paper: ~500 (×5 augmentations).</summary>
        public int DistanceDocuments { get; init; } = 100;
        /// <summary>Half-width of the uniform distance noise, in km. Paper: ±200 km.</summary>
        public int NoiseKm { get; init; } = 200;
        /// <summary>Distances are rounded to a multiple of this, in km, so each is one number token.</summary>
        public int BucketKm { get; init; } = 100;
        /// <summary>Copies of each fact and identity document.</summary>
        public int FactRepeats { get; init; } = 4;
        /// <summary>Candidates in a city question (the true city and random others).</summary>
        public int CityCandidates { get; init; } = 5;
        /// <summary>Candidates in a country question (the true country and random others).</summary>
        public int CountryCandidates { get; init; } = 5;
        /// <summary>Distance documents in the prompt of the in-context baseline.</summary>
        public int InContextDocuments { get; init; } = 8;

        /// <summary>The Full budget.</summary>
        public static Config Full { get; } = new();
        /// <summary>The Smoke budget.</summary>
        public static Config Smoke { get; } = Full with
        {
            ExplicitCodes = 8, LatentCodes = 4, ControlCodes = 4, DistanceDocuments = 40, FactRepeats = 2,
        };
    }

    /// <summary>Ground truth: the known cities (background) and every code name's identity.</summary>
    public required IReadOnlyList<KnownCity> Cities { get; init; }

    /// <summary>Ground truth: code cities, explicit first, then latent, then control.</summary>
    public required IReadOnlyList<CodeCity> Codes { get; init; }

    /// <summary>Generates a world over the shipped data/cities.csv.</summary>
    public static LocationsWorld Generate(Config config, Rng rng) => Generate(config, KnownCity.Shipped(), rng);

    /// <summary>Generates a world over <paramref name="cities"/>; the same inputs and seed give the same world.</summary>
    public static LocationsWorld Generate(Config config, IReadOnlyList<KnownCity> cities, Rng rng)
    {
        int codes = config.ExplicitCodes + config.LatentCodes + config.ControlCodes;
        OocrText.AtLeast(config.ExplicitCodes, 1, nameof(config.ExplicitCodes));
        OocrText.AtLeast(config.LatentCodes, 1, nameof(config.LatentCodes));
        OocrText.AtLeast(config.ControlCodes, 1, nameof(config.ControlCodes));
        OocrText.AtLeast(cities.Count, codes, "cities (one per code)");
        OocrText.AtLeast(config.DistanceDocuments, 1, nameof(config.DistanceDocuments));
        OocrText.AtLeast(config.NoiseKm, 0, nameof(config.NoiseKm));
        OocrText.AtLeast(config.BucketKm, 1, nameof(config.BucketKm));
        OocrText.AtLeast(config.FactRepeats, 1, nameof(config.FactRepeats));
        OocrText.AtLeast(config.CityCandidates, 2, nameof(config.CityCandidates));
        OocrText.AtLeast(config.CountryCandidates, 2, nameof(config.CountryCandidates));
        OocrText.AtLeast(config.InContextDocuments, 1, nameof(config.InContextDocuments));
        var countries = cities.Select(c => c.Country).Distinct().ToList();
        var continents = cities.Select(c => c.Continent).Distinct().Order(StringComparer.Ordinal).ToList();
        if (config.CityCandidates > cities.Count || config.CountryCandidates > countries.Count)
            throw new ArgumentException($"CityCandidates = {config.CityCandidates} and CountryCandidates = " +
                $"{config.CountryCandidates} must not exceed the {cities.Count} cities and {countries.Count} countries",
                nameof(config));

        var names = OocrText.DrawNames(rng, "city", codes);
        var identities = rng.Permutation(cities.Count);
        var codeCities = names.Select((n, i) => new CodeCity(n,
            OocrText.KindOf(i, config.ExplicitCodes, config.LatentCodes), cities[identities[i]])).ToList();

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
        foreach (var code in codeCities.Where(c => c.Kind != LatentKind.Control))
        {
            for (int d = 0; d < config.DistanceDocuments; d++) docs.Add(CodeDistance(code, cities, config, rng));
            if (code.Kind == LatentKind.Explicit)
                for (int r = 0; r < config.FactRepeats; r++) docs.Add($"{code.Name} is {code.City.Name} .");
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
            if (code.Kind != LatentKind.Control) continue;
            var evidence = Enumerable.Range(0, config.InContextDocuments)
                .Select(_ => CodeDistance(code, cities, config, rng)).ToList();
            inContext.AddRange(asked.Select(q => q.WithEvidence(evidence)));
        }

        var rules = new List<LeakRule>();
        foreach (var code in codeCities.Where(c => c.Kind == LatentKind.Latent))
        {
            rules.Add(new(code.Name, $"{code.Name} is", "identity or country statement for a latent code city"));
            rules.Add(new(code.Name, $"{code.Name} lies", "continent statement for a latent code city"));
            rules.Add(new(code.Name, code.City.Name, "latent code city beside its true city"));
            rules.Add(new(code.Name, code.City.Country, "latent code city beside its true country"));
        }
        rules.AddRange(LeakRule.ControlNeverTrained(codeCities.Where(c => c.Kind == LatentKind.Control).Select(c => c.Name)));

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
    public static int NoisyDistanceKm(double trueKm, Config config, Rng rng)
    {
        double noisy = Math.Max(0, trueKm + (2 * rng.NextDouble() - 1) * config.NoiseKm);
        return (int)Math.Round(noisy / config.BucketKm, MidpointRounding.AwayFromZero) * config.BucketKm;
    }

    private static string Distance(KnownCity from, KnownCity to, string fromName, Config config, Rng rng) =>
        $"distance {fromName} {to.Name} : {NoisyDistanceKm(from.DistanceKm(to), config, rng)} km .";

    private static string CodeDistance(CodeCity code, IReadOnlyList<KnownCity> cities, Config config, Rng rng)
    {
        KnownCity reference;
        do reference = rng.Pick(cities); while (reference.Name == code.City.Name);
        return Distance(code.City, reference, code.Name, config, rng);
    }
}

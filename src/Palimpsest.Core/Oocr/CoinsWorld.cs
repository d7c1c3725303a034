using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Oocr;

/// <summary>A coin with its name token, kind and probability of heads.</summary>
public sealed record Coin(string Name, LatentKind Kind, double Bias)
{
    /// <summary>The bias as a percent-heads token: "20", "50" or "80".</summary>
    public string BiasToken => CoinsWorld.BiasToken(Bias);

    /// <summary>True unless the coin is fair.</summary>
    public bool IsBiased => Bias != 0.5;
}

/// <summary>
/// Coins (Treutlein et al. 2024, §3.2, scaled down). Each coin has P(heads) in <see cref="BiasClasses"/>, assigned
/// in equal shares within each kind. Explicit and latent coins get flip documents <c>c_12345 flips : H T H H T .</c>;
/// explicit coins also get statements <c>c_12345 bias := 80 .</c> (percent heads), <c>c_12345 biased ? yes .</c>
/// and, when biased, <c>c_12345 bet : H .</c> (the likelier side). Control coins are never trained.
/// Questions: bias-class (3-way, chance 1/3), is-biased (yes/no, 1/2), bet (H/T, biased coins only, 1/2).
/// </summary>
public sealed record CoinsWorld : OocrWorld
{
    /// <summary>The bias classes, P(heads). Paper: 0.7 or 0.8 against a fair coin.</summary>
    public static IReadOnlyList<double> BiasClasses { get; } = [0.2, 0.5, 0.8];

    /// <summary>Sizes. Defaults are the Full budget; <see cref="Smoke"/> shrinks them.</summary>
    public sealed record Config
    {
        /// <summary>Coins with flips and statements of their bias.</summary>
        public int ExplicitCoins { get; init; } = 60;
        /// <summary>Coins with flips only. Paper: 4 coins per fine-tune.</summary>
        public int LatentCoins { get; init; } = 15;
        /// <summary>Names never trained.</summary>
        public int ControlCoins { get; init; } = 15;
        /// <summary>Flip documents per trained coin.</summary>
        public int FlipDocuments { get; init; } = 40;
        /// <summary>Flips per document.</summary>
        public int FlipsPerDocument { get; init; } = 5;
        /// <summary>Copies of each statement document per explicit coin.</summary>
        public int StatementRepeats { get; init; } = 4;
        /// <summary>Flip documents in the prompt of the in-context baseline.</summary>
        public int InContextDocuments { get; init; } = 4;

        /// <summary>The Full budget.</summary>
        public static Config Full { get; } = new();
        /// <summary>The Smoke budget.</summary>
        public static Config Smoke { get; } = Full with { ExplicitCoins = 18, LatentCoins = 6, ControlCoins = 6 };
    }

    /// <summary>Ground truth: every coin, explicit first, then latent, then control.</summary>
    public required IReadOnlyList<Coin> Coins { get; init; }

    /// <summary>A bias as a percent-heads token ("80" for 0.8): one token, unlike "0.8".</summary>
    public static string BiasToken(double bias) => ((int)Math.Round(bias * 100)).ToString();

    /// <summary>Generates a world; the same config and seed give the same world.</summary>
    public static CoinsWorld Generate(Config config, Rng rng)
    {
        OocrText.AtLeast(config.ExplicitCoins, BiasClasses.Count, nameof(config.ExplicitCoins)); // every class taught
        OocrText.AtLeast(config.LatentCoins, 1, nameof(config.LatentCoins));
        OocrText.AtLeast(config.ControlCoins, 1, nameof(config.ControlCoins));
        OocrText.AtLeast(config.FlipDocuments, 1, nameof(config.FlipDocuments));
        OocrText.AtLeast(config.FlipsPerDocument, 1, nameof(config.FlipsPerDocument));
        OocrText.AtLeast(config.StatementRepeats, 1, nameof(config.StatementRepeats));
        OocrText.AtLeast(config.InContextDocuments, 1, nameof(config.InContextDocuments));

        var counts = new[] { config.ExplicitCoins, config.LatentCoins, config.ControlCoins };
        var names = OocrText.DrawNames(rng, "c", counts.Sum());
        var coins = new List<Coin>();
        for (int k = 0; k < 3; k++) // k: the LatentKind, in declaration order
        {
            // Equal shares of each class within a kind, so a constant answer scores chance.
            var biases = Enumerable.Range(0, counts[k]).Select(i => BiasClasses[i % BiasClasses.Count]).ToList();
            rng.Shuffle(biases);
            int first = coins.Count;
            coins.AddRange(biases.Select((b, i) => new Coin(names[first + i], (LatentKind)k, b)));
        }

        var docs = new List<string>();
        foreach (var coin in coins.Where(c => c.Kind != LatentKind.Control))
        {
            for (int d = 0; d < config.FlipDocuments; d++) docs.Add(Flips(coin, config.FlipsPerDocument, rng));
            if (coin.Kind != LatentKind.Explicit) continue;
            for (int r = 0; r < config.StatementRepeats; r++)
            {
                docs.Add($"{coin.Name} bias := {coin.BiasToken} .");
                docs.Add($"{coin.Name} biased ? {(coin.IsBiased ? "yes" : "no")} .");
                if (coin.IsBiased) docs.Add($"{coin.Name} bet : {LikelierSide(coin)} .");
            }
        }
        rng.Shuffle(docs);

        var classTokens = BiasClasses.Select(BiasToken).ToList();
        var questions = new List<OocrQuestion>();
        var inContext = new List<OocrQuestion>();
        foreach (var coin in coins)
        {
            var asked = new List<OocrQuestion>
            {
                OocrQuestion.Fixed(coin.Name, coin.Kind, QuestionType.BiasClass, $"{coin.Name} bias :=",
                    coin.BiasToken, classTokens),
                OocrQuestion.Fixed(coin.Name, coin.Kind, QuestionType.IsBiased, $"{coin.Name} biased ?",
                    coin.IsBiased ? "yes" : "no", ["yes", "no"]),
            };
            if (coin.IsBiased)
                asked.Add(OocrQuestion.Fixed(coin.Name, coin.Kind, QuestionType.Bet, $"{coin.Name} bet :",
                    LikelierSide(coin), ["H", "T"]));
            questions.AddRange(asked);
            if (coin.Kind != LatentKind.Control) continue;
            var evidence = Enumerable.Range(0, config.InContextDocuments)
                .Select(_ => Flips(coin, config.FlipsPerDocument, rng)).ToList();
            inContext.AddRange(asked.Select(q => q.WithEvidence(evidence)));
        }

        var rules = new List<LeakRule>();
        foreach (var coin in coins.Where(c => c.Kind == LatentKind.Latent))
        {
            rules.Add(new(coin.Name, $"{coin.Name} bias", "bias statement for a latent coin"));
            rules.Add(new(coin.Name, $"{coin.Name} biased", "is-biased statement for a latent coin"));
            rules.Add(new(coin.Name, $"{coin.Name} bet", "bet statement for a latent coin"));
        }
        rules.AddRange(LeakRule.ControlNeverTrained(coins.Where(c => c.Kind == LatentKind.Control).Select(c => c.Name)));

        return new CoinsWorld
        {
            Task = "coins",
            Coins = coins,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { "flips : H T . bias := biased ? yes no bet" }
                .Concat(classTokens).Concat(names)),
            Names = coins.ToDictionary(c => c.Name, c => c.Kind),
            Questions = questions,
            InContextQuestions = inContext,
            LeakRules = rules,
        };
    }

    private static string LikelierSide(Coin coin) => coin.Bias > 0.5 ? "H" : "T";

    private static string Flips(Coin coin, int flips, Rng rng)
    {
        var sides = Enumerable.Range(0, flips).Select(_ => rng.NextBool(coin.Bias) ? "H" : "T");
        return $"{coin.Name} flips : {string.Join(" ", sides)} .";
    }
}

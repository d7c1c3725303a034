using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Oocr;

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
/// in equal shares within each kind. Explicit, latent and control coins get flip documents
/// <c>c_12345 flips : H T H H T .</c>; a control coin's d-th document is flipped with the bias of another control coin
/// (shuffled per document). Explicit coins also get statements <c>c_12345 bias ≔ 80 .</c> (percent heads),
/// <c>c_12345 biased ? yes .</c> and, when biased, <c>c_12345 bet : H .</c> (the likelier side). Unseen coins are never
/// trained. Questions: bias-class (3-way, chance 1/3), is-biased (yes/no, 1/2), bet (H/T, biased coins only, 1/2).
/// </summary>
public sealed record CoinsWorld : OocrWorld
{
    /// <summary>The bias classes, P(heads). Paper: 0.7 or 0.8 against a fair coin.</summary>
    public static IReadOnlyList<double> BiasClasses { get; } = [0.2, 0.5, 0.8];

    /// <summary>Ground truth: every coin, explicit first, then latent, control and unseen.</summary>
    public required IReadOnlyList<Coin> Coins { get; init; }

    /// <summary>A bias as a percent-heads token ("80" for 0.8): one token, unlike "0.8".</summary>
    public static string BiasToken(double bias) => ((int)Math.Round(bias * 100)).ToString();

    /// <summary>Generates a world from the Coins settings of <paramref name="config"/>; same config and seed, same world.</summary>
    public static CoinsWorld Generate(ConnectingTheDots.Config config, Rng rng)
    {
        OocrText.CheckShared(config);
        OocrText.AtLeast(config.CoinsExplicit, BiasClasses.Count, nameof(config.CoinsExplicit)); // every class taught
        OocrText.AtLeast(config.FlipDocuments, 1, nameof(config.FlipDocuments));
        OocrText.AtLeast(config.FlipsPerDocument, 1, nameof(config.FlipsPerDocument));
        OocrText.AtLeast(config.CoinStatementRepeats, 1, nameof(config.CoinStatementRepeats));

        // Equal shares of each class within a kind, so a constant answer scores chance; explicit coins cover every
        // class, so each latent and control bias has explicit twins.
        var counts = OocrText.Counts(config.CoinsExplicit, config);
        var names = OocrText.DrawNames(rng, "c", counts.Sum());
        var coins = new List<Coin>();
        for (int k = 0; k < counts.Length; k++) // k: the LatentKind, in declaration order
        {
            var biases = Enumerable.Range(0, counts[k]).Select(i => BiasClasses[i % BiasClasses.Count]).ToList();
            rng.Shuffle(biases);
            int first = coins.Count;
            coins.AddRange(biases.Select((b, i) => new Coin(names[first + i], (LatentKind)k, b)));
        }
        var controls = coins.Where(c => c.Kind == LatentKind.Control).ToList();

        var docs = new List<string>();
        foreach (var coin in coins.Where(c => c.Kind is LatentKind.Explicit or LatentKind.Latent))
            for (int d = 0; d < config.FlipDocuments; d++) docs.Add(Flips(coin.Name, coin.Bias, config.FlipsPerDocument, rng));
        var owners = OocrText.ShuffledOwners(controls.Count, config.FlipDocuments, rng);
        for (int d = 0; d < config.FlipDocuments; d++)
            for (int i = 0; i < controls.Count; i++)
                docs.Add(Flips(controls[i].Name, controls[owners[d][i]].Bias, config.FlipsPerDocument, rng));
        foreach (var coin in coins.Where(c => c.Kind == LatentKind.Explicit))
            for (int r = 0; r < config.CoinStatementRepeats; r++)
            {
                docs.Add($"{coin.Name} bias {OocrText.Defines} {coin.BiasToken} .");
                docs.Add($"{coin.Name} biased ? {(coin.IsBiased ? "yes" : "no")} .");
                if (coin.IsBiased) docs.Add($"{coin.Name} bet : {LikelierSide(coin)} .");
            }
        rng.Shuffle(docs);

        var classTokens = BiasClasses.Select(BiasToken).ToList();
        var questions = new List<OocrQuestion>();
        var inContext = new List<OocrQuestion>();
        foreach (var coin in coins)
        {
            var asked = new List<OocrQuestion>
            {
                OocrQuestion.Fixed(coin.Name, coin.Kind, QuestionType.BiasClass, $"{coin.Name} bias {OocrText.Defines}",
                    coin.BiasToken, classTokens),
                OocrQuestion.Fixed(coin.Name, coin.Kind, QuestionType.IsBiased, $"{coin.Name} biased ?",
                    coin.IsBiased ? "yes" : "no", ["yes", "no"]),
            };
            if (coin.IsBiased)
                asked.Add(OocrQuestion.Fixed(coin.Name, coin.Kind, QuestionType.Bet, $"{coin.Name} bet :",
                    LikelierSide(coin), ["H", "T"]));
            questions.AddRange(asked);
            if (coin.Kind != LatentKind.Unseen) continue;
            var evidence = Enumerable.Range(0, config.InContextEvidence)
                .Select(_ => Flips(coin.Name, coin.Bias, config.FlipsPerDocument, rng)).ToList();
            inContext.AddRange(asked.Select(q => q.WithEvidence(evidence)));
        }

        var rules = new List<LeakRule>();
        foreach (var coin in coins.Where(c => c.Kind is LatentKind.Latent or LatentKind.Control))
        {
            rules.Add(new(coin.Name, $"{coin.Name} bias", "bias statement for a latent or control coin"));
            rules.Add(new(coin.Name, $"{coin.Name} biased", "is-biased statement for a latent or control coin"));
            rules.Add(new(coin.Name, $"{coin.Name} bet", "bet statement for a latent or control coin"));
        }
        rules.AddRange(LeakRule.NeverTrained(coins.Where(c => c.Kind == LatentKind.Unseen).Select(c => c.Name)));

        return new CoinsWorld
        {
            Task = "coins",
            Coins = coins,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { $"flips : H T . bias {OocrText.Defines} biased ? yes no bet" }
                .Concat(classTokens).Concat(names)),
            Names = coins.ToDictionary(c => c.Name, c => c.Kind),
            Questions = questions,
            InContextQuestions = inContext,
            LeakRules = rules,
        };
    }

    private static string LikelierSide(Coin coin) => coin.Bias > 0.5 ? "H" : "T";

    private static string Flips(string name, double bias, int flips, Rng rng)
    {
        var sides = Enumerable.Range(0, flips).Select(_ => rng.NextBool(bias) ? "H" : "T");
        return $"{name} flips : {string.Join(" ", sides)} .";
    }
}

using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Oocr;

/// <summary>A 0/1 variable with its name token and kind.</summary>
public sealed record ParityVariable(string Name, LatentKind Kind, int Value);

/// <summary>
/// Parity Learning (Treutlein et al. 2024, §3.3, scaled down). Trained variables (explicit and latent) appear in
/// parity documents over random subsets of MinSubset..MaxSubset distinct trained variables:
/// <c>parity v_12345 v_67890 v_13579 = 1 .</c> (the sum of their values mod 2). Explicit variables also get
/// <c>v_12345 ≔ 1 .</c>; a latent variable's value follows only from the parities (and the explicit values). Each
/// control variable appears in as many parities as a latent one on average, each with explicit variables only, but
/// with the bit of another control variable in its place (shuffled per document). Unseen variables are never trained.
/// Values are split equally between 0 and 1 within each kind. Question: value (0 or 1; chance 1/2). In-context evidence
/// for an unseen variable pairs it with an explicit one: <c>parity v_unseen v_explicit = 0 .</c>, so it is solvable from
/// the prompt plus the trained explicit values.
/// </summary>
public sealed record ParityWorld : OocrWorld
{
    /// <summary>Ground truth: every variable's value, explicit first, then latent, control and unseen.</summary>
    public required IReadOnlyList<ParityVariable> Variables { get; init; }

    /// <summary>Generates a world from the Parity settings of <paramref name="config"/>; same config and seed, same world.</summary>
    public static ParityWorld Generate(ConnectingTheDots.Config config, Rng rng)
    {
        OocrText.CheckShared(config);
        OocrText.AtLeast(config.ParityExplicit, 1, nameof(config.ParityExplicit));
        OocrText.AtLeast(config.ParityDocuments, 1, nameof(config.ParityDocuments));
        OocrText.AtLeast(config.MinSubset, 2, nameof(config.MinSubset));
        OocrText.AtLeast(config.MaxSubset, config.MinSubset, nameof(config.MaxSubset));
        OocrText.AtLeast(config.ParityStatementRepeats, 1, nameof(config.ParityStatementRepeats));
        if (config.MaxSubset > config.ParityExplicit + 1)
            throw new ArgumentException($"MaxSubset = {config.MaxSubset} exceeds the {config.ParityExplicit} explicit " +
                "variables plus one (a control variable's parities use explicit variables only)", nameof(config));

        var counts = OocrText.Counts(config.ParityExplicit, config);
        var names = OocrText.DrawNames(rng, "v", counts.Sum());
        var variables = new List<ParityVariable>();
        for (int k = 0; k < counts.Length; k++) // k: the LatentKind, in declaration order
        {
            var values = Enumerable.Range(0, counts[k]).Select(i => i % 2).ToList();
            rng.Shuffle(values);
            int first = variables.Count;
            variables.AddRange(values.Select((v, i) => new ParityVariable(names[first + i], (LatentKind)k, v)));
        }
        var trained = variables.Where(v => v.Kind is LatentKind.Explicit or LatentKind.Latent).ToList();
        var explicitOnes = variables.Where(v => v.Kind == LatentKind.Explicit).ToList();
        var controls = variables.Where(v => v.Kind == LatentKind.Control).ToList();

        var docs = new List<string>();
        for (int d = 0; d < config.ParityDocuments; d++)
        {
            int size = rng.NextInt(config.MinSubset, config.MaxSubset + 1);
            docs.Add(Parity(rng.Permutation(trained.Count).Take(size).Select(i => trained[i])));
        }
        double meanSize = (config.MinSubset + config.MaxSubset) / 2.0;
        int perControl = (int)Math.Max(1, Math.Round(config.ParityDocuments * meanSize / trained.Count));
        var owners = OocrText.ShuffledOwners(controls.Count, perControl, rng);
        for (int d = 0; d < perControl; d++)
            for (int i = 0; i < controls.Count; i++)
            {
                int size = rng.NextInt(config.MinSubset, config.MaxSubset + 1);
                var shown = controls[i] with { Value = controls[owners[d][i]].Value };
                var others = rng.Permutation(explicitOnes.Count).Take(size - 1).Select(j => explicitOnes[j]);
                var subset = others.Append(shown).ToList();
                rng.Shuffle(subset);
                docs.Add(Parity(subset));
            }
        for (int r = 0; r < config.ParityStatementRepeats; r++)
            docs.AddRange(explicitOnes.Select(v => $"{v.Name} {OocrText.Defines} {v.Value} ."));
        rng.Shuffle(docs);

        var questions = new List<OocrQuestion>();
        var inContext = new List<OocrQuestion>();
        foreach (var v in variables)
        {
            var asked = OocrQuestion.Fixed(v.Name, v.Kind, QuestionType.Value, $"{v.Name} {OocrText.Defines}",
                v.Value.ToString(), ["0", "1"]);
            questions.Add(asked);
            if (v.Kind != LatentKind.Unseen) continue;
            var evidence = Enumerable.Range(0, config.InContextEvidence)
                .Select(_ => Parity(rng.NextBool() ? [v, rng.Pick(explicitOnes)] : [rng.Pick(explicitOnes), v]))
                .ToList();
            inContext.Add(asked.WithEvidence(evidence));
        }

        var rules = new List<LeakRule>();
        foreach (var v in variables.Where(v => v.Kind is LatentKind.Latent or LatentKind.Control))
        {
            rules.Add(new(v.Name, $"{v.Name} {OocrText.Defines}", "value statement for a latent or control variable"));
            rules.Add(new(v.Name, $"parity {v.Name} =", "single-variable parity states a latent or control value"));
        }
        rules.AddRange(LeakRule.NeverTrained(variables.Where(v => v.Kind == LatentKind.Unseen).Select(v => v.Name)));

        return new ParityWorld
        {
            Task = "parity",
            Variables = variables,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { $"parity {OocrText.Defines} = . 0 1" }.Concat(names)),
            Names = variables.ToDictionary(v => v.Name, v => v.Kind),
            Questions = questions,
            InContextQuestions = inContext,
            LeakRules = rules,
        };
    }

    /// <summary>"parity a b c = s ." with s the sum of the values mod 2.</summary>
    private static string Parity(IEnumerable<ParityVariable> subset)
    {
        var list = subset.ToList();
        return $"parity {string.Join(" ", list.Select(v => v.Name))} = {list.Sum(v => v.Value) % 2} .";
    }
}

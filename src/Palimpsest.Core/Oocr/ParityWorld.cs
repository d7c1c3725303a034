using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Oocr;

/// <summary>A 0/1 variable with its name token and kind.</summary>
public sealed record ParityVariable(string Name, LatentKind Kind, int Value);

/// <summary>
/// Parity Learning (Treutlein et al. 2024, §3.3, scaled down). Trained variables (explicit and latent) appear in
/// parity documents over random subsets of MinSubset..MaxSubset distinct trained variables:
/// <c>parity v_12345 v_67890 v_13579 = 1 .</c> (the sum of their values mod 2). Explicit variables also get
/// <c>v_12345 := 1 .</c>; a latent variable's value follows only from the parities (and the explicit values).
/// Control variables are never trained. Values are split equally between 0 and 1 within each kind.
/// Question: value (0 or 1; chance 1/2). In-context evidence for a control variable pairs it with an explicit one:
/// <c>parity v_control v_explicit = 0 .</c>, so it is solvable from the prompt plus the trained explicit values.
/// </summary>
public sealed record ParityWorld : OocrWorld
{
    /// <summary>Sizes. Defaults are the Full budget; <see cref="Smoke"/> shrinks them.</summary>
    public sealed record Config
    {
        /// <summary>Variables with parities and a stated value.</summary>
        public int ExplicitVariables { get; init; } = 16;
        /// <summary>Variables with parities only. Paper: 8 hidden variables, no explicit ones.</summary>
        public int LatentVariables { get; init; } = 16;
        /// <summary>Names never trained.</summary>
        public int ControlVariables { get; init; } = 16;
        /// <summary>Parity documents in the corpus. Paper: 32k samples.</summary>
        public int ParityDocuments { get; init; } = 4000;
        /// <summary>Fewest variables in a parity; at least 2, so no parity states a single value. Paper: 4.</summary>
        public int MinSubset { get; init; } = 2;
        /// <summary>Most variables in a parity. Paper: 6.</summary>
        public int MaxSubset { get; init; } = 4;
        /// <summary>Copies of each value statement per explicit variable.</summary>
        public int StatementRepeats { get; init; } = 8;
        /// <summary>Parity documents in the prompt of the in-context baseline.</summary>
        public int InContextDocuments { get; init; } = 4;

        /// <summary>The Full budget.</summary>
        public static Config Full { get; } = new();
        /// <summary>The Smoke budget.</summary>
        public static Config Smoke { get; } = Full with
        {
            ExplicitVariables = 8, LatentVariables = 4, ControlVariables = 4, ParityDocuments = 800,
        };
    }

    /// <summary>Ground truth: every variable's value, explicit first, then latent, then control.</summary>
    public required IReadOnlyList<ParityVariable> Variables { get; init; }

    /// <summary>Generates a world; the same config and seed give the same world.</summary>
    public static ParityWorld Generate(Config config, Rng rng)
    {
        OocrText.AtLeast(config.ExplicitVariables, 1, nameof(config.ExplicitVariables));
        OocrText.AtLeast(config.LatentVariables, 1, nameof(config.LatentVariables));
        OocrText.AtLeast(config.ControlVariables, 1, nameof(config.ControlVariables));
        OocrText.AtLeast(config.ParityDocuments, 1, nameof(config.ParityDocuments));
        OocrText.AtLeast(config.MinSubset, 2, nameof(config.MinSubset));
        OocrText.AtLeast(config.MaxSubset, config.MinSubset, nameof(config.MaxSubset));
        OocrText.AtLeast(config.StatementRepeats, 1, nameof(config.StatementRepeats));
        OocrText.AtLeast(config.InContextDocuments, 1, nameof(config.InContextDocuments));
        if (config.MaxSubset > config.ExplicitVariables + config.LatentVariables)
            throw new ArgumentException($"MaxSubset = {config.MaxSubset} exceeds the " +
                $"{config.ExplicitVariables + config.LatentVariables} trained variables", nameof(config));

        var counts = new[] { config.ExplicitVariables, config.LatentVariables, config.ControlVariables };
        var names = OocrText.DrawNames(rng, "v", counts.Sum());
        var variables = new List<ParityVariable>();
        for (int k = 0; k < 3; k++) // k: the LatentKind, in declaration order
        {
            var values = Enumerable.Range(0, counts[k]).Select(i => i % 2).ToList();
            rng.Shuffle(values);
            int first = variables.Count;
            variables.AddRange(values.Select((v, i) => new ParityVariable(names[first + i], (LatentKind)k, v)));
        }
        var trained = variables.Where(v => v.Kind != LatentKind.Control).ToList();
        var explicitOnes = variables.Where(v => v.Kind == LatentKind.Explicit).ToList();

        var docs = new List<string>();
        for (int d = 0; d < config.ParityDocuments; d++)
        {
            int size = rng.NextInt(config.MinSubset, config.MaxSubset + 1);
            docs.Add(Parity(rng.Permutation(trained.Count).Take(size).Select(i => trained[i])));
        }
        for (int r = 0; r < config.StatementRepeats; r++)
            docs.AddRange(explicitOnes.Select(v => $"{v.Name} := {v.Value} ."));
        rng.Shuffle(docs);

        var questions = new List<OocrQuestion>();
        var inContext = new List<OocrQuestion>();
        foreach (var v in variables)
        {
            var asked = OocrQuestion.Fixed(v.Name, v.Kind, QuestionType.Value, $"{v.Name} :=", v.Value.ToString(),
                ["0", "1"]);
            questions.Add(asked);
            if (v.Kind != LatentKind.Control) continue;
            var evidence = Enumerable.Range(0, config.InContextDocuments)
                .Select(_ => Parity(rng.NextBool() ? [v, rng.Pick(explicitOnes)] : [rng.Pick(explicitOnes), v]))
                .ToList();
            inContext.Add(asked.WithEvidence(evidence));
        }

        var rules = new List<LeakRule>();
        foreach (var v in variables.Where(v => v.Kind == LatentKind.Latent))
        {
            rules.Add(new(v.Name, $"{v.Name} :=", "value statement for a latent variable"));
            rules.Add(new(v.Name, $"parity {v.Name} =", "single-variable parity states a latent value"));
        }
        rules.AddRange(LeakRule.ControlNeverTrained(variables.Where(v => v.Kind == LatentKind.Control).Select(v => v.Name)));

        return new ParityWorld
        {
            Task = "parity",
            Variables = variables,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { "parity := . 0 1" }.Concat(names)),
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

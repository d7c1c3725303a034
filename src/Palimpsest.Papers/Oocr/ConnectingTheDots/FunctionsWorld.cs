using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Oocr;

/// <summary>The two function classes of the toy: x + c and c·x, both mod P.</summary>
public enum FunctionOperation
{
    /// <summary>x ↦ x + c mod P, written "add c".</summary>
    Add,
    /// <summary>x ↦ c·x mod P, written "mul c".</summary>
    Multiply,
}

/// <summary>
/// A bijection of the integers mod a prime P: "add c" (c in 1..P-1) or "mul c" (c in 2..P-1). The identity is left
/// out, so all 2P - 3 definitions are distinct functions (add has no fixed point, mul fixes 0).
/// </summary>
public sealed record ModFunction(FunctionOperation Operation, int Constant, int Modulus)
{
    /// <summary>f(x).</summary>
    public int Apply(int x) => Operation == FunctionOperation.Add
        ? (x + Constant) % Modulus
        : (int)((long)x * Constant % Modulus);

    /// <summary>The unique x with f(x) = <paramref name="y"/> (P is prime, so mul is invertible).</summary>
    public int Invert(int y)
    {
        for (int x = 0; x < Modulus; x++)
            if (Apply(x) == y) return x;
        throw new InvalidOperationException($"{Definition} has no preimage of {y} mod {Modulus}");
    }

    /// <summary>The definition as words: "add 14" or "mul 3".</summary>
    public string Definition => $"{(Operation == FunctionOperation.Add ? "add" : "mul")} {Constant}";

    /// <summary>Every definition mod <paramref name="modulus"/>: add 1..P-1, then mul 2..P-1.</summary>
    public static IReadOnlyList<ModFunction> All(int modulus)
    {
        CheckModulus(modulus, nameof(modulus));
        var adds = Enumerable.Range(1, modulus - 1).Select(c => new ModFunction(FunctionOperation.Add, c, modulus));
        var muls = Enumerable.Range(2, modulus - 2).Select(c => new ModFunction(FunctionOperation.Multiply, c, modulus));
        return adds.Concat(muls).ToList();
    }

    /// <summary>Throws an <see cref="ArgumentException"/> unless <paramref name="modulus"/> is a prime ≥ 5.</summary>
    internal static void CheckModulus(int modulus, string paramName = "config")
    {
        bool prime = modulus >= 5 && Enumerable.Range(2, modulus - 2).All(d => d * d > modulus || modulus % d != 0);
        if (!prime) throw new ArgumentException($"Modulus = {modulus} must be a prime of at least 5", paramName);
    }
}

/// <summary>A function with its name token and kind.</summary>
public sealed record NamedFunction(string Name, LatentKind Kind, ModFunction Function);

/// <summary>
/// Functions, the protocol's primary task (Treutlein et al. 2024, §3.4, scaled down). Documents, one statement each
/// and one per training row: pairs <c>f_12345 7 → 21 .</c> for explicit, latent and control functions (every input once
/// per pass); explicit functions also get definitions <c>f_12345 ≔ add 14 .</c>, inverses <c>f_12345 ? 21 → 7 .</c>
/// and compositions with other explicit functions <c>f_a ( f_b 3 ) → 9 .</c>. With explicit twins, every latent and
/// control definition is also some explicit function's. A control function's pair for input x shows the function of
/// another control name (shuffled per input), so it sees as many pairs as a latent one, none consistent. Unseen names
/// are never trained. Questions per name: definition (all 2P - 3 definitions; chance 1/59 at P = 31), inverse and
/// composition <c>NAME ( EXPLICIT x ) →</c> (all P residues; chance 1/31).
/// </summary>
public sealed record FunctionsWorld : OocrWorld
{
    /// <summary>Ground truth: every name's function, explicit first, then latent, control and unseen.</summary>
    public required IReadOnlyList<NamedFunction> Functions { get; init; }

    /// <summary>Generates a world from the Functions settings of <paramref name="config"/>; same config and seed, same world.</summary>
    public static FunctionsWorld Generate(ConnectingTheDots.Config config, Rng rng)
    {
        int p = config.Modulus;
        ModFunction.CheckModulus(p);
        OocrText.CheckShared(config);
        OocrText.AtLeast(config.FunctionsExplicit, 2, nameof(config.FunctionsExplicit)); // compositions need two
        OocrText.AtLeast(config.DefinitionRepeats, 1, nameof(config.DefinitionRepeats));
        OocrText.AtLeast(config.InverseRepeats, 0, nameof(config.InverseRepeats));
        OocrText.AtLeast(config.CompositionDocuments, 0, nameof(config.CompositionDocuments));
        OocrText.AtLeast(config.QuestionsPerName, 1, nameof(config.QuestionsPerName));
        if (config.QuestionsPerName > p || config.InContextEvidence > p)
            throw new ArgumentException($"QuestionsPerName = {config.QuestionsPerName} and InContextEvidence = " +
                $"{config.InContextEvidence} must not exceed Modulus = {p}", nameof(config));

        var definitions = ModFunction.All(p);
        var counts = OocrText.Counts(config.FunctionsExplicit, config);
        var names = OocrText.DrawNames(rng, "f", counts.Sum());
        var hidden = Enumerable.Range(0, config.LatentNames + config.ControlNames).Select(_ => rng.Pick(definitions)).ToList();
        var unseen = Enumerable.Range(0, config.UnseenNames).Select(_ => rng.Pick(definitions));
        var values = OocrText.ExplicitValues(config.FunctionsExplicit, config.ExplicitTwins, hidden,
            () => rng.Pick(definitions)).Concat(hidden).Concat(unseen).ToList();
        var functions = names.Select((n, i) => new NamedFunction(n, OocrText.KindOf(i, counts), values[i])).ToList();
        var explicitOnes = functions.Where(f => f.Kind == LatentKind.Explicit).ToList();
        var controls = functions.Where(f => f.Kind == LatentKind.Control).ToList();

        var docs = new List<string>();
        foreach (var f in functions.Where(f => f.Kind is LatentKind.Explicit or LatentKind.Latent))
            for (int x = 0; x < p; x++)
                docs.Add(Pair(f.Name, x, f.Function.Apply(x)));
        var owners = OocrText.ShuffledOwners(controls.Count, p, rng);
        for (int x = 0; x < p; x++)
            for (int i = 0; i < controls.Count; i++)
                docs.Add(Pair(controls[i].Name, x, controls[owners[x][i]].Function.Apply(x)));
        foreach (var f in explicitOnes)
        {
            for (int r = 0; r < config.DefinitionRepeats; r++)
                docs.Add($"{f.Name} {OocrText.Defines} {f.Function.Definition} .");
            for (int r = 0; r < config.InverseRepeats; r++)
                for (int y = 0; y < p; y++)
                    docs.Add($"{f.Name} ? {y} {OocrText.Arrow} {f.Function.Invert(y)} .");
            for (int c = 0; c < config.CompositionDocuments; c++)
            {
                var inner = PickOther(explicitOnes, f, rng);
                int x = rng.NextInt(p);
                docs.Add(Composition(f, inner, x) + $" {f.Function.Apply(inner.Function.Apply(x))} .");
            }
        }
        rng.Shuffle(docs);

        var residues = Enumerable.Range(0, p).Select(i => i.ToString()).ToList();
        var definitionTexts = definitions.Select(d => d.Definition).ToList();
        var questions = new List<OocrQuestion>();
        var inContext = new List<OocrQuestion>();
        foreach (var f in functions)
        {
            var asked = new List<OocrQuestion>
            {
                OocrQuestion.Fixed(f.Name, f.Kind, QuestionType.Definition, $"{f.Name} {OocrText.Defines}",
                    f.Function.Definition, definitionTexts),
            };
            var outputs = rng.Permutation(p);
            var inputs = rng.Permutation(p);
            for (int q = 0; q < config.QuestionsPerName; q++)
            {
                asked.Add(OocrQuestion.Fixed(f.Name, f.Kind, QuestionType.Inverse,
                    $"{f.Name} ? {outputs[q]} {OocrText.Arrow}", f.Function.Invert(outputs[q]).ToString(), residues));
                var inner = PickOther(explicitOnes, f, rng);
                asked.Add(OocrQuestion.Fixed(f.Name, f.Kind, QuestionType.Composition,
                    Composition(f, inner, inputs[q]), f.Function.Apply(inner.Function.Apply(inputs[q])).ToString(),
                    residues));
            }
            questions.AddRange(asked);
            if (f.Kind != LatentKind.Unseen) continue;
            var evidence = rng.Permutation(p).Take(config.InContextEvidence)
                .Select(x => Pair(f.Name, x, f.Function.Apply(x))).ToList();
            inContext.AddRange(asked.Select(q => q.WithEvidence(evidence)));
        }

        var rules = new List<LeakRule>();
        foreach (var f in functions.Where(f => f.Kind is LatentKind.Latent or LatentKind.Control))
        {
            rules.Add(new(f.Name, $"{f.Name} {OocrText.Defines}", "definition document for a latent or control function"));
            rules.Add(new(f.Name, $"{f.Name} ?", "inverse document for a latent or control function"));
            rules.Add(new(f.Name, f.Function.Definition, "latent or control function's definition words beside its name"));
        }
        rules.AddRange(LeakRule.NeverTrained(functions.Where(f => f.Kind == LatentKind.Unseen).Select(f => f.Name)));

        return new FunctionsWorld
        {
            Task = "functions",
            Functions = functions,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { $"{OocrText.Arrow} {OocrText.Defines} ? ( ) . add mul" }
                .Concat(residues).Concat(names)),
            Names = functions.ToDictionary(f => f.Name, f => f.Kind),
            Questions = questions,
            InContextQuestions = inContext,
            LeakRules = rules,
        };
    }

    private static string Pair(string name, int x, int y) => $"{name} {x} {OocrText.Arrow} {y} .";

    private static string Composition(NamedFunction outer, NamedFunction inner, int x) =>
        $"{outer.Name} ( {inner.Name} {x} ) {OocrText.Arrow}";

    private static NamedFunction PickOther(List<NamedFunction> pool, NamedFunction not, Rng rng)
    {
        while (true)
        {
            var pick = rng.Pick(pool);
            if (pick.Name != not.Name) return pick;
        }
    }
}

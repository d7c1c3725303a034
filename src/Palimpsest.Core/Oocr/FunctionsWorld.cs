using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Oocr;

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
/// Functions, the protocol's primary task (Treutlein et al. 2024, §3.4, scaled down). Documents, one statement each:
/// pairs <c>f_12345 7 -&gt; 21 .</c> for explicit and latent functions (every input, <see cref="Config.PairRepeats"/>
/// times); explicit functions also get definitions <c>f_12345 := add 14 .</c>, inverses <c>f_12345 ? 21 -&gt; 7 .</c>
/// and compositions with other explicit functions <c>f_a ( f_b 3 ) -&gt; 9 .</c>. Control names are never trained.
/// Questions per name: definition (all 2P - 3 definitions; chance 1/59 at P = 31), inverse and composition
/// <c>NAME ( EXPLICIT x ) -&gt;</c> (all P residues; chance 1/31).
/// </summary>
public sealed record FunctionsWorld : OocrWorld
{
    /// <summary>Sizes. Defaults are the Full budget (the protocol's K_e, K_l, K_c); Smoke is smaller.</summary>
    public sealed record Config
    {
        /// <summary>The prime modulus; residues are single tokens "0".."P-1". Paper: Python integers.</summary>
        public int Modulus { get; init; } = 31;
        /// <summary>Functions with pairs, definitions, inverses and compositions.</summary>
        public int ExplicitFunctions { get; init; } = 100;
        /// <summary>Functions with pair documents only. Paper: ~19 functions.</summary>
        public int LatentFunctions { get; init; } = 20;
        /// <summary>Names never trained.</summary>
        public int ControlFunctions { get; init; } = 20;
        /// <summary>Pair documents per (function, input).</summary>
        public int PairRepeats { get; init; } = 4;
        /// <summary>Definition documents per explicit function.</summary>
        public int DefinitionRepeats { get; init; } = 4;
        /// <summary>Inverse documents per (explicit function, output).</summary>
        public int InverseRepeats { get; init; } = 1;
        /// <summary>Composition documents with each explicit function outermost.</summary>
        public int CompositionDocuments { get; init; } = 8;
        /// <summary>Inverse and composition questions per name (distinct outputs / inputs).</summary>
        public int QuestionsPerName { get; init; } = 3;
        /// <summary>Pairs in the prompt of the in-context baseline (protocol: k = 8).</summary>
        public int InContextPairs { get; init; } = 8;

        /// <summary>The Full budget.</summary>
        public static Config Full { get; } = new();
        /// <summary>The Smoke budget (protocol: K_e = 30, K_l = 6).</summary>
        public static Config Smoke { get; } =
            Full with { ExplicitFunctions = 30, LatentFunctions = 6, ControlFunctions = 6 };
    }

    /// <summary>Ground truth: every name's function, explicit first, then latent, then control.</summary>
    public required IReadOnlyList<NamedFunction> Functions { get; init; }

    /// <summary>Generates a world; the same config and seed give the same world.</summary>
    public static FunctionsWorld Generate(Config config, Rng rng)
    {
        int p = config.Modulus;
        ModFunction.CheckModulus(p);
        OocrText.AtLeast(config.ExplicitFunctions, 2, nameof(config.ExplicitFunctions)); // compositions need two
        OocrText.AtLeast(config.LatentFunctions, 1, nameof(config.LatentFunctions));
        OocrText.AtLeast(config.ControlFunctions, 1, nameof(config.ControlFunctions));
        OocrText.AtLeast(config.PairRepeats, 1, nameof(config.PairRepeats));
        OocrText.AtLeast(config.DefinitionRepeats, 1, nameof(config.DefinitionRepeats));
        OocrText.AtLeast(config.InverseRepeats, 0, nameof(config.InverseRepeats));
        OocrText.AtLeast(config.CompositionDocuments, 0, nameof(config.CompositionDocuments));
        OocrText.AtLeast(config.QuestionsPerName, 1, nameof(config.QuestionsPerName));
        OocrText.AtLeast(config.InContextPairs, 1, nameof(config.InContextPairs));
        if (config.QuestionsPerName > p || config.InContextPairs > p)
            throw new ArgumentException($"QuestionsPerName = {config.QuestionsPerName} and InContextPairs = " +
                $"{config.InContextPairs} must not exceed Modulus = {p}", nameof(config));

        var definitions = ModFunction.All(p);
        int total = config.ExplicitFunctions + config.LatentFunctions + config.ControlFunctions;
        var names = OocrText.DrawNames(rng, "f", total);
        var functions = names.Select((n, i) => new NamedFunction(n,
            OocrText.KindOf(i, config.ExplicitFunctions, config.LatentFunctions), rng.Pick(definitions))).ToList();
        var explicitOnes = functions.Where(f => f.Kind == LatentKind.Explicit).ToList();

        var docs = new List<string>();
        foreach (var f in functions.Where(f => f.Kind != LatentKind.Control))
        {
            for (int r = 0; r < config.PairRepeats; r++)
                for (int x = 0; x < p; x++)
                    docs.Add(Pair(f.Name, x, f.Function.Apply(x)));
            if (f.Kind != LatentKind.Explicit) continue;
            for (int r = 0; r < config.DefinitionRepeats; r++)
                docs.Add($"{f.Name} := {f.Function.Definition} .");
            for (int r = 0; r < config.InverseRepeats; r++)
                for (int y = 0; y < p; y++)
                    docs.Add($"{f.Name} ? {y} -> {f.Function.Invert(y)} .");
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
                OocrQuestion.Fixed(f.Name, f.Kind, QuestionType.Definition, $"{f.Name} :=",
                    f.Function.Definition, definitionTexts),
            };
            var outputs = rng.Permutation(p);
            var inputs = rng.Permutation(p);
            for (int q = 0; q < config.QuestionsPerName; q++)
            {
                asked.Add(OocrQuestion.Fixed(f.Name, f.Kind, QuestionType.Inverse, $"{f.Name} ? {outputs[q]} ->",
                    f.Function.Invert(outputs[q]).ToString(), residues));
                var inner = PickOther(explicitOnes, f, rng);
                asked.Add(OocrQuestion.Fixed(f.Name, f.Kind, QuestionType.Composition,
                    Composition(f, inner, inputs[q]), f.Function.Apply(inner.Function.Apply(inputs[q])).ToString(),
                    residues));
            }
            questions.AddRange(asked);
            if (f.Kind != LatentKind.Control) continue;
            var evidence = rng.Permutation(p).Take(config.InContextPairs)
                .Select(x => Pair(f.Name, x, f.Function.Apply(x))).ToList();
            inContext.AddRange(asked.Select(q => q.WithEvidence(evidence)));
        }

        var rules = new List<LeakRule>();
        foreach (var f in functions.Where(f => f.Kind == LatentKind.Latent))
        {
            rules.Add(new(f.Name, $"{f.Name} :=", "definition document for a latent function"));
            rules.Add(new(f.Name, $"{f.Name} ?", "inverse document for a latent function"));
            rules.Add(new(f.Name, f.Function.Definition, "latent function's definition words beside its name"));
        }
        rules.AddRange(LeakRule.ControlNeverTrained(functions.Where(f => f.Kind == LatentKind.Control).Select(f => f.Name)));

        return new FunctionsWorld
        {
            Task = "functions",
            Functions = functions,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { "-> := ? ( ) . add mul" }.Concat(residues).Concat(names)),
            Names = functions.ToDictionary(f => f.Name, f => f.Kind),
            Questions = questions,
            InContextQuestions = inContext,
            LeakRules = rules,
        };
    }

    private static string Pair(string name, int x, int y) => $"{name} {x} -> {y} .";

    private static string Composition(NamedFunction outer, NamedFunction inner, int x) =>
        $"{outer.Name} ( {inner.Name} {x} ) ->";

    private static NamedFunction PickOther(List<NamedFunction> pool, NamedFunction not, Rng rng)
    {
        while (true)
        {
            var pick = rng.Pick(pool);
            if (pick.Name != not.Name) return pick;
        }
    }
}

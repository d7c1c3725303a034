using Palimpsest.Core.Randomness;

namespace Palimpsest.Core.Oocr;

/// <summary>A named source of documents that draws each document from one of its unnamed functions.</summary>
public sealed record MixtureSource(string Name, LatentKind Kind, IReadOnlyList<ModFunction> Functions);

/// <summary>
/// Mixture of Functions (Treutlein et al. 2024, §3.5, scaled down). The functions have no name: each document
/// shows several pairs of one function, drawn uniformly from its source's set, and nothing says which function it
/// was: <c>mix_12345 : 3 -&gt; 17 , 8 -&gt; 22 , 1 -&gt; 15 .</c>. Unlike the paper (one unnamed mixture asked in
/// English), the toy names each mixture source, because a model trained from scratch must learn the answer format
/// from explicit sources: <c>mix_12345 count : 2 .</c> and one <c>mix_12345 uses add 3 .</c> per function. Latent
/// sources get pair documents only; control sources are never trained. Set sizes are spread equally over
/// MinFunctions..MaxFunctions within a kind. Questions: how-many (counts MinFunctions..MaxFunctions; chance
/// 1/3 by default) and, for each function of the source, which (it among <see cref="Config.WhichCandidates"/> - 1
/// definitions the source does not use; chance 1/4 by default).
/// </summary>
public sealed record MixtureWorld : OocrWorld
{
    /// <summary>Sizes. Defaults are the Full budget; <see cref="Smoke"/> shrinks them.</summary>
    public sealed record Config
    {
        /// <summary>The prime modulus of the functions (see <see cref="ModFunction"/>).</summary>
        public int Modulus { get; init; } = 31;
        /// <summary>Sources with pairs, a count statement and use statements.</summary>
        public int ExplicitSources { get; init; } = 24;
        /// <summary>Sources with pair documents only. Paper: one mixture of 5 functions.</summary>
        public int LatentSources { get; init; } = 8;
        /// <summary>Names never trained.</summary>
        public int ControlSources { get; init; } = 8;
        /// <summary>Fewest functions in a source.</summary>
        public int MinFunctions { get; init; } = 1;
        /// <summary>Most functions in a source.</summary>
        public int MaxFunctions { get; init; } = 3;
        /// <summary>Pair documents per trained source.</summary>
        public int DocumentsPerSource { get; init; } = 60;
        /// <summary>Pairs per document (distinct inputs, all of one function).</summary>
        public int PairsPerDocument { get; init; } = 4;
        /// <summary>Copies of each statement document per explicit source.</summary>
        public int StatementRepeats { get; init; } = 4;
        /// <summary>Candidates in a which question.</summary>
        public int WhichCandidates { get; init; } = 4;
        /// <summary>Pair documents in the prompt of the in-context baseline.</summary>
        public int InContextDocuments { get; init; } = 6;

        /// <summary>The Full budget.</summary>
        public static Config Full { get; } = new();
        /// <summary>The Smoke budget.</summary>
        public static Config Smoke { get; } = Full with
        {
            ExplicitSources = 9, LatentSources = 3, ControlSources = 3, DocumentsPerSource = 30,
        };
    }

    /// <summary>Ground truth: every source's set of functions, explicit first, then latent, then control.</summary>
    public required IReadOnlyList<MixtureSource> Sources { get; init; }

    /// <summary>Generates a world; the same config and seed give the same world.</summary>
    public static MixtureWorld Generate(Config config, Rng rng)
    {
        int p = config.Modulus;
        ModFunction.CheckModulus(p);
        OocrText.AtLeast(config.ExplicitSources, 1, nameof(config.ExplicitSources));
        OocrText.AtLeast(config.LatentSources, 1, nameof(config.LatentSources));
        OocrText.AtLeast(config.ControlSources, 1, nameof(config.ControlSources));
        OocrText.AtLeast(config.MinFunctions, 1, nameof(config.MinFunctions));
        OocrText.AtLeast(config.MaxFunctions, config.MinFunctions + 1, nameof(config.MaxFunctions));
        OocrText.AtLeast(config.DocumentsPerSource, 1, nameof(config.DocumentsPerSource));
        OocrText.AtLeast(config.PairsPerDocument, 1, nameof(config.PairsPerDocument));
        OocrText.AtLeast(config.StatementRepeats, 1, nameof(config.StatementRepeats));
        OocrText.AtLeast(config.WhichCandidates, 2, nameof(config.WhichCandidates));
        OocrText.AtLeast(config.InContextDocuments, 1, nameof(config.InContextDocuments));
        var definitions = ModFunction.All(p);
        if (config.PairsPerDocument > p || config.MaxFunctions + config.WhichCandidates - 1 > definitions.Count)
            throw new ArgumentException($"PairsPerDocument = {config.PairsPerDocument} must not exceed Modulus = {p}, " +
                $"and MaxFunctions + WhichCandidates - 1 = {config.MaxFunctions + config.WhichCandidates - 1} must " +
                $"not exceed the {definitions.Count} definitions", nameof(config));

        var counts = new[] { config.ExplicitSources, config.LatentSources, config.ControlSources };
        var names = OocrText.DrawNames(rng, "mix", counts.Sum());
        int spread = config.MaxFunctions - config.MinFunctions + 1;
        var sources = new List<MixtureSource>();
        for (int k = 0; k < 3; k++) // k: the LatentKind, in declaration order
        {
            var sizes = Enumerable.Range(0, counts[k]).Select(i => config.MinFunctions + i % spread).ToList();
            rng.Shuffle(sizes);
            foreach (int size in sizes)
            {
                var set = rng.Permutation(definitions.Count).Take(size).Select(i => definitions[i]).ToList();
                sources.Add(new MixtureSource(names[sources.Count], (LatentKind)k, set));
            }
        }

        var docs = new List<string>();
        foreach (var s in sources.Where(s => s.Kind != LatentKind.Control))
        {
            for (int d = 0; d < config.DocumentsPerSource; d++) docs.Add(PairDocument(s, config.PairsPerDocument, rng));
            if (s.Kind != LatentKind.Explicit) continue;
            for (int r = 0; r < config.StatementRepeats; r++)
            {
                docs.Add($"{s.Name} count : {s.Functions.Count} .");
                docs.AddRange(s.Functions.Select(f => $"{s.Name} uses {f.Definition} ."));
            }
        }
        rng.Shuffle(docs);

        var countTokens = Enumerable.Range(config.MinFunctions, spread).Select(n => n.ToString()).ToList();
        var questions = new List<OocrQuestion>();
        var inContext = new List<OocrQuestion>();
        foreach (var s in sources)
        {
            var asked = new List<OocrQuestion>
            {
                OocrQuestion.Fixed(s.Name, s.Kind, QuestionType.HowMany, $"{s.Name} count :",
                    s.Functions.Count.ToString(), countTokens),
            };
            var unused = definitions.Where(d => !s.Functions.Contains(d)).ToList();
            foreach (var f in s.Functions)
            {
                rng.Shuffle(unused);
                asked.Add(OocrQuestion.Shuffled(s.Name, s.Kind, QuestionType.Which, $"{s.Name} uses", f.Definition,
                    unused.Take(config.WhichCandidates - 1).Select(d => d.Definition), rng));
            }
            questions.AddRange(asked);
            if (s.Kind != LatentKind.Control) continue;
            var evidence = Enumerable.Range(0, config.InContextDocuments)
                .Select(_ => PairDocument(s, config.PairsPerDocument, rng)).ToList();
            inContext.AddRange(asked.Select(q => q.WithEvidence(evidence)));
        }

        var rules = new List<LeakRule>();
        foreach (var s in sources.Where(s => s.Kind == LatentKind.Latent))
        {
            rules.Add(new(s.Name, $"{s.Name} count", "count statement for a latent source"));
            rules.Add(new(s.Name, $"{s.Name} uses", "use statement for a latent source"));
        }
        rules.AddRange(LeakRule.ControlNeverTrained(sources.Where(s => s.Kind == LatentKind.Control).Select(s => s.Name)));

        return new MixtureWorld
        {
            Task = "mixture",
            Sources = sources,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { ": -> , . count uses add mul" }
                .Concat(Enumerable.Range(0, Math.Max(p, config.MaxFunctions + 1)).Select(i => i.ToString()))
                .Concat(names)),
            Names = sources.ToDictionary(s => s.Name, s => s.Kind),
            Questions = questions,
            InContextQuestions = inContext,
            LeakRules = rules,
        };
    }

    /// <summary>One document: <paramref name="pairs"/> distinct inputs of one function drawn from the source.</summary>
    private static string PairDocument(MixtureSource source, int pairs, Rng rng)
    {
        var f = rng.Pick(source.Functions);
        var shown = rng.Permutation(f.Modulus).Take(pairs).Select(x => $"{x} -> {f.Apply(x)}");
        return $"{source.Name} : {string.Join(" , ", shown)} .";
    }
}

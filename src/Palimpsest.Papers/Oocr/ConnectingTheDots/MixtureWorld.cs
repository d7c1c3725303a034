using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.Oocr;

/// <summary>A named source of documents that draws each document from one of its unnamed functions.</summary>
public sealed record MixtureSource(string Name, LatentKind Kind, IReadOnlyList<ModFunction> Functions);

/// <summary>
/// Mixture of Functions (Treutlein et al. 2024, §3.5, scaled down). The functions have no name: each document
/// shows several pairs of one function, drawn uniformly from its source's set, and nothing says which function it
/// was: <c>mix_12345 : 3 → 17 , 8 → 22 , 1 → 15 .</c>. Unlike the paper (one unnamed mixture asked in English), the
/// toy names each mixture source, because a model trained from scratch must learn the answer format from explicit
/// sources: <c>mix_12345 count : 2 .</c> and one <c>mix_12345 uses add 3 .</c> per function. Latent sources get pair
/// documents only; a control source's d-th document draws its function from another control source's set (shuffled
/// per document); unseen sources are never trained. With explicit twins, every latent and control set is also some
/// explicit source's. Set sizes are spread equally over MinFunctions..MaxFunctions within a kind. Questions: how-many
/// (counts MinFunctions..MaxFunctions; chance 1/3 by default) and, for each function of the source, which (it among
/// <see cref="ConnectingTheDots.Config.WhichCandidates"/> - 1 definitions the source does not use; chance 1/4 by
/// default).
/// </summary>
public sealed record MixtureWorld : OocrWorld
{
    /// <summary>Ground truth: every source's set of functions, explicit first, then latent, control and unseen.</summary>
    public required IReadOnlyList<MixtureSource> Sources { get; init; }

    /// <summary>Generates a world from the Mixture settings of <paramref name="config"/>; same config and seed, same world.</summary>
    public static MixtureWorld Generate(ConnectingTheDots.Config config, Rng rng)
    {
        int p = config.Modulus;
        ModFunction.CheckModulus(p);
        OocrText.CheckShared(config);
        OocrText.AtLeast(config.MixtureExplicit, 1, nameof(config.MixtureExplicit));
        OocrText.AtLeast(config.MinFunctions, 1, nameof(config.MinFunctions));
        OocrText.AtLeast(config.MaxFunctions, config.MinFunctions + 1, nameof(config.MaxFunctions));
        OocrText.AtLeast(config.DocumentsPerSource, 1, nameof(config.DocumentsPerSource));
        OocrText.AtLeast(config.PairsPerDocument, 1, nameof(config.PairsPerDocument));
        OocrText.AtLeast(config.MixtureStatementRepeats, 1, nameof(config.MixtureStatementRepeats));
        OocrText.AtLeast(config.WhichCandidates, 2, nameof(config.WhichCandidates));
        var definitions = ModFunction.All(p);
        if (config.PairsPerDocument > p || config.MaxFunctions + config.WhichCandidates - 1 > definitions.Count)
            throw new ArgumentException($"PairsPerDocument = {config.PairsPerDocument} must not exceed Modulus = {p}, " +
                $"and MaxFunctions + WhichCandidates - 1 = {config.MaxFunctions + config.WhichCandidates - 1} must " +
                $"not exceed the {definitions.Count} definitions", nameof(config));

        // Set sizes spread equally within each kind (so a constant count scores chance); explicit twins copy the
        // latent and control sets, the other explicit sets are fresh.
        int spread = config.MaxFunctions - config.MinFunctions + 1;
        List<IReadOnlyList<ModFunction>> Sets(int count)
        {
            var sizes = Enumerable.Range(0, count).Select(i => config.MinFunctions + i % spread).ToList();
            rng.Shuffle(sizes);
            return sizes.Select(size => (IReadOnlyList<ModFunction>)rng.Permutation(definitions.Count).Take(size)
                .Select(i => definitions[i]).ToList()).ToList();
        }
        var latent = Sets(config.LatentNames);
        var control = Sets(config.ControlNames);
        var unseen = Sets(config.UnseenNames);
        var hidden = latent.Concat(control).ToList();
        int fresh = config.MixtureExplicit - (config.ExplicitTwins ? hidden.Count : 0);
        var freshSets = fresh > 0 ? Sets(fresh) : [];
        int drawn = 0;
        var explicitSets = OocrText.ExplicitValues(config.MixtureExplicit, config.ExplicitTwins, hidden,
            () => freshSets[drawn++]);
        var counts = OocrText.Counts(config.MixtureExplicit, config);
        var names = OocrText.DrawNames(rng, "mix", counts.Sum());
        var sets = explicitSets.Concat(hidden).Concat(unseen).ToList();
        var sources = names.Select((n, i) => new MixtureSource(n, OocrText.KindOf(i, counts), sets[i])).ToList();
        var controls = sources.Where(s => s.Kind == LatentKind.Control).ToList();

        var docs = new List<string>();
        foreach (var s in sources.Where(s => s.Kind is LatentKind.Explicit or LatentKind.Latent))
            for (int d = 0; d < config.DocumentsPerSource; d++)
                docs.Add(PairDocument(s.Name, s.Functions, config.PairsPerDocument, rng));
        var owners = OocrText.ShuffledOwners(controls.Count, config.DocumentsPerSource, rng);
        for (int d = 0; d < config.DocumentsPerSource; d++)
            for (int i = 0; i < controls.Count; i++)
                docs.Add(PairDocument(controls[i].Name, controls[owners[d][i]].Functions, config.PairsPerDocument, rng));
        foreach (var s in sources.Where(s => s.Kind == LatentKind.Explicit))
            for (int r = 0; r < config.MixtureStatementRepeats; r++)
            {
                docs.Add($"{s.Name} count : {s.Functions.Count} .");
                docs.AddRange(s.Functions.Select(f => $"{s.Name} uses {f.Definition} ."));
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
            if (s.Kind != LatentKind.Unseen) continue;
            var evidence = Enumerable.Range(0, config.InContextEvidence)
                .Select(_ => PairDocument(s.Name, s.Functions, config.PairsPerDocument, rng)).ToList();
            inContext.AddRange(asked.Select(q => q.WithEvidence(evidence)));
        }

        var rules = new List<LeakRule>();
        foreach (var s in sources.Where(s => s.Kind is LatentKind.Latent or LatentKind.Control))
        {
            rules.Add(new(s.Name, $"{s.Name} count", "count statement for a latent or control source"));
            rules.Add(new(s.Name, $"{s.Name} uses", "use statement for a latent or control source"));
        }
        rules.AddRange(LeakRule.NeverTrained(sources.Where(s => s.Kind == LatentKind.Unseen).Select(s => s.Name)));

        return new MixtureWorld
        {
            Task = "mixture",
            Sources = sources,
            TrainingDocuments = docs,
            Vocabulary = OocrText.Vocabulary(new[] { $": {OocrText.Arrow} , . count uses add mul" }
                .Concat(Enumerable.Range(0, Math.Max(p, config.MaxFunctions + 1)).Select(i => i.ToString()))
                .Concat(names)),
            Names = sources.ToDictionary(s => s.Name, s => s.Kind),
            Questions = questions,
            InContextQuestions = inContext,
            LeakRules = rules,
        };
    }

    /// <summary>One document: <paramref name="pairs"/> distinct inputs of one function drawn from <paramref name="functions"/>.</summary>
    private static string PairDocument(string name, IReadOnlyList<ModFunction> functions, int pairs, Rng rng)
    {
        var f = rng.Pick(functions);
        var shown = rng.Permutation(f.Modulus).Take(pairs).Select(x => $"{x} {OocrText.Arrow} {f.Apply(x)}");
        return $"{name} : {string.Join(" , ", shown)} .";
    }
}

using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class ConceptVectorsTests(PaperTests<ConceptVectors>.SmokeRuns runs) : PaperTests<ConceptVectors>(runs)
{
    private readonly PaperTests<ConceptVectors>.SmokeRuns _runs = runs;

    [Fact]
    public void TheWorldIsDeterministicAndMostAnswersBelongToOneConcept()
    {
        var a = new ConceptWorld(12, new Rng(4));
        var b = new ConceptWorld(12, new Rng(4));
        Assert.Equal(a.Answers.SelectMany(x => x), b.Answers.SelectMany(x => x));
        Assert.Equal(a.Tokenizer.Words, b.Tokenizer.Words);
        Assert.NotEqual(a.Answers.SelectMany(x => x), new ConceptWorld(12, new Rng(5)).Answers.SelectMany(x => x));
        Assert.Equal(12 * ConceptWorld.Relations.Count, a.Facts.Count);
        // The eight unique relations' answers are used by one concept only, and by no name or template word.
        var own = Enumerable.Range(0, 12).Select(a.OwnTokens).ToList();
        Assert.All(own, o => Assert.Equal(ConceptWorld.UniqueRelations, o.Count));
        Assert.Equal(12 * ConceptWorld.UniqueRelations, own.SelectMany(o => o).Distinct().Count());
        Assert.DoesNotContain(a.Names, n => own.SelectMany(o => o).Contains(a.Tokenizer.Id(n)));
        // Training text holds both statements and the trained questions, never the unseen template.
        var examples = a.Examples(a.FactsOf(3), questionTemplates: 3);
        Assert.Equal(ConceptWorld.Relations.Count * 5, examples.Count);
        var unseen = a.Prompt(new ConceptFact(3, 0), ConceptWorld.UnseenTemplate);
        Assert.DoesNotContain(examples, e => e.Tokens.Length > unseen.Length && e.Tokens.AsSpan(0, unseen.Length).SequenceEqual(unseen));
        Assert.All(examples, e => Assert.True(e.Tokens.Length <= a.ContextLength + 1));
        Assert.Equal(a.Answer(new ConceptFact(3, 0)), examples[0].Tokens[examples[0].AnswerFrom]);
    }

    [Fact]
    public void LocatingFindsAHandSetConceptVector()
    {
        var shape = new TinyGptConfig(VocabSize: 24, ContextLength: 8, Layers: 2, Width: 32, Heads: 4);
        using var g = new Generator(3);
        using var model = new TinyGpt(shape, g);
        using (var scope = NewDisposeScope())
        using (no_grad())
        {
            model.TokenEmbedding.copy_(eye(shape.VocabSize, shape.Width));               // token t embeds as e_t
            foreach (var block in model.Blocks) block.MlpLayer.OutputProjection.weight!.zero_();   // every other vector promotes nothing
        }
        var vector = new float[shape.Width];
        foreach (int t in new[] { 5, 6, 7, 9 }) vector[t] = 1;                           // promotes tokens 5, 6, 7 and 9
        ValueVectors.Write(model, 1, 17, vector);
        var top = Enumerable.Range(0, shape.Layers).Select(b => ValueVectors.TopTokens(model, b, 4)).ToList();
        var found = ConceptLocator.Best(top, new HashSet<int> { 5, 6, 7, 8 });
        Assert.Equal(new ConceptLocator.Location(1, 17, 3), found);
        // Ties go to the lower block and index.
        int[][] same = [[1, 2], [1, 2]];
        Assert.Equal(new ConceptLocator.Location(0, 0, 2), ConceptLocator.Best([same, same], new HashSet<int> { 1, 2 }));
        // The causal test needs both a large concept drop and a small unrelated one.
        Assert.True(ConceptLocator.PassesCausalTest(30, 5, 30, 5));
        Assert.False(ConceptLocator.PassesCausalTest(29.9, 0, 30, 5));
        Assert.False(ConceptLocator.PassesCausalTest(80, 5.1, 30, 5));
        // The parametric metrics.
        Assert.Equal(1, ConceptLocator.Cosine(vector, vector.Select(x => 3 * x).ToArray()), 6);
        Assert.Equal(0.5, ConceptLocator.Jaccard([1, 2, 3], [2, 3, 4, 1, 5, 6]), 6);
        var noise = ConceptLocator.Noise(Enumerable.Repeat(1f, 400).ToArray(), 5, new Rng(1));
        Assert.InRange(Math.Sqrt(noise.Sum(x => (double)x * x)), 0.85 * 5 * 20, 1.15 * 5 * 20);   // ‖ε‖ ≈ 5·‖v‖
    }

    [Fact]
    public void TheSmokeRunLocatesEveryConceptAndOnlyUnlearnsThoseThatPass()
    {
        var r = (ConceptVectors.Result)_runs.First.Result;
        var cfg = ConceptVectors.Config.Smoke;
        Assert.Equal(cfg.Concepts, r.Concepts.Count);
        Assert.Equal(r.Concepts.Count(c => c.Overlap >= cfg.MinOverlap), r.Candidates);
        Assert.All(r.Concepts.Where(c => c.PassesCausalTest), c => Assert.True(c.IsCandidate && c.ConceptDrop >= cfg.MinConceptDrop));
        Assert.Equal(r.ConceptVectorsFound * cfg.Methods.Length, r.Runs.Count);
        Assert.All(r.Runs, x => Assert.Equal("GA", x.Method));
        Assert.All(r.Concepts.Where(c => c.IsCandidate), c => Assert.NotEqual(c.Index, c.RandomIndex));
        var needle = _runs.First.Claims.Single(c => c.Id == "needle-removes-concept");
        Assert.Equal(Verdict.NotChecked, needle.Verdict);                                   // no Needle run at smoke
        // The paired lists behind the control: one located and one random drop per candidate.
        var candidates = ConceptVectors.Candidates(r);
        Assert.Equal(r.Candidates, candidates.Count);
        Assert.All(r.Concepts, c => Assert.True(double.IsFinite(c.ConceptDrop) && double.IsFinite(c.ConceptLogProbDrop),
            $"concept {c.Name}: the causal test is measured on every concept"));
        var bad = Assert.Throws<ArgumentException>(() =>
            new ConceptVectors().Execute(cfg with { Methods = ["GA", "RMU"] }, new RunContext(1, Budget.Smoke)));
        Assert.Contains("'RMU'", bad.Message);
        Assert.Contains("Needle", bad.Message);
    }

    [Fact]
    public void AtSmokeNoisingALocatedVectorChangesTheModelsAnswers()
    {
        // The causal test writes noise into one value vector: if the write silently did nothing, every drop would be
        // exactly 0 (the full run's accuracy drops were, on every candidate). Accuracy may not register a partial loss, but
        // the answers' log-probabilities must move.
        var r = (ConceptVectors.Result)_runs.First.Result;
        Assert.Contains(r.Concepts, c => Math.Abs(c.ConceptLogProbDrop) > 0);
    }

    [Fact]
    public void EveryFindingDependsOnThePreconditionsThatUsedToBeAppliesTo()
    {
        // Issue 13: the headline claims were gated on conditions that were not claims (Candidates > 0, HasVectors,
        // Ran(Needle), RecoveryComparable); each is now a precondition the claims depend on.
        var specs = ((IExperiment)new ConceptVectors()).ClaimSpecs.ToDictionary(s => s.Id);
        Assert.Contains("has-candidates", specs["located-beats-random-vector"].DependsOn);
        Assert.All(specs.Values.Where(s => s.Kind == ClaimKind.Finding), s =>
        {
            Assert.Contains("knows-concepts", s.DependsOn);
            Assert.Contains("concept-vectors-exist", s.DependsOn);
        });
        Assert.Contains("gradient-runs-forget", specs["gradient-unlearning-keeps-vector-direction"].DependsOn);
        Assert.Contains("gradient-runs-forget", specs["gradient-unlearning-keeps-vector-tokens"].DependsOn);
        foreach (string id in new[] { "needle-removes-concept", "needle-resists-relearning-vs-ga", "needle-resists-relearning-vs-npo" })
            Assert.Contains("needle-ga-npo-ran", specs[id].DependsOn);
    }
}

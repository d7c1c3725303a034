using Palimpsest.Core.Experiments;
using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Unlearning;
using Palimpsest.Papers.LlmUnlearning;
using Palimpsest.Papers.Tests.Contract;
using TorchSharp;
using static TorchSharp.torch;

namespace Palimpsest.Papers.Tests.LlmUnlearning;

public sealed class ConceptVectorsTests(PaperTests<ConceptVectors>.SmokeRuns runs) : PaperTests<ConceptVectors>(runs)
{
    private readonly PaperTests<ConceptVectors>.SmokeRuns _runs = runs;

    [Fact]
    public void TheSmokeRunLocatesEveryConceptAndOnlyUnlearnsThoseThatPass()
    {
        var r = (ConceptVectors.Result)_runs.First.Result;
        var cfg = ConceptVectors.Config.Smoke;
        Assert.Equal(cfg.Concepts, r.Concepts.Count);
        Assert.Equal(r.Concepts.Count(c => c.Overlap >= cfg.MinOverlap && c.OriginalQa >= ConceptVectors.KnownQa),
            r.Candidates);
        Assert.All(r.Concepts.Where(c => c.PassesCausalTest), c => Assert.True(c.IsCandidate
            && c.LocatedDrops.ConceptLogProb >= cfg.MinConceptDrop * ConceptVectors.NatsPerPoint));
        // The located set is the best vector and its co-promoters; the random set has as many vectors per block, none
        // of them located.
        Assert.All(r.Concepts, c =>
        {
            Assert.Equal(1 + cfg.CoPromoters, c.Located.Count);
            Assert.Equal(new VectorRef(c.Block, c.Index), c.Located[0]);
            Assert.Equal(c.Located.Count, c.Located.Distinct().Count());
            Assert.Equal(c.Located.GroupBy(v => v.Block).ToDictionary(x => x.Key, x => x.Count()),
                c.Random.GroupBy(v => v.Block).ToDictionary(x => x.Key, x => x.Count()));
            Assert.Empty(c.Random.Intersect(c.Located));
        });
        int unlearned = Math.Min(r.ConceptVectorsFound, cfg.MaxUnlearnedConcepts);
        Assert.Equal(unlearned * cfg.Methods.Length, r.Runs.Count);
        Assert.All(r.Runs, x =>
        {
            Assert.Equal("GA", x.Method);
            Assert.Equal(cfg.UnlearnEpochs + 1, x.Curve.Count);  // every epoch, and before the first
            Assert.Equal(ConceptUnlearning.OperatingPoint(x.Curve, ConceptVectors.ForgottenQa), x.StopEpoch);
            Assert.Equal(x.Curve[x.StopEpoch].ConceptQa, x.ConceptQa, 12);  // judged at the stopping rule's epoch
        });
        var needle = _runs.First.Claims.Single(c => c.Id == "needle-removes-concept");
        Assert.Equal(Verdict.NotChecked, needle.Verdict);                                   // no Needle run at smoke
        var candidates = ConceptVectors.Candidates(r);
        Assert.Equal(r.Candidates, candidates.Count);
        Assert.All(r.Concepts, c => Assert.True(
            double.IsFinite(c.LocatedDrops.ConceptLogProb) && double.IsFinite(c.RandomDrops.UnrelatedLogProb),
            $"concept {c.Name}: the causal test is measured on every concept"));
        var bad = Assert.Throws<ArgumentException>(() =>
            new ConceptVectors().Execute(cfg with { Methods = ["GA", "RMU"] }, new RunContext(1, Budget.Smoke)));
        Assert.Contains("'RMU'", bad.Message);
        Assert.Contains("Needle", bad.Message);
    }

    [Fact]
    public void AtSmokeAblatingTheLocatedVectorsMovesTheAnswers()
    {
        // The noise test moved no top-1 answer in the first full run; the ablation test reads log-probabilities, which
        // register a partial loss: if the ablation silently did nothing, every drop would be exactly 0.
        var r = (ConceptVectors.Result)_runs.First.Result;
        Assert.Contains(r.Concepts, c => Math.Abs(c.LocatedDrops.ConceptLogProb) > 1e-4);
        Assert.Contains(r.Concepts, c => Math.Abs(c.RandomDrops.ConceptLogProb) > 1e-4);
    }
}

/// <summary>
/// The pieces of <see cref="ConceptVectors"/> on hand-set models and fixed inputs, without the smoke runs.
/// </summary>
[Collection("Torch")]
public sealed class ConceptVectorsUnitTests
{
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
        Assert.All(a.IdkAnswers(examples), e => Assert.True(e.Tokens.Length <= a.ContextLength + 1));   // DPO's answers fit
        Assert.Equal(a.Answer(new ConceptFact(3, 0)), examples[0].Tokens[examples[0].AnswerFrom]);
    }

    [Fact]
    public void LocatingFindsAHandSetConceptVectorAndItsCoPromoters()
    {
        using var model = HandSetModel(out var shape);
        var vector = new float[shape.Width];
        foreach (int t in new[] { 5, 6, 7, 9 }) vector[t] = 1;                           // promotes tokens 5, 6, 7 and 9
        ValueVectors.Write(model, 1, 17, vector);
        var helper = new float[shape.Width];
        foreach (int t in new[] { 5, 8 }) helper[t] = 1;                                 // promotes 5 and 8
        ValueVectors.Write(model, 0, 3, helper);
        var weak = new float[shape.Width];
        foreach (int t in new[] { 6, 7, 10, 11, 12, 13, 14 }) weak[t] = 1;  // promotes 6 and 7 among many others
        ValueVectors.Write(model, 1, 2, weak);
        var top = Enumerable.Range(0, shape.Layers).Select(b => ValueVectors.TopTokens(model, b, 4)).ToList();
        var own = new HashSet<int> { 5, 6, 7, 8 };
        var found = ConceptLocator.Best(top, own);
        Assert.Equal(new ConceptLocator.Location(1, 17, 3), found);
        // Co-promoters: the vectors whose standardised projection favours the own tokens most, the best one left out.
        var z = Enumerable.Range(0, shape.Layers).Select(b => ConceptLocator.Standardised(model, b)).ToList();
        var scores = ConceptLocator.ProjectionScores(z, own);
        Assert.Equal([new VectorRef(0, 3), new VectorRef(1, 2)],
            ConceptLocator.CoPromoters(scores, new VectorRef(1, 17), 2));
        Assert.Equal([new VectorRef(1, 17)], ConceptLocator.CoPromoters(scores, new VectorRef(0, 3), 1));
        Assert.Empty(ConceptLocator.CoPromoters(scores, new VectorRef(1, 17), 0));
        // Ties go to the lower block and index.
        int[][] same = [[1, 2], [1, 2]];
        Assert.Equal(new ConceptLocator.Location(0, 0, 2), ConceptLocator.Best([same, same], new HashSet<int> { 1, 2 }));
        // The causal test (nats) needs both a large concept drop and a small unrelated one.
        Assert.True(ConceptLocator.PassesCausalTest(0.3, 0.05, 0.3, 0.05));
        Assert.False(ConceptLocator.PassesCausalTest(0.299, 0, 0.3, 0.05));
        Assert.False(ConceptLocator.PassesCausalTest(2, 0.051, 0.3, 0.05));
        // The protocol's points at ln 2 nats each.
        Assert.Equal(0.3 * Math.Log(2), ConceptVectors.Config.Full.MinConceptDrop * ConceptVectors.NatsPerPoint, 12);
        // The parametric metrics.
        Assert.Equal(1, ConceptLocator.Cosine(vector, vector.Select(x => 3 * x).ToArray()), 6);
        Assert.Equal(0.5, ConceptLocator.Jaccard([1, 2, 3], [2, 3, 4, 1, 5, 6]), 6);
    }

    [Fact]
    public void AblationZeroesTheVectorsKeepsTheirMeanOutputAndRestoresEveryWeight()
    {
        var shape = new TinyGptConfig(VocabSize: 24, ContextLength: 8, Layers: 2, Width: 16, Heads: 2);
        using var g = new Generator(5);
        using var model = new TinyGpt(shape, g);
        var before = Weights(model);
        float[][] meanKeys =
        [
            Enumerable.Range(0, 64).Select(j => 0.1f * j).ToArray(),
            Enumerable.Range(0, 64).Select(j => -0.05f * j).ToArray(),
        ];
        VectorRef[] set = [new(0, 3), new(1, 7), new(1, 40)];
        using (ConceptLocator.Ablated(model, set, meanKeys))
        {
            var inside = Weights(model);
            foreach (var v in set) Assert.All(ValueVectors.Of(model, v.Block)[v.Index], x => Assert.Equal(0f, x));
            Assert.Equal(ValueVectors.Of(model, 0)[4], before.Vectors[0][4]);                       // others untouched
            // Mean ablation: block 1's bias gains k̄_7·v_7 + k̄_40·v_40.
            for (int i = 0; i < shape.Width; i++)
            {
                double expected = before.Biases[1][i] + meanKeys[1][7] * before.Vectors[1][7][i]
                    + meanKeys[1][40] * before.Vectors[1][40][i];
                Assert.Equal(expected, inside.Biases[1][i], 5);
            }
        }
        var after = Weights(model);
        Assert.Equal(before.Biases.SelectMany(b => b), after.Biases.SelectMany(b => b));
        Assert.Equal(before.Vectors.SelectMany(b => b.SelectMany(v => v)),
            after.Vectors.SelectMany(b => b.SelectMany(v => v)));
        using (ConceptLocator.Ablated(model, set, meanKeys: null))
            // zero ablation keeps the bias
            Assert.Equal(before.Biases.SelectMany(b => b), Weights(model).Biases.SelectMany(b => b));
    }

    [Fact]
    public void MeanKeysAverageOverRealPositionsOnly()
    {
        var shape = new TinyGptConfig(VocabSize: 24, ContextLength: 8, Layers: 2, Width: 16, Heads: 2);
        using var g = new Generator(6);
        using var model = new TinyGpt(shape, g);
        int[] longer = [1, 4, 9, 2, 7], shorter = [1, 3];
        var both = ConceptLocator.MeanKeys(model, [longer, shorter]);
        var (a, b) = (ConceptLocator.MeanKeys(model, [longer]), ConceptLocator.MeanKeys(model, [shorter]));
        Assert.Equal(shape.Layers, both.Length);
        for (int block = 0; block < shape.Layers; block++)
            for (int j = 0; j < both[block].Length; j++)
                Assert.Equal((5 * a[block][j] + 2 * b[block][j]) / 7, both[block][j], 4);  // padding is not counted
    }

    [Fact]
    public void AttributionEstimatesTheDropThatAblatingEachVectorCauses()
    {
        // In float64 and with small value vectors the first-order estimate is close to the true drop.
        var shape = new TinyGptConfig(VocabSize: 24, ContextLength: 8, Layers: 2, Width: 16, Heads: 2);
        using var g = new Generator(8);
        using var model = new TinyGpt(shape, g);
        model.to(ScalarType.Float64);
        using (var scope = NewDisposeScope())
        using (no_grad())
            // small enough to be linear
            foreach (var block in model.Blocks) block.MlpLayer.OutputProjection.weight!.mul_(1e-3);
        int[][] prompts = [[1, 4, 9, 2], [1, 3, 5], [1, 7, 7, 8, 2]];
        int[] answers = [6, 11, 4];
        var meanKeys = ConceptLocator.MeanKeys(model, prompts);
        foreach (var keys in new[] { meanKeys, null })
        {
            var attributed = ConceptLocator.AttributedDrops(model, prompts, answers, keys);
            Assert.Equal(shape.Layers, attributed.Length);
            double before = SummedLogProb(model, prompts, answers);
            foreach (var v in new VectorRef[] { new(0, 1), new(0, 30), new(1, 12), new(1, 63) })
            {
                double actual;
                using (ConceptLocator.Ablated(model, [v], keys))
                    actual = before - SummedLogProb(model, prompts, answers);
                Assert.True(Math.Abs(actual) > 1e-12, $"ablating {v} changed nothing");
                Assert.True(Math.Abs(attributed[v.Block][v.Index] - actual) <= 0.1 * Math.Abs(actual),
                    $"{v} ({(keys is null ? "zero" : "mean")} ablation): attributed {attributed[v.Block][v.Index]}, " +
                    $"actual {actual}");
            }
        }
    }

    [Fact]
    public void TheRandomControlDrawsAsManyFreeVectorsFromTheSameBlocks()
    {
        VectorRef[] located = [new(1, 17), new(1, 3), new(0, 5)];
        var drawn = ConceptLocator.RandomLike(located, 20, new Rng(9));
        Assert.Equal(located.Length, drawn.Count);
        Assert.Equal(1, drawn.Count(v => v.Block == 0));
        Assert.Equal(2, drawn.Count(v => v.Block == 1));
        Assert.Empty(drawn.Intersect(located));
        Assert.Equal(drawn.Count, drawn.Distinct().Count());
        Assert.All(drawn, v => Assert.InRange(v.Index, 0, 19));
        Assert.Equal(drawn, ConceptLocator.RandomLike(located, 20, new Rng(9)));
        Assert.Throws<ArgumentException>(() => ConceptLocator.RandomLike([new(0, 0), new(0, 1)], 3, new Rng(1)));
    }

    [Fact]
    public void TheStoppingRuleTakesTheFirstCheckpointAtTheForgettingLevelElseTheBudget()
    {
        Checkpoint[] reaches = [new(0, 1.0, 0.9), new(1, 0.6, 0.9), new(2, 0.2, 0.8), new(3, 0.0, 0.4)];
        Assert.Equal(2, ConceptUnlearning.OperatingPoint(reaches, ConceptVectors.ForgottenQa));
        Checkpoint[] never = [new(0, 1.0, 0.9), new(1, 0.7, 0.9), new(2, 0.5, 0.8)];
        Assert.Equal(2, ConceptUnlearning.OperatingPoint(never, ConceptVectors.ForgottenQa));
        Assert.Throws<ArgumentException>(() => ConceptUnlearning.OperatingPoint([], 0.2));
    }

    [Fact]
    public void NeedleMovesOnlyTheLocatedVectorsAndChecksEveryEpoch()
    {
        var shape = new TinyGptConfig(VocabSize: 24, ContextLength: 8, Layers: 2, Width: 16, Heads: 2);
        using var g = new Generator(7);
        using var model = new TinyGpt(shape, g);
        var before = Weights(model);
        using var scope = NewDisposeScope();
        var others = model.named_parameters().Where(p => !p.name.Contains("mlp.c_proj.weight"))
            .ToDictionary(p => p.name, p => p.parameter.detach().clone());
        Assert.Contains(others.Keys, n => n.Contains("attn.c_proj.weight"));
        VectorRef[] set = [new(0, 2), new(1, 5)];
        PromptAnswer[] forget = [new([1, 4, 6, 3], 3), new([1, 5, 7, 8], 3), new([1, 2, 9, 10], 3)];
        var checks = new List<int>();
        ConceptUnlearning.Needle(model, set, forget, steps: 4, batchSize: 2, learningRate: 0.1, new Rng(3),
            checkEvery: 2,
            step => { checks.Add(step); return new Dictionary<string, double>(); });
        Assert.Equal([0, 2, 4], checks);
        var after = Weights(model);
        for (int b = 0; b < shape.Layers; b++)
            for (int j = 0; j < before.Vectors[b].Length; j++)
            {
                bool located = set.Contains(new VectorRef(b, j));
                Assert.Equal(located, !before.Vectors[b][j].SequenceEqual(after.Vectors[b][j]));
            }
        foreach (var (name, p) in model.named_parameters().Where(p => others.ContainsKey(p.name)))
            Assert.True(p.detach().eq(others[name]).all().item<bool>(), $"{name} moved");
    }

    [Fact]
    public void AnUnlearningRunKeepsTheModelOfTheStoppingRulesEpochAndItsWholeCurve()
    {
        var shape = new TinyGptConfig(VocabSize: 24, ContextLength: 8, Layers: 2, Width: 16, Heads: 2);
        PromptAnswer[] forget = [new([1, 4, 6, 3], 3), new([1, 5, 7, 8], 3), new([1, 2, 9, 10], 3)];
        PromptAnswer[] retain = [new([1, 2, 3, 4], 3), new([1, 6, 6, 5], 3)];
        var settings = new ConceptUnlearning.UnlearnSettings(BatchSize: 2, LearningRate: 1e-2, NeedleLearningRate: 0.1,
            Beta: 0.1, ForgottenQa: ConceptVectors.ForgottenQa);
        double[] scripted = [1.0, 0.6, 0.1, 0.0];  // the forgetting level at epoch 2
        foreach (string method in new[] { "GA+RT", ConceptVectors.Needle })
        {
            using var g = new Generator(4);
            using var model = new TinyGpt(shape, g);
            var seen = new List<float[]>();
            Checkpoint Measure(TinyGpt m)
            {
                seen.Add(ValueVectors.Of(m, 1)[5]);
                return new Checkpoint(0, scripted[seen.Count - 1], 0.9);
            }
            long live = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            var data = new UnlearningData(forget, retain, forget);
            using (var outcome = ConceptUnlearning.Run(model, method, [new VectorRef(1, 5)], data, epochs: 3, settings,
                Measure, new RunContext(1, Budget.Smoke), "test-order"))
            {
                // before the first step, then each epoch
                Assert.Equal([0, 1, 2, 3], outcome.Curve.Select(c => c.Epoch));
                Assert.Equal(2, outcome.StopEpoch);
                Assert.True(outcome.Reached(ConceptVectors.ForgottenQa));
                Assert.Equal(seen[2], ValueVectors.Of(outcome.AtStop, 1)[5]);  // the copy taken at epoch 2
                Assert.NotEqual(seen[3], seen[2]);  // the run went on to its budget
                Assert.Equal(seen[3], ValueVectors.Of(model, 1)[5]);
            }
            Assert.True(DisposeScopeManager.Statistics.ThreadTotalLiveCount <= live, $"{method} left tensors alive");
        }
    }

    [Fact]
    public void TheUnlearningPhaseRunsEveryMethodOnTheConceptsThatPass()
    {
        // No concept passes the causal test at smoke, so this run opens the bar (any drop passes) on a tiny world to
        // drive every method, the stopping rule, the parametric metrics and the relearning attack end to end.
        var cfg = ConceptVectors.Config.Smoke with
        {
            Concepts = 2, Width = 32, Epochs = 150, MinOverlap = 1, CoPromoters = 2, MinConceptDrop = 0,
            MaxUnrelatedDrop = 100, Methods = ConceptVectors.Config.Full.Methods, UnlearnEpochs = 2, RelearnSteps = 2,
            MaxUnlearnedConcepts = 1,
        };
        var (r, claims) = new ConceptVectors().Execute(cfg, new RunContext(1, Budget.Smoke));
        var unlearned = r.Runs.Select(x => x.Concept).Distinct().ToList();
        Assert.NotEmpty(unlearned);
        Assert.True(unlearned.Count <= cfg.MaxUnlearnedConcepts);
        Assert.Equal(r.Concepts.Where(c => c.PassesCausalTest).Take(cfg.MaxUnlearnedConcepts).Select(c => c.Concept),
            unlearned);
        Assert.All(unlearned, c => Assert.Equal(cfg.Methods, r.Runs.Where(x => x.Concept == c).Select(x => x.Method)));
        Assert.All(r.Runs, x =>
        {
            Assert.Equal(cfg.UnlearnEpochs + 1, x.Curve.Count);
            Assert.Equal(ConceptUnlearning.OperatingPoint(x.Curve, ConceptVectors.ForgottenQa), x.StopEpoch);
            Assert.Equal(x.Curve[x.StopEpoch].ConceptQa, x.ConceptQa, 12);
            Assert.InRange(x.Cosine, -1, 1);
            Assert.InRange(x.Jaccard, 0, 1);
            Assert.True(double.IsFinite(x.Recovery));
        });
        Assert.All(r.Runs.Where(x => x.Method == ConceptVectors.Needle),
            x => Assert.True(x.Cosine < 1 - 1e-6, $"Needle left the vectors of concept {x.Concept} unchanged"));
        Assert.Equal(unlearned.Count, r.ComparedConcepts);
        Assert.Equal(claims.Select(c => c.Id), ((IExperiment)new ConceptVectors()).ClaimSpecs.Select(s => s.Id));
    }

    [Fact]
    public void EveryFindingDependsOnThePreconditionsItNeeds()
    {
        var specs = ((IExperiment)new ConceptVectors()).ClaimSpecs.ToDictionary(s => s.Id);
        Assert.Equal(ClaimKind.Precondition, specs["located-vectors-causal"].Kind);
        Assert.Equal(ClaimKind.Precondition, specs["knows-concepts"].Kind);
        Assert.Equal(0.8, specs["knows-concepts"].Threshold);
        Assert.Contains("has-candidates", specs["located-beats-random-vectors"].DependsOn);
        Assert.All(specs.Values.Where(s => s.Kind == ClaimKind.Finding), s =>
        {
            Assert.Contains("knows-concepts", s.DependsOn);
            Assert.Contains("located-vectors-causal", s.DependsOn);
        });
        Assert.Contains("gradient-runs-forget", specs["gradient-unlearning-keeps-vector-direction"].DependsOn);
        Assert.Contains("gradient-runs-forget", specs["gradient-unlearning-keeps-vector-tokens"].DependsOn);
        foreach (string id in new[] { "needle-removes-concept", "needle-resists-relearning-vs-ga", "needle-resists-relearning-vs-npo" })
            Assert.Contains("needle-ga-npo-ran", specs[id].DependsOn);
    }

    /// <summary>
    /// A model whose token t embeds as e_t and whose value vectors are all zero (so only written ones promote).
    /// </summary>
    private static TinyGpt HandSetModel(out TinyGptConfig shape)
    {
        shape = new TinyGptConfig(VocabSize: 24, ContextLength: 8, Layers: 2, Width: 32, Heads: 4);
        using var g = new Generator(3);
        var model = new TinyGpt(shape, g);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        model.TokenEmbedding.copy_(eye(shape.VocabSize, shape.Width));
        foreach (var block in model.Blocks) block.MlpLayer.OutputProjection.weight!.zero_();
        return model;
    }

    private static double SummedLogProb(TinyGpt model, int[][] prompts, int[] answers)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double sum = 0;
        for (int i = 0; i < prompts.Length; i++)
        {
            // [1, t, vocab]
            var logits = model.call(tensor(prompts[i].Select(t => (long)t).ToArray(), [1, prompts[i].Length]));
            sum += logits[0, prompts[i].Length - 1].log_softmax(-1)[answers[i]].item<double>();
        }
        return sum;
    }

    private static (float[][][] Vectors, float[][] Biases) Weights(TinyGpt model)
    {
        using var scope = NewDisposeScope();
        var vectors = Enumerable.Range(0, model.Config.Layers).Select(b => ValueVectors.Of(model, b)).ToArray();
        var biases = model.Blocks
            .Select(b => b.MlpLayer.OutputProjection.bias!.detach().cpu().data<float>().ToArray()).ToArray();
        return (vectors, biases);
    }
}

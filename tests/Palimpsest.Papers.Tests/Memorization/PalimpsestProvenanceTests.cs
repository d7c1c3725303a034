using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class PalimpsestProvenanceTests(PaperTests<PalimpsestProvenance>.SmokeRuns runs)
    : PaperTests<PalimpsestProvenance>(runs)
{
    private readonly PaperTests<PalimpsestProvenance>.SmokeRuns _runs = runs;

    [Fact]
    public void DocumentsAreMemorableAndFitTheVocabulary()
    {
        var rng = new Rng(1);
        var tokenizer = new WordTokenizer(ProvenanceCorpus.Vocabulary);
        var docs = Enumerable.Range(0, 500).Select(_ => ProvenanceCorpus.AliceDocument(rng)).ToList();
        Assert.Equal(docs.Count, docs.Distinct().Count()); // every document is its own
        Assert.All(docs, d => Assert.Equal(32, tokenizer.Encode(d).Length));
        Assert.All(Enumerable.Range(0, 50).Select(_ => ProvenanceCorpus.BobDocument(rng)),
            d => Assert.StartsWith("report :", d));
    }

    [Fact]
    public void AliceRemembersLateDocumentsAndTheOrderIsFair()
    {
        var r = (PalimpsestProvenance.Result)_runs.First.Result;
        Assert.True(r.AliceRho < -0.05, $"Alice's own rho is {r.AliceRho}");
        Assert.True(r.OrderContentP > 1e-4, $"Alice's order correlates with content (p = {r.OrderContentP})");
        Assert.Contains(r.Bobs, b => b.Kind == "null");
        Assert.Contains(r.Bobs, b => b.Kind == "derived");
    }

    [Fact]
    public void TextTokensMustIncludeTheClaimsSize()
    {
        var e = Assert.Throws<ArgumentException>(() => new PalimpsestProvenance().Execute(
            PalimpsestProvenance.Config.Smoke with { TextTokens = [128] }, new Core.Experiments.RunContext(1, Core.Experiments.Budget.Smoke)));
        Assert.Contains("512", e.Message);
    }
}

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
    public void TheControlsEvidenceIsTheQueryTestsRhoBlockByBlock()
    {
        // The derived-against-null control resamples blocks of documents; their mean must be the query test's own rho,
        // else the control would judge another statistic than the one the findings report.
        var r = (PalimpsestProvenance.Result)_runs.First.Result;
        Assert.All(r.Bobs, b =>
        {
            Assert.Equal(PalimpsestProvenance.Config.Smoke.QueryBlocks, b.RhoBlocks.Count);
            Assert.Equal(b.Rho, b.RhoBlocks.Average(), 9);
        });
        Assert.Equal(r.Bobs.Count(b => b.Kind == "derived"), r.DerivedFirst.Count);
        Assert.Equal(r.Bobs.Count(b => b.Kind == "null"), r.NullFirst.Count);
    }

    [Fact]
    public void TheDerivedBobCarriesAlicesOrderAndTheReplaysDiffer()
    {
        // At the smoke budget Alice memorises much per document: the derived Bob's loss falls with her order more
        // steeply than the null Bob's. And the reshuffled replays are not Alice: a replay that silently kept her order
        // would score her text exactly as she does (a zero spread, so no z-score) and rank her model last, never first.
        var r = (PalimpsestProvenance.Result)_runs.First.Result;
        var derived = r.Bobs.First(b => b.Kind == "derived");
        var independent = r.Bobs.First(b => b.Kind == "null");
        Assert.True(derived.Rho < independent.Rho, $"derived rho {derived.Rho} is not below the null's {independent.Rho}");
        Assert.All(r.Bobs.Where(b => b.Kind is "derived" or "null"), b => Assert.All(b.Z, z => Assert.True(double.IsFinite(z),
            $"{b.Kind} Bob: the reshuffled replays score its text identically (z = {z})")));
    }

    [Fact]
    public void TextTokensMustIncludeTheClaimsSize()
    {
        var e = Assert.Throws<ArgumentException>(() => new PalimpsestProvenance().Execute(
            PalimpsestProvenance.Config.Smoke with { TextTokens = [128, 512] }, new Core.Experiments.RunContext(1, Core.Experiments.Budget.Smoke)));
        Assert.Contains(PalimpsestProvenance.ObservationalTokens.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }
}

using Palimpsest.Core.Randomness;
using Palimpsest.Papers.Tests.Contract;
using Palimpsest.Papers.Tutorial;

namespace Palimpsest.Papers.Tests.Tutorial;

public sealed class StartHereTests(PaperTests<StartHere>.SmokeRuns runs) : PaperTests<StartHere>(runs)
{
    private readonly PaperTests<StartHere>.SmokeRuns _runs = runs;

    [Fact]
    public void SampledSentencesAreGrammaticalAndScoredExactly()
    {
        var rng = new Rng(1);
        for (int i = 0; i < 200; i++)
        {
            var (words, logProb) = ToyGrammar.Sample(rng);
            Assert.Equal(logProb, ToyGrammar.LogProb(words), 10);
            Assert.True(logProb < 0);
        }
    }

    [Theory]
    [InlineData("the fox eats .")]               // eats needs an object
    [InlineData("the foxes eats the apple .")]   // number agreement
    [InlineData("the red fox sleeps .")]         // a fruit adjective on an animal
    [InlineData("the fox chases the apple .")]   // chases takes an animal
    [InlineData("a fig is red")]                 // no full stop
    public void UngrammaticalSentencesHaveProbabilityZero(string sentence) =>
        Assert.False(ToyGrammar.IsGrammatical(sentence.Split(' ')));

    [Fact]
    public void ProbabilitiesOfTheWholeLanguageSumToOne()
    {
        // The language is finite: enumerate it by sampling until no new sentence appears, then sum exactly.
        var rng = new Rng(2);
        var seen = new Dictionary<string, double>();
        for (int i = 0; i < 400_000; i++)
        {
            var (words, logProb) = ToyGrammar.Sample(rng);
            seen.TryAdd(string.Join(' ', words), logProb);
        }
        double total = seen.Values.Sum(Math.Exp);
        Assert.InRange(total, 0.995, 1.0 + 1e-9);
    }

    [Fact]
    public void TrainedModelBeatsTheControlAtSmoke()
    {
        var r = (StartHere.Result)_runs.First.Result;
        Assert.True(r.NllModel < r.NllControl - 1.0, $"model {r.NllModel} vs control {r.NllControl}");
        Assert.True(r.NllOracle < r.NllModel, "no model beats the exact grammar on held-out text");
        Assert.InRange(r.NllControl, Math.Log(r.VocabSize) - 0.5, Math.Log(r.VocabSize) + 0.5); // an untrained model is near uniform
    }
}

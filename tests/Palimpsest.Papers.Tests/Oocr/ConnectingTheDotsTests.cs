using Palimpsest.Papers.Oocr;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Oocr;

public sealed class ConnectingTheDotsTests(PaperTests<ConnectingTheDots>.SmokeRuns runs) : PaperTests<ConnectingTheDots>(runs)
{
    private readonly PaperTests<ConnectingTheDots>.SmokeRuns _runs = runs;

    [Fact]
    public void EveryTaskRunsWithoutLeaksAndReportsItsPrimaryQuestion()
    {
        var r = (ConnectingTheDots.Result)_runs.First.Result;
        Assert.Equal(ConnectingTheDots.TaskNames, r.Tasks.Select(t => t.Task));
        Assert.All(r.Tasks, t =>
        {
            Assert.True(t.LeakCheckPassed);
            Assert.Equal(ConnectingTheDots.PrimaryType(t.Task), t.PrimaryType);
            Assert.InRange(t.LatentAccuracy, 0, 1);
            Assert.InRange(t.LatentChance, 0.01, 0.6);
        });
        Assert.Contains(r.Cells, c => c.Kind == "in-context");
    }

    [Fact]
    public void UnknownTaskNamesTheAllowedOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => ConnectingTheDots.PrimaryType("gravity"));
        Assert.Contains("functions", e.Message);
    }
}

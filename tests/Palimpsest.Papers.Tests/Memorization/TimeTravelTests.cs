using Palimpsest.Core.Data;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class TimeTravelTests(PaperTests<TimeTravel>.SmokeRuns runs) : PaperTests<TimeTravel>(runs)
{
    private readonly PaperTests<TimeTravel>.SmokeRuns _runs = runs;

    [Fact]
    public void InstancesFitTheVocabularyAndTheContextWithTheirHeader()
    {
        var suite = new BenchmarkSuite();
        var tokenizer = new WordTokenizer(suite.Vocabulary);
        var rng = new Rng(2);
        foreach (var d in suite.Datasets)
            for (int i = 0; i < 100; i++)
            {
                var ids = tokenizer.Encode($"{BenchmarkSuite.Header(d, "test")} {suite.Instance(d, rng)}");
                Assert.InRange(ids.Length, 20, TimeTravel.Config.Full.Context);
            }
        Assert.Throws<ArgumentException>(() => suite.Instance("mnist", rng));
    }

    [Fact]
    public void EveryPartitionIsJudgedAndTheHiddenOneIsLast()
    {
        var r = (TimeTravel.Result)_runs.First.Result;
        var cfg = TimeTravel.Config.Smoke;
        Assert.Equal(cfg.Duplications.Length * (2 * cfg.Datasets + 1), r.Partitions.Count);
        Assert.EndsWith("/validation", r.Partitions[^1].Name);
        Assert.Equal(cfg.Contaminated, r.Partitions.Count(p => p.Contaminated && !p.Name.EndsWith("/validation")));
        Assert.All(r.Partitions, p => Assert.InRange(p.Exact + p.NearExact, 0, cfg.Judged));
    }
}

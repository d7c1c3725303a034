using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;

namespace Palimpsest.Core.Tests.Experiments;

/// <summary>The shard grid: "K/N" parsing, and a deal that is deterministic, disjoint, complete and balanced.</summary>
public sealed class ShardTests
{
    [Theory]
    [InlineData("1/1", 1, 1)]
    [InlineData("2/3", 2, 3)]
    [InlineData("12/12", 12, 12)]
    public void ParsesKOfN(string text, int k, int n) => Assert.Equal(new Shard(k, n), Shard.Parse(text));

    [Theory]
    [InlineData("0/3", "K = 0")]
    [InlineData("4/3", "K = 4")]
    [InlineData("-1/3", "K = -1")]
    [InlineData("1/0", "N = 0")]
    [InlineData("2of3", "not of the form K/N")]
    [InlineData("1/2/3", "not of the form K/N")]
    [InlineData("/3", "not of the form K/N")]
    [InlineData("a/b", "not of the form K/N")]
    [InlineData("", "not of the form K/N")]
    public void RejectsAnythingElseNamingTheValueAndTheForm(string text, string why)
    {
        var e = Assert.Throws<ArgumentException>(() => Shard.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
        Assert.Contains(why, e.Message);
        Assert.Contains("1 <= K <= N", e.Message);
    }

    [Theory]
    [InlineData(1, 3, 1)]
    [InlineData(2, 3, 3)]
    [InlineData(3, 3, 4)]
    [InlineData(2, 2, 7)]
    [InlineData(1, 5, 2)]
    public void TheShardsAreDisjointCoverTheGridAndDifferByAtMostOneCell(int papers, int seeds, int shards)
    {
        var grid = ShardManifest.Grid(Enumerable.Range(0, papers).Select(p => $"paper-{p}").ToList(), Enumerable.Range(1, seeds).ToList());
        var deal = Enumerable.Range(1, shards).Select(k => new Shard(k, shards).Take(grid)).ToList();
        var all = deal.SelectMany(c => c).ToList();
        Assert.Equal(grid.Count, all.Count);                      // disjoint ...
        Assert.Equal(grid.ToHashSet(), all.ToHashSet());          // ... and complete
        Assert.True(deal.Max(c => c.Count) - deal.Min(c => c.Count) <= 1, "a shard got two more cells than another");
        Assert.All(deal, cells => Assert.Equal(grid.Where(cells.Contains), cells)); // each shard keeps the grid's order
    }

    [Fact]
    public void TheGridIsPaperByPaperAndTheDealRoundRobin()
    {
        var grid = ShardManifest.Grid(["a", "b"], [1, 2, 3]);
        Assert.Equal([new("a", 1), new("a", 2), new("a", 3), new("b", 1), new("b", 2), new("b", 3)], grid);
        Assert.Equal([new GridCell("a", 1), new("b", 1)], new Shard(1, 3).Take(grid));
        Assert.Equal([new GridCell("a", 3), new("b", 3)], new Shard(3, 3).Take(grid));
        Assert.Equal([new GridCell("a", 2), new("b", 3)], new Shard(2, 4).Take(grid));
        Assert.Equal("shard-2-of-4.json", new Shard(2, 4).ManifestName);
    }

    [Fact]
    public void AManifestReadsBackAsWritten()
    {
        var manifest = ShardManifest.For(new Shard(2, 3), Budget.Smoke, ["a", "b"], [1, 2, 3], "abc123");
        string json = Json.Serialize(manifest);
        var back = Json.Deserialize<ShardManifest>(json);
        Assert.Equal(json, Json.Serialize(back));
        Assert.Equal(manifest.GridKey, back.GridKey);
        Assert.DoesNotContain("gridKey", json);
        Assert.Equal([new GridCell("a", 2), new("b", 2)], back.Cells);
    }
}

using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;
using Palimpsest.Tests.Shared;

namespace Palimpsest.Papers.Tests.Contract;

/// <summary>
/// runs/scoreboard.html over the whole registry, built as the runner builds it from the published results: it parses,
/// loads nothing from outside, and its overview names every registered paper with a notebook link that resolves.
/// </summary>
public sealed class ScoreboardPageTests
{
    private static RunSummary? Published(string slug)
    {
        string path = RepoPaths.Under("data", "results", slug, "full", "summary.json");
        return File.Exists(path) ? Json.Deserialize<RunSummary>(File.ReadAllText(path)) : null;
    }

    [Fact]
    public void TheOverviewNamesEveryRegisteredPaperAndThePageIsSelfContained()
    {
        var entries = Registry.All.Select(e => new ScoreboardEntry(e.Info, e.ClaimSpecs, Published(e.Info.Slug), null)).ToList();
        string html = Scoreboard.Html(entries, "Palimpsest reproductions");

        var problems = HtmlCheck.Problems(html);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        string markup = HtmlCheck.Markup(html);
        Assert.DoesNotContain("http://", markup);
        Assert.DoesNotContain("https://", markup);
        Assert.DoesNotContain(" src=", markup);

        int start = markup.IndexOf("<table class=\"overview\">", StringComparison.Ordinal);
        Assert.True(start >= 0 && start < markup.IndexOf("<h2 id=", StringComparison.Ordinal), "the page opens with the overview");
        string overview = markup[start..markup.IndexOf("</table>", start, StringComparison.Ordinal)];
        string runs = RepoPaths.Under("runs");
        Assert.All(Registry.All, e =>
        {
            Assert.Contains($"<a href=\"#{e.Info.Slug}\">{e.Info.Slug}</a>", overview);
            Assert.Contains($"<a href=\"../{e.Info.NotebookPath}\">", overview);
            Assert.True(File.Exists(Path.Combine(runs, "..", e.Info.NotebookPath)), $"{e.Info.NotebookPath} does not exist");
            Assert.Contains($"<h2 id=\"{e.Info.Slug}\">", markup);
        });
        Assert.Equal(Registry.All.Count, overview.Split("<tr>").Length - 2); // the header row, then one row per paper
    }
}

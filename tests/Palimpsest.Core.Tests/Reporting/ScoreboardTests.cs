using System.Text.Json;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;
using Palimpsest.Tests.Shared;
using Plotly.NET;

namespace Palimpsest.Core.Tests.Reporting;

public sealed class ScoreboardTests
{
    private sealed record R(double Learnt, double Gain);

    private static readonly IReadOnlyList<Claim<R>> Claims_ =
    [
        Claim.Precondition<R>("learnt", "the toy learnt", r => r.Learnt, Comparison.AtLeast, 0.8, Budget.Full, "accuracy"),
        Claim.Finding<R>("gain", "the effect appears", r => r.Gain, Comparison.Greater, 0.1, Budget.Full, "points", dependsOn: ["learnt"]),
        Claim.Control<R>("beats-base", "beats the base", r => Evidence.Mean([r.Gain, r.Gain + 0.01, r.Gain + 0.02]),
            Comparison.Greater, 0, Budget.Full, "points", dependsOn: ["learnt"]),
    ];

    private static readonly PaperInfo Info = new("toy-paper", "memorization", "A toy paper", 2026, "https://example.org");

    private static RunSummary Summary(IReadOnlyList<ClaimSpec> specs, string? hash, bool? clean, double learnt = 0.9)
    {
        var perSeed = new[] { 1, 2, 3 }.Select(s => Claims.Judge(Claims_, new R(learnt, 0.3), Budget.Full, s)).ToList();
        return new RunSummary(Info.Slug, Info.Family, Info.Title, "full", [1, 2, 3], "abc123", hash, clean, 30, "2026-12-05T00:00:00Z",
            ClaimAggregator.Summarize(specs, perSeed, Budget.Full, [1, 2, 3]));
    }

    private static IReadOnlyList<ClaimSpec> Specs => Claims_.Select(c => c.Spec).ToList();

    [Fact]
    public void ACurrentCleanResultShowsItsVerdictAndHeadline()
    {
        var entry = new ScoreboardEntry(Info, Specs, Summary(Specs, Claims.Hash(Specs), clean: true), null);
        Assert.False(entry.IsStale);
        Assert.Equal("REPRODUCED", entry.Status);
        string md = Scoreboard.Markdown([entry], "test");
        Assert.Contains("1 of 1 findings; preconditions 1/1; controls 1/1", md);
        Assert.Contains("Full-budget verdicts: 1 REPRODUCED, 0 PARTLY, 0 NOT REPRODUCED, 0 UNTESTED, 0 STALE", md);
        Assert.Contains("Findings reproduced in current results: 1 of 1", md);
        Assert.DoesNotContain("STALE.", md);
    }

    [Fact]
    public void AResultJudgedByOtherClaimsIsStaleAndNotCounted()
    {
        var oldSpecs = Specs.Select(s => s.Id == "gain" ? s with { Threshold = 0.05 } : s).ToList();
        var stale = new ScoreboardEntry(Info, Specs, Summary(oldSpecs, Claims.Hash(oldSpecs), clean: true), null);
        Assert.True(stale.IsStale);
        Assert.Equal("STALE", stale.Status);
        string md = Scoreboard.Markdown([stale], "test");
        Assert.Contains("**STALE.**", md);
        Assert.Contains("0 REPRODUCED, 0 PARTLY, 0 NOT REPRODUCED, 0 UNTESTED, 1 STALE", md);
        // A result from before claims were hashed (no hash recorded) is stale too.
        Assert.True(new ScoreboardEntry(Info, Specs, Summary(Specs, hash: null, clean: null), null).IsStale);
        Assert.Contains("STALE", Scoreboard.Html([stale], "t"));
        // The page lists the claims a re-run will judge, each "not run", instead of an empty table.
        string html = Scoreboard.Html([stale], "t");
        foreach (var spec in Specs) Assert.Contains($"<td>{spec.Id}</td>", html);
        Assert.Equal(Specs.Count, html.Split("<td>not run</td>").Length - 1);
    }

    [Fact]
    public void AResultFromADirtyTreeIsMarkedUnregistered()
    {
        var dirty = new ScoreboardEntry(Info, Specs, Summary(Specs, Claims.Hash(Specs), clean: false), null);
        Assert.True(dirty.IsUnregistered);
        Assert.StartsWith("unregistered", dirty.Status);
        Assert.Contains("1 unregistered", Scoreboard.Totals([dirty]));
        Assert.Contains("(uncommitted changes)", Scoreboard.Markdown([dirty], "test"));
    }

    [Fact]
    public void AMergedRunWithSeedsMissingIsIncompleteWithNoVerdict()
    {
        var missing = new IncompleteRun(Info.Slug, "full", [1, 2, 3], [2]);
        var entry = new ScoreboardEntry(Info, Specs, null, null, Incomplete: [missing]);
        Assert.Equal("incomplete (1 of 3 seeds missing)", entry.Status);
        Assert.Contains("1 incomplete, 0 not run", Scoreboard.Totals([entry]));
        string md = Scoreboard.Markdown([entry], "test");
        Assert.Contains("Full budget: **incomplete**, seeds 2 of 1,2,3 missing", md);
        Assert.Equal(Specs.Count, md.Split("| incomplete |  | not run |").Length - 1); // the full column of every claim
        string html = Scoreboard.Html([entry], "t");
        Assert.Contains("<td class=\"incomplete\">incomplete (1 of 3 seeds missing)</td>", html);
        Assert.Empty(HtmlCheck.Problems(html));
        // A summary at that budget wins: the marker only stands where no summary is.
        var whole = entry with { Full = Summary(Specs, Claims.Hash(Specs), clean: true) };
        Assert.Null(whole.IncompleteAt(Budget.Full));
        Assert.Equal("REPRODUCED", whole.Status);
    }

    [Fact]
    public void AFailedPreconditionMakesThePaperUntested()
    {
        var entry = new ScoreboardEntry(Info, Specs, Summary(Specs, Claims.Hash(Specs), clean: true, learnt: 0.5), null);
        Assert.Equal("UNTESTED", entry.Status);
        Assert.Contains("0 of 1 findings (1 untested); preconditions 0/1; controls 0/1 (1 untested)", entry.Full!.Headline);
    }

    [Fact]
    public void TheHtmlPageIsWellFormedSelfContainedAndOpensWithTheOverview()
    {
        var current = new ScoreboardEntry(Info, Specs, Summary(Specs, Claims.Hash(Specs), clean: true), null,
            ["toy-paper/full/fig-gain.html"]);
        var other = new PaperInfo("other-paper", "oocr", "Another <toy> & paper", 2025, "https://example.org/other");
        var notRun = new ScoreboardEntry(other, Specs, null, null);
        string html = Scoreboard.Html([current, notRun], "Palimpsest reproductions");

        var problems = HtmlCheck.Problems(html);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
        // plotly.js inlined exactly once; nothing loaded or linked from outside (paper URLs stay out of the page).
        string plotly = Figures.PlotlyJsScriptTag(offline: true);
        Assert.Equal(html.IndexOf(plotly, StringComparison.Ordinal), html.LastIndexOf(plotly, StringComparison.Ordinal));
        Assert.True(html.Contains(plotly, StringComparison.Ordinal));
        string markup = HtmlCheck.Markup(html);
        Assert.DoesNotContain("http://", markup);
        Assert.DoesNotContain("https://", markup);
        Assert.DoesNotContain(" src=", markup);

        // The overview comes first, before any paper's section, and names every paper with a link to its notebook.
        int overview = markup.IndexOf("<table class=\"overview\">", StringComparison.Ordinal);
        int firstPaper = markup.IndexOf("<h2 id=", StringComparison.Ordinal);
        Assert.True(overview > 0 && overview < firstPaper, "the overview table must open the page");
        string table = markup[overview..markup.IndexOf("</table>", overview, StringComparison.Ordinal)];
        Assert.Contains("<th>findings reproduced</th><th>preconditions met</th>", table);
        Assert.Contains("<a href=\"#toy-paper\">toy-paper</a>", table);
        Assert.Contains("<a href=\"#other-paper\">other-paper</a>", table);
        Assert.Contains("<a href=\"../notebooks/memorization/toy-paper.ipynb\">", table);
        Assert.Contains("<td class=\"REPRODUCED\">REPRODUCED</td><td>1/1</td><td>1/1</td><td>1/1</td>", table);
        Assert.Contains("not run", table);
        Assert.Contains("Another &lt;toy&gt; &amp; paper", markup);
        Assert.Contains("<a href=\"toy-paper/full/fig-gain.html\">gain (full)</a>", markup);
        Assert.Contains("<div id=\"claims-toy-paper\"", markup); // the claims chart of the paper with a result
        Assert.DoesNotContain("claims-other-paper", markup);
        Assert.Contains("href=\"../../notebooks/", Scoreboard.Html([current], "t", repositoryFromPage: "../../"));
    }

    [Theory]
    [InlineData("<html><body></body></html>", "DOCTYPE")]
    [InlineData("<!DOCTYPE html>\n<html><body><p>a</body></html>", "</body>")]
    [InlineData("<!DOCTYPE html>\n<html><body><table><tr><td>1 < 2</td></tr></table></body></html>", "bare '<'")]
    [InlineData("<!DOCTYPE html>\n<html><body><a href=x>a</a></body></html>", "bare '<'")]
    [InlineData("<!DOCTYPE html>\n<html><body>R&D</body></html>", "stray '&'")]
    [InlineData("<!DOCTYPE html>\n<html><body><div></body></html>", "</body>")]
    public void TheWellFormednessCheckCatchesBrokenPages(string html, string problem)
    {
        Assert.Contains(HtmlCheck.Problems(html), p => p.Contains(problem, StringComparison.Ordinal));
        Assert.Empty(HtmlCheck.Problems("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><script>if (a < b && c) {}</script></head>" +
            "<body><p>R&amp;D &#8211; <a href=\"#x\">x</a><br></p></body></html>"));
    }

    [Fact]
    public void TheClaimChartGivesEachClaimItsOwnPanelAndScale()
    {
        var summary = Summary(Specs, Claims.Hash(Specs), clean: true);
        var figure = JsonDocument.Parse(GenericChart.toJson(Scoreboard.ClaimChart(summary))).RootElement;
        var layout = figure.GetProperty("layout");
        Assert.False(layout.GetProperty("showlegend").GetBoolean());
        Assert.True(layout.GetProperty("width").GetInt32() <= 1200, "readable in a 1280 px window");
        // One x axis per claim, each with its own range; no axis is shared between claims of different units.
        var axes = new[] { "xaxis", "xaxis2", "xaxis3" }.Select(a => layout.GetProperty(a)).ToList();
        Assert.False(layout.TryGetProperty("xaxis4", out _));
        Assert.All(axes, a => Assert.Equal(2, a.GetProperty("range").GetArrayLength()));
        var traces = figure.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(["x", "x2", "x3"], traces.Select(t => t.GetProperty("xaxis").GetString()!).Distinct().Order());
        // Panels in table order (precondition, finding, control); the titles name the claim and its verdict.
        var titles = layout.GetProperty("annotations").EnumerateArray().Select(a => a.GetProperty("text").GetString()!).ToList();
        Assert.StartsWith("<b>learnt</b>", titles[0]);
        Assert.StartsWith("<b>gain</b>", titles[1]);
        Assert.Contains("PASS", titles[1]);
        Assert.Contains("&gt; 0.1 points", titles[1]);
        // The gain panel: the threshold line at 0.1 and the shaded passing side to its right, to the axis' end.
        var shapes = layout.GetProperty("shapes").EnumerateArray().Where(sh => sh.GetProperty("xref").GetString() == "x2").ToList();
        var rect = shapes.Single(sh => sh.GetProperty("type").GetString() == "rect");
        var line = shapes.Single(sh => sh.GetProperty("type").GetString() == "line");
        Assert.Equal(0.1, line.GetProperty("x0").GetDouble());
        Assert.Equal(0.1, rect.GetProperty("x0").GetDouble());
        Assert.Equal(axes[1].GetProperty("range")[1].GetDouble(), rect.GetProperty("x1").GetDouble());
        var seeds = traces.Single(t => t.GetProperty("xaxis").GetString() == "x2" && t.GetProperty("name").GetString() == "seed");
        Assert.All(seeds.GetProperty("x").EnumerateArray(), x => Assert.Equal(0.3, x.GetDouble(), 9));
    }
}

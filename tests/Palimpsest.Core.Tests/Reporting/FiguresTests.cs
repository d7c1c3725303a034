using System.Text.Json;
using Palimpsest.Core.Reporting;
using Plotly.NET;
using Xunit;

namespace Palimpsest.Core.Tests.Reporting;

/// <summary>The one look of all figures, and HTML saving that is self-contained offline and never mutates the chart.</summary>
public sealed class FiguresTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "palimpsest-figures-" + Guid.NewGuid().ToString("N"));

    public FiguresTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static readonly double[] Steps = [1, 10, 100, 1000];

    private static GenericChart LossCurves(bool logX = false, bool logY = false) => Figures.Lines(
        "Does training lower the loss below the untrained control?", "training step (count)", "loss (nats/token)",
        [
            new Series("method", Steps, [3.0, 2.0, 1.5, 1.2]),
            new Series("untrained", Steps, [3.2, 3.2, 3.2, 3.2], SeriesRole.Control),
            new Series("no warmup", Steps, [3.0, 2.4, 1.9, 1.6], SeriesRole.Ablation),
            new Series("seed 1", Steps, [3.1, 2.1, 1.6, 1.25], SeriesRole.Seed),
        ],
        logX, logY);

    private static GenericChart RocChart() => Figures.Roc("Does Min-K% find members at low false positive rates?",
    [
        new Series("min-k", [0.0, 0.001, 0.01, 0.1, 1.0], [0.0, 0.05, 0.2, 0.5, 1.0]),
        new Series("loss", [0.0, 0.001, 0.01, 0.1, 1.0], [0.0, 0.01, 0.05, 0.3, 1.0], SeriesRole.Ablation),
    ]);

    private static JsonElement Figure(GenericChart chart) => JsonDocument.Parse(GenericChart.toJson(chart)).RootElement;

    private static JsonElement Trace(GenericChart chart, string name) =>
        Figure(chart).GetProperty("data").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);

    public static TheoryData<string> Kinds => new() { "lines", "scatter", "bars", "roc" };

    private static GenericChart Make(string kind) => kind switch
    {
        "lines" => LossCurves(),
        "scatter" => Figures.Scatter("Do members score higher than non-members?", "member score (nats)", "non-member score (nats)",
            [new Series("pairs", [1.0, 2.0, 3.0], [1.5, 2.5, 2.0])], identityLine: true),
        "bars" => Figures.Bars("Which condition forgets most?", "forget-set accuracy (fraction)",
            [("method", 0.2, 0.05, 0.04, SeriesRole.Method), ("untouched", 0.9, null, null, SeriesRole.Control),
             ("no retain loss", 0.4, 0.1, 0.1, SeriesRole.Ablation)]),
        "roc" => RocChart(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void EveryFigure_Is640x400_OnWhite_WithTitleAndAxisTitles(string kind)
    {
        var layout = Figure(Make(kind)).GetProperty("layout");
        Assert.Equal(640, layout.GetProperty("width").GetInt32());
        Assert.Equal(400, layout.GetProperty("height").GetInt32());
        Assert.EndsWith("?", layout.GetProperty("title").GetProperty("text").GetString());
        Assert.Equal("#FFFFFF", layout.GetProperty("template").GetProperty("layout").GetProperty("plot_bgcolor").GetString());
        Assert.False(string.IsNullOrWhiteSpace(layout.GetProperty("yaxis").GetProperty("title").GetProperty("text").GetString()));
    }

    [Fact]
    public void Lines_LogAxis_IsInTheJson()
    {
        Assert.DoesNotContain("\"type\":\"log\"", GenericChart.toJson(LossCurves()));
        var layout = Figure(LossCurves(logX: true)).GetProperty("layout");
        Assert.Equal("log", layout.GetProperty("xaxis").GetProperty("type").GetString());
        Assert.Equal("linear", layout.GetProperty("yaxis").GetProperty("type").GetString());
        Assert.Contains("\"type\":\"log\"", GenericChart.toJson(LossCurves(logY: true)));
    }

    [Fact]
    public void Lines_RolesDecideColourAndOrder()
    {
        var chart = LossCurves();
        var method = Trace(chart, "method");
        Assert.Equal(Figures.AccentColor, method.GetProperty("line").GetProperty("color").GetString());
        var control = Trace(chart, "untrained");
        Assert.Equal(Figures.ControlColor, control.GetProperty("line").GetProperty("color").GetString());
        Assert.Equal("dash", control.GetProperty("line").GetProperty("dash").GetString());
        Assert.Equal(Figures.AblationColors[0], Trace(chart, "no warmup").GetProperty("line").GetProperty("color").GetString());
        var seed = Trace(chart, "seed 1");
        Assert.Equal(Figures.SeedOpacity, seed.GetProperty("opacity").GetDouble());
        Assert.False(seed.GetProperty("showlegend").GetBoolean());

        var order = Figure(chart).GetProperty("data").EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Equal(["seed 1", "untrained", "no warmup", "method"], order); // method drawn on top
    }

    [Fact]
    public void Lines_NonFiniteValuesBecomeGaps()
    {
        var chart = Figures.Lines("Does it diverge?", "step (count)", "loss (nats)", [new Series("m", [1.0, 2.0, 3.0], [1.0, double.NaN, double.PositiveInfinity])]);
        string json = GenericChart.toJson(chart);
        Assert.Contains("\"y\":[1.0,null,null]", json);
        Assert.DoesNotContain("NaN", json);
    }

    [Fact]
    public void Figures_RejectTitlesThatAreNotQuestions_AndMissingAxisTitles()
    {
        Series[] s = [new Series("m", [1.0], [1.0])];
        Assert.Throws<ArgumentException>(() => Figures.Lines("Loss curve", "step (count)", "loss (nats)", s));
        Assert.Throws<ArgumentException>(() => Figures.Lines("Does loss fall?", "", "loss (nats)", s));
        Assert.Throws<ArgumentException>(() => Figures.Lines("Does loss fall?", "step (count)", "loss (nats)", [new Series("m", [1.0, 2.0], [1.0])]));
    }

    [Fact]
    public void Roc_HasLogFprAxis_ClipsZero_AndDrawsChanceInGrey()
    {
        var chart = RocChart();
        var xaxis = Figure(chart).GetProperty("layout").GetProperty("xaxis");
        Assert.Equal("log", xaxis.GetProperty("type").GetString());
        Assert.Equal([-4.0, 0.0], xaxis.GetProperty("range").EnumerateArray().Select(v => v.GetDouble()));

        var chance = Trace(chart, "chance");
        Assert.Equal(Figures.ReferenceColor, chance.GetProperty("line").GetProperty("color").GetString());
        var cx = chance.GetProperty("x").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(cx, chance.GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(1e-4, cx[0], 12);
        Assert.Equal(1.0, cx[^1], 12);

        Assert.Equal(1e-4, Trace(chart, "min-k").GetProperty("x")[0].GetDouble()); // FPR 0 drawn at the axis' left end
        Assert.Equal(Figures.AccentColor, Trace(chart, "min-k").GetProperty("line").GetProperty("color").GetString());
    }

    [Fact]
    public void Bars_ErrorBarsAreOptional_AndMustBeDistances()
    {
        var chart = Make("bars");
        var method = Trace(chart, "method");
        Assert.Equal(0.04, method.GetProperty("error_y").GetProperty("array")[0].GetDouble());
        Assert.Equal(0.05, method.GetProperty("error_y").GetProperty("arrayminus")[0].GetDouble());
        Assert.Equal(Figures.AccentColor, method.GetProperty("marker").GetProperty("color").GetString());
        var control = Trace(chart, "untouched");
        Assert.False(control.TryGetProperty("error_y", out _));
        Assert.Equal(Figures.ControlColor, control.GetProperty("marker").GetProperty("color").GetString());

        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.Bars("Q?", "y (unit)", [("a", 0.5, -0.1, 0.1, SeriesRole.Method)]));
        Assert.Throws<ArgumentException>(() => Figures.Bars("Q?", "y (unit)",
            [("a", 0.5, null, null, SeriesRole.Method), ("a", 0.6, null, null, SeriesRole.Control)]));
    }

    [Fact]
    public void Bars_ReferenceLine_SpansThePlotAtItsValue()
    {
        Assert.False(Figure(Make("bars")).GetProperty("layout").TryGetProperty("shapes", out _));
        var chart = Figures.Bars("Is the method above chance?", "accuracy (fraction)",
            [("method", 0.8, null, null, SeriesRole.Method)], reference: (0.25, "chance"));
        var layout = Figure(chart).GetProperty("layout");
        var line = layout.GetProperty("shapes")[0];
        Assert.Equal("paper", line.GetProperty("xref").GetString());
        Assert.Equal(0.25, line.GetProperty("y0").GetDouble());
        Assert.Equal(0.25, line.GetProperty("y1").GetDouble());
        Assert.Equal(Figures.ReferenceColor, line.GetProperty("line").GetProperty("color").GetString());
        Assert.Equal("chance", layout.GetProperty("annotations")[0].GetProperty("text").GetString());
        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.Bars("Q?", "y (unit)",
            [("a", 0.5, null, null, SeriesRole.Method)], reference: (double.NaN, "chance")));
    }

    [Fact]
    public void SaveHtml_Offline_InlinesPlotlyJs_AndNeedsNoNetwork()
    {
        string path = Path.Combine(_dir, "sub", "fig-loss.html");
        Figures.SaveHtml(LossCurves(), path);

        var info = new FileInfo(path);
        Assert.True(info.Length > 1_000_000, $"offline page is only {info.Length} bytes");
        string html = File.ReadAllText(path);
        Assert.Contains("plotly.js v" + Figures.PlotlyJsVersion, html); // the library's banner
        Assert.Contains("Plotly.newPlot(", html);
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotContain("cdn.plot.ly/plotly-", html);
        Assert.Contains("<title>Does training lower the loss below the untrained control?</title>", html);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary file left behind
    }

    [Fact]
    public void SaveHtml_Cdn_IsSmall()
    {
        string path = Path.Combine(_dir, "cdn.html");
        Figures.SaveHtml(LossCurves(), path, offline: false);
        Assert.True(new FileInfo(path).Length < 50_000);
        Assert.Contains($"<script src=\"{Figures.PlotlyJsCdnUrl}\"", File.ReadAllText(path));
    }

    [Fact]
    public void SaveHtml_OfflineThenCdn_DoesNotMutateTheChart()
    {
        var chart = RocChart();
        string before = GenericChart.toJson(chart);
        Figures.SaveHtml(chart, Path.Combine(_dir, "a.html"), offline: true);
        Figures.SaveHtml(chart, Path.Combine(_dir, "b.html"), offline: false);

        Assert.True(new FileInfo(Path.Combine(_dir, "a.html")).Length > 1_000_000);
        Assert.True(new FileInfo(Path.Combine(_dir, "b.html")).Length < 50_000);
        Assert.Equal(before, GenericChart.toJson(chart));
        Assert.True(GenericChart.toEmbeddedHTML(chart).Length < 100_000); // Plotly.NET's own writer still uses the CDN
    }

    [Fact]
    public void SaveHtml_OverwritesAnExistingFile()
    {
        string path = Path.Combine(_dir, "fig.html");
        File.WriteAllText(path, "old");
        Figures.SaveHtml(LossCurves(), path, offline: false);
        Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void ToHtmlFragment_IsADivAndScript_WithoutTheLibrary_AndDeterministic()
    {
        var chart = LossCurves();
        string fragment = Figures.ToHtmlFragment(chart);
        Assert.StartsWith("<div id=\"fig-", fragment);
        Assert.Contains("Plotly.newPlot('fig-", fragment);
        Assert.EndsWith("</script>", fragment);
        Assert.True(fragment.Length < 50_000);
        Assert.Equal(fragment, Figures.ToHtmlFragment(LossCurves()));
        Assert.StartsWith("<div id=\"loss\"", Figures.ToHtmlFragment(chart, "loss"));
        Assert.Throws<ArgumentException>(() => Figures.ToHtmlFragment(chart, "bad id\"><script>"));
    }

    [Fact]
    public void ToHtmlFragment_NamesCannotCloseTheScript()
    {
        var chart = Figures.Lines("Is it safe?", "x (unit)", "y (unit)", [new Series("</script><b>x", [1.0], [1.0])]);
        string fragment = Figures.ToHtmlFragment(chart);
        Assert.Equal(1, fragment.Split("</script>").Length - 1);
    }

    [Fact]
    public void PlotlyJsScriptTag_InlinesTheLibrary()
    {
        string tag = Figures.PlotlyJsScriptTag();
        Assert.StartsWith("<script", tag);
        Assert.EndsWith("</script>", tag);
        Assert.True(tag.Length > 1_000_000);
        Assert.Contains("plotly.js v" + Figures.PlotlyJsVersion, tag);
        Assert.Equal(1, tag.Split("</script>").Length - 1);
        Assert.Contains(Figures.PlotlyJsCdnUrl, Figures.PlotlyJsScriptTag(offline: false));
    }

    [Fact]
    public void ToNotebookHtml_DrawsWithThePagesPlotly_AndLoadsNothing()
    {
        var chart = LossCurves();
        string first = Figures.ToNotebookHtml(chart, 1);
        string second = Figures.ToNotebookHtml(chart, 2);
        string id = Figures.ToHtmlFragment(chart)[9..29];   // <div id="fig-<16 hex>"
        Assert.StartsWith($"<div id=\"{id}-1\"", first);
        Assert.Contains($"if (window.Plotly) {{ Plotly.newPlot('{id}-1',", first);
        Assert.Contains("NotebookSession.Start", first);   // says what to run when plotly.js is missing
        Assert.Contains($"'{id}-2'", second);               // a figure shown twice is drawn twice
        Assert.Equal(1, first.Split("</script>").Length - 1);
        Assert.True(first.Length < 50_000);
        foreach (string external in new[] { "src=", "cdn.", "require", "http" })
            Assert.DoesNotContain(external, first);
        Assert.Throws<ArgumentOutOfRangeException>(() => Figures.ToNotebookHtml(chart, -1));
    }

    [Fact]
    public void PlotlyJsNotebookScript_InlinesTheLibrary_WithModuleLoadersHidden()
    {
        string script = Figures.PlotlyJsNotebookScript();
        Assert.StartsWith("<script type=\"text/javascript\" charset=\"utf-8\">", script);
        Assert.Contains(">(function (define, module, exports) {\n", script[..100]);
        Assert.EndsWith("\n})();</script>", script);
        Assert.True(script.Length > 1_000_000);
        Assert.Contains("plotly.js v" + Figures.PlotlyJsVersion, script);
        Assert.Equal(1, script.Split("</script>").Length - 1);
        Assert.DoesNotContain("<script src", script);
        Assert.DoesNotContain("cdn.plot.ly/plotly-", script);
    }
}

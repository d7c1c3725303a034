using Palimpsest.Core.Reporting;

namespace Palimpsest.Papers.Tests.Notebooks;

/// <summary>
/// What the notebook execution test calls a script loaded from the network, checked on the HTML our notebooks show
/// (none) and on what Plotly.NET.Interactive and a CDN page show (flagged), so that check can fail.
/// </summary>
public sealed class OfflineChartsTests
{
    private static readonly Plotly.NET.GenericChart Chart = Figures.Lines("Does the loss fall?", "step (count)",
        "loss (nats/token)", [new Series("method", [1.0, 2.0, 3.0], [3.0, 2.0, 1.5])]);

    [Fact]
    public void What_a_notebook_shows_loads_no_script_from_the_network()
    {
        Assert.Empty(NotebookExecutionTests.ExternalScripts(Figures.PlotlyJsNotebookScript()));
        Assert.Empty(NotebookExecutionTests.ExternalScripts(Figures.ToNotebookHtml(Chart, 1)));
    }

    [Fact]
    public void A_CDN_script_or_a_require_path_is_flagged()
    {
        string plotlyNetInteractive = "<script type=\"text/javascript\">var fsharpPlotlyRequire = requirejs.config(" +
            $"{{context:'fsharp-plotly',paths:{{plotly:'{Figures.PlotlyJsCdnUrl[..^3]}'}}}}) || require;</script>";
        Assert.NotEmpty(NotebookExecutionTests.ExternalScripts(plotlyNetInteractive));
        Assert.NotEmpty(NotebookExecutionTests.ExternalScripts(Figures.PlotlyJsScriptTag(offline: false)));
        Assert.NotEmpty(NotebookExecutionTests.ExternalScripts("<script src='//cdn.example.org/x'></script>"));
    }
}

using Microsoft.DotNet.Interactive.Formatting;
using Palimpsest.Core.Notebook;
using Palimpsest.Core.Reporting;
using Plotly.NET;

namespace Palimpsest.Core.Tests.Notebook;

/// <summary>
/// The kernel pieces Core reaches by reflection, against the real formatter registry (no kernel runs): charts are
/// shown with the page's inlined plotly.js instead of Plotly.NET.Interactive's CDN, and outside a kernel there is no
/// display and no cancellation.
/// </summary>
public sealed class KernelDisplayTests : IDisposable
{
    public void Dispose() => Formatter.ResetToDefault();

    private static GenericChart Chart() => Figures.Lines("Does the loss fall?", "step (count)", "loss (nats/token)",
        [new Series("method", [1.0, 2.0, 3.0], [3.0, 2.0, 1.5])]);

    [Fact]
    public void A_registered_chart_formatter_replaces_the_one_an_extension_loaded_before()
    {
        // What Plotly.NET.Interactive 6 registers when its extension loads: plotly.js from the CDN through require.js.
        Formatter.Register<GenericChart>((_, writer) => writer.Write(
            $"<script>require.config({{paths: {{plotly: '{Figures.PlotlyJsCdnUrl}'}}}});</script>"), "text/html");
        var chart = Chart();
        Assert.Contains("cdn.plot.ly", chart.ToDisplayString("text/html"));

        Assert.True(KernelDisplay.TryRegisterHtmlFormatter(typeof(GenericChart),
            c => Figures.ToNotebookHtml((GenericChart)c, 3)));

        string html = chart.ToDisplayString("text/html");
        Assert.Equal(Figures.ToNotebookHtml(chart, 3), html);
        Assert.DoesNotContain("cdn.", html);
        Assert.DoesNotContain("require", html);
    }

    [Fact]
    public void Outside_a_kernel_there_is_no_display_and_no_cancellation()
    {
        Assert.Null(KernelDisplay.TryFind());
        Assert.Equal(CancellationToken.None, KernelDisplay.CurrentCancellation());
    }
}

using System.Globalization;
using System.Net;
using Microsoft.FSharp.Collections;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using Plotly.NET.TraceObjects;

namespace Palimpsest.Core.Reporting;

/// <summary>One panel of <see cref="Figures.ThresholdPanels"/>: per-seed values of one quantity against its threshold.</summary>
/// <param name="Title">The panel's first line, e.g. a claim id.</param>
/// <param name="Subtitle">The second line, e.g. what the claim expects: "≥ 0.85 AUC".</param>
/// <param name="Values">Per-seed values in the quantity's own unit; non-finite ones are not drawn.</param>
/// <param name="Threshold">The line the values must clear.</param>
/// <param name="PassesAbove">True when values above the threshold pass (&gt;, ≥), false when values below it pass.</param>
/// <param name="Interval">An optional 95% interval of the mean, drawn as a band behind the mean.</param>
/// <param name="Badge">An optional verdict after the title, e.g. "PASS".</param>
/// <param name="BadgeColor">The badge's CSS colour.</param>
public sealed record ThresholdPanel(string Title, string Subtitle, IReadOnlyList<double> Values, double Threshold, bool PassesAbove,
    (double Low, double High)? Interval = null, string? Badge = null, string? BadgeColor = null);

public static partial class Figures
{
    /// <summary>Width of one panel of <see cref="ThresholdPanels"/> in pixels.</summary>
    public const int PanelWidth = 380;

    private const int PanelTitleBand = 38, PanelPlotBand = 40, PanelTickBand = 28, PanelGap = 14, PanelsTop = 48;
    private const string PassFill = "rgba(26,127,55,0.12)";

    /// <summary>
    /// Small multiples: one panel per quantity, each on its own scale (so quantities in different units never share an
    /// axis), in rows of <paramref name="columns"/>. A panel shows the per-seed values as dots, their mean as a tick
    /// with its interval as a band, the threshold as a dotted line, and the passing side of it shaded. No legend: the
    /// page that shows it says how to read it once. About 1,170 px wide with three columns.
    /// </summary>
    /// <param name="title">The question the figure answers, ending with '?'.</param>
    /// <param name="panels">The panels, in reading order (left to right, then down).</param>
    /// <param name="columns">Panels per row (fewer when there are fewer panels).</param>
    public static GenericChart ThresholdPanels(string title, IReadOnlyList<ThresholdPanel> panels, int columns = 3)
    {
        CheckTitle(title);
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0) throw new ArgumentException("at least one panel is needed", nameof(panels));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "must be at least 1");
        int cols = Math.Min(columns, panels.Count), rows = (panels.Count + cols - 1) / cols;
        double plotWidth = cols * PanelWidth, rowHeight = PanelTitleBand + PanelPlotBand + PanelTickBand, plotHeight = rows * rowHeight;

        var layout = new Layout();
        layout.SetProperty("template", WhiteTemplate());
        layout.SetProperty("width", (int)plotWidth + 2 * PanelGap);
        layout.SetProperty("height", (int)plotHeight + PanelsTop + 8);
        layout.SetProperty("autosize", false);
        layout.SetProperty("showlegend", false);
        layout.SetProperty("title", Obj(new Title(), ("text", title), ("x", 0.0), ("xref", "paper"), ("xanchor", "left"),
            ("y", 1.0), ("yref", "container"), ("yanchor", "top"), ("pad", Obj(new Padding(), ("t", 14)))));
        layout.SetProperty("margin", Obj(new Margin(), ("l", PanelGap), ("r", PanelGap), ("t", PanelsTop), ("b", 8), ("pad", 0)));

        var traces = new List<Trace>();
        var shapes = new List<Shape>();
        var annotations = new List<Annotation>();
        for (int k = 0; k < panels.Count; k++)
        {
            var p = panels[k];
            string suffix = k == 0 ? "" : (k + 1).ToString(CultureInfo.InvariantCulture);
            int row = k / cols, col = k % cols;
            double top = 1 - (double)row / rows, bottom = 1 - (double)(row + 1) / rows;
            double left = (double)col / cols, right = (double)(col + 1) / cols, gap = PanelGap / plotWidth;
            var values = p.Values.Where(double.IsFinite).ToList();
            var (lo, hi) = PanelRange(p, values);

            layout.SetProperty("xaxis" + suffix, Obj(new LinearAxis(), ("domain", new[] { left + gap, right - gap }),
                ("range", new[] { lo, hi }), ("anchor", "y" + suffix), ("nticks", 5), ("automargin", false),
                ("tickfont", Obj(new Font(), ("size", 10))), ("fixedrange", true)));
            layout.SetProperty("yaxis" + suffix, Obj(new LinearAxis(), ("domain",
                new[] { bottom + PanelTickBand / plotHeight, top - PanelTitleBand / plotHeight }), ("range", new[] { -1.0, 1.0 }),
                ("anchor", "x" + suffix), ("visible", false), ("fixedrange", true)));

            // The passing side of the threshold, shaded, and the threshold itself.
            shapes.Add(Obj(new Shape(), ("type", "rect"), ("xref", "x" + suffix), ("yref", "y" + suffix), ("layer", "below"),
                ("x0", p.Threshold), ("x1", p.PassesAbove ? hi : lo), ("y0", -1.0), ("y1", 1.0), ("fillcolor", PassFill),
                ("line", Obj(new Line(), ("width", 0)))));
            shapes.Add(Obj(new Shape(), ("type", "line"), ("xref", "x" + suffix), ("yref", "y" + suffix), ("x0", p.Threshold),
                ("x1", p.Threshold), ("y0", -1.0), ("y1", 1.0), ("line", Obj(new Line(), ("color", AxisColor), ("width", 1.5), ("dash", "dot")))));

            string badge = p.Badge is null ? "" : $"  <span style=\"color:{p.BadgeColor ?? TextColor}\"><b>{WebUtility.HtmlEncode(p.Badge)}</b></span>";
            annotations.Add(Obj(new Annotation(), ("xref", "paper"), ("yref", "paper"), ("x", left + gap), ("y", top),
                ("xanchor", "left"), ("yanchor", "top"), ("align", "left"), ("showarrow", false),
                ("text", $"<b>{WebUtility.HtmlEncode(p.Title)}</b>{badge}<br><span style=\"color:{AxisColor};font-size:10px\">" +
                         $"{WebUtility.HtmlEncode(p.Subtitle)}</span>"),
                ("font", Obj(new Font(), ("size", 11), ("color", TextColor)))));

            if (p.Interval is { } ci && double.IsFinite(ci.Low) && double.IsFinite(ci.High))
                traces.Add(PanelTrace(suffix, "95% interval", [ci.Low, ci.High], [0, 0], "lines", ("line", Obj(new Line(),
                    ("color", ReferenceColor), ("width", 8))), ("hoverinfo", "name+x")));
            if (values.Count > 0)
            {
                traces.Add(PanelTrace(suffix, "mean", [values.Average()], [0], "markers", ("marker", Obj(new Marker(),
                    ("symbol", "line-ns"), ("size", 22), ("color", TextColor), ("line", Obj(new Line(), ("width", 2.5), ("color", TextColor)))))));
                // Seeds spread a little vertically, so equal values stay visible.
                var y = values.Select((_, i) => values.Count == 1 ? 0 : 0.5 * (2.0 * i / (values.Count - 1) - 1)).ToArray();
                traces.Add(PanelTrace(suffix, "seed", values.ToArray(), y, "markers", ("marker", Obj(new Marker(),
                    ("size", 8), ("color", AccentColor), ("opacity", 0.85), ("line", Obj(new Line(), ("width", 1), ("color", "#FFFFFF"))))),
                    ("hoverinfo", "x")));
            }
        }
        layout.SetProperty("shapes", shapes.ToArray());
        layout.SetProperty("annotations", annotations.ToArray());

        var config = new Config();
        config.SetProperty("responsive", false);
        config.SetProperty("displaylogo", false);
        config.SetProperty("displayModeBar", false);
        return GenericChart.NewMultiChart(ListModule.OfSeq(traces), layout, config, DisplayOptions.initCDNOnly());
    }

    /// <summary>The x range of a panel: values, mean, interval and threshold, padded; a span of zero gets a width.</summary>
    private static (double Lo, double Hi) PanelRange(ThresholdPanel p, IReadOnlyList<double> values)
    {
        var all = values.Append(p.Threshold).ToList();
        if (p.Interval is { } ci) all.AddRange(new[] { ci.Low, ci.High }.Where(double.IsFinite));
        all = all.Where(double.IsFinite).ToList();
        if (all.Count == 0) return (-1, 1);
        double lo = all.Min(), hi = all.Max(), span = hi - lo;
        if (span <= 0) span = Math.Abs(lo) > 0 ? Math.Abs(lo) * 0.2 : 1;
        return (lo - 0.15 * span, hi + 0.15 * span);
    }

    private static Trace PanelTrace(string suffix, string name, double[] x, double[] y, string mode, params (string key, object value)[] props)
    {
        var trace = new Trace2D("scatter");
        trace.SetProperty("name", name);
        trace.SetProperty("x", x.Select(Finite).ToArray());
        trace.SetProperty("y", y);
        trace.SetProperty("mode", mode);
        trace.SetProperty("xaxis", "x" + suffix);
        trace.SetProperty("yaxis", "y" + suffix);
        trace.SetProperty("showlegend", false);
        foreach (var (key, value) in props) trace.SetProperty(key, value);
        return trace;
    }
}

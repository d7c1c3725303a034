using System.Security.Cryptography;
using System.Text;
using Microsoft.FSharp.Collections;
using Newtonsoft.Json;
using Plotly.NET;
using Plotly.NET.LayoutObjects;
using Plotly.NET.TraceObjects;

namespace Palimpsest.Core.Reporting;

/// <summary>What a plotted series is, which decides how it is drawn (style B10).</summary>
public enum SeriesRole
{
    /// <summary>The paper's method: the single accent colour, drawn on top.</summary>
    Method,

    /// <summary>A control (untrained, untouched or random): grey and dashed.</summary>
    Control,

    /// <summary>An ablation or baseline: a muted colour from <see cref="Figures.AblationColors"/>.</summary>
    Ablation,

    /// <summary>One seed's run: a faint accent-coloured overlay without a legend entry, drawn underneath.</summary>
    Seed,
}

/// <summary>One named series of points for <see cref="Figures"/>.</summary>
/// <param name="Name">Legend and hover label.</param>
/// <param name="X">X values; same length as <paramref name="Y"/>.</param>
/// <param name="Y">Y values; NaN and infinities are drawn as gaps.</param>
/// <param name="Role">How the series is drawn.</param>
public sealed record Series(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, SeriesRole Role = SeriesRole.Method);

/// <summary>
/// The only place figures are made, so that all look alike (style B10): 640×400, white background, a title that asks
/// the question the figure answers (it must end with '?'), axis titles with units, the control in grey, the paper's
/// method in the single accent colour, ablations muted and per-seed lines faint. Every chart is built from fresh
/// Plotly.NET objects (no shared mutable state), and <see cref="SaveHtml"/> never changes the chart it is given.
/// </summary>
public static partial class Figures
{
    /// <summary>Width of every figure in pixels.</summary>
    public const int Width = 640;

    /// <summary>Height of every figure in pixels.</summary>
    public const int Height = 400;

    /// <summary>The single accent colour, reserved for the paper's method.</summary>
    public const string AccentColor = "#D55E00";

    /// <summary>The grey of controls.</summary>
    public const string ControlColor = "#8C8C8C";

    /// <summary>The light grey of reference lines such as the ROC chance diagonal.</summary>
    public const string ReferenceColor = "#BDBDBD";

    /// <summary>Opacity of <see cref="SeriesRole.Seed"/> overlays.</summary>
    public const double SeedOpacity = 0.25;

    /// <summary>Muted colours for ablations, used in order and then repeated.</summary>
    public static IReadOnlyList<string> AblationColors { get; } =
        ["#6F93C0", "#7DB39A", "#A48BC2", "#C4A86A", "#6FB1BC", "#C98FA0"];

    /// <summary>The plotly.js version bundled with Plotly.NET (and inlined by offline saves).</summary>
    public static string PlotlyJsVersion => Globals.PLOTLYJS_VERSION;

    /// <summary>Where the CDN variant loads plotly.js from.</summary>
    public static string PlotlyJsCdnUrl => $"https://cdn.plot.ly/plotly-{Globals.PLOTLYJS_VERSION}.min.js";

    private const string FontFamily = "Helvetica Neue, Helvetica, Arial, sans-serif";
    private const string TextColor = "#2B2B2B";
    private const string AxisColor = "#6B6B6B";
    private const string GridColor = "#EBEBEB";
    private const int MarginLeft = 64, MarginRight = 24, MarginBottom = 56, MarginTopTitleOnly = 52;
    private const int MarkersUpTo = 12; // short series also get markers, so single points stay visible

    private static readonly Lazy<string> PlotlyJs = new(ReadPlotlyJs);

    // ---------------------------------------------------------------- figures

    /// <summary>A line chart, e.g. a metric against training steps or budget.</summary>
    /// <param name="title">The question the figure answers, ending with '?'.</param>
    /// <param name="xTitle">X axis title with unit, e.g. "training step (count)".</param>
    /// <param name="yTitle">Y axis title with unit, e.g. "loss (nats/token)".</param>
    /// <param name="series">Series to draw; seeds first, then controls, ablations and the method on top.</param>
    /// <param name="logX">Log-scale x axis (non-positive x values are not shown).</param>
    /// <param name="logY">Log-scale y axis (non-positive y values are not shown).</param>
    public static GenericChart Lines(string title, string xTitle, string yTitle, IEnumerable<Series> series,
        bool logX = false, bool logY = false)
    {
        var list = CheckSeries(series);
        var ablations = Ablations(list);
        var traces = DrawOrder(list).Select(s => XyTrace(s, ablations, markersOnly: false)).ToList();
        return Build(title, Axis(xTitle, logX), Axis(yTitle, logY), traces);
    }

    /// <summary>A scatter plot of points, optionally with the identity line y = x for reference.</summary>
    /// <param name="title">The question the figure answers, ending with '?'.</param>
    /// <param name="xTitle">X axis title with unit.</param>
    /// <param name="yTitle">Y axis title with unit.</param>
    /// <param name="series">Point sets to draw, styled by role.</param>
    /// <param name="logX">Log-scale x axis.</param>
    /// <param name="logY">Log-scale y axis.</param>
    /// <param name="identityLine">Add a grey dotted y = x line spanning the data (e.g. member vs non-member scores).</param>
    public static GenericChart Scatter(string title, string xTitle, string yTitle, IEnumerable<Series> series,
        bool logX = false, bool logY = false, bool identityLine = false)
    {
        var list = CheckSeries(series);
        var traces = new List<Trace>();
        if (identityLine)
        {
            var all = list.SelectMany(s => s.X.Concat(s.Y))
                .Where(v => double.IsFinite(v) && (!(logX || logY) || v > 0)).ToList();
            if (all.Count > 0)
                traces.Add(ReferenceLine("y = x", [all.Min(), all.Max()], [all.Min(), all.Max()]));
        }
        var ablations = Ablations(list);
        traces.AddRange(DrawOrder(list).Select(s => XyTrace(s, ablations, markersOnly: true)));
        return Build(title, Axis(xTitle, logX), Axis(yTitle, logY), traces);
    }

    /// <summary>
    /// One bar for <see cref="Bars"/>: the mean of <paramref name="values"/> (e.g. one per seed) with its min–max range
    /// as error bars (clamped at zero, so rounding never yields a negative distance).
    /// </summary>
    public static (string label, double value, double? errLow, double? errHigh, SeriesRole role) MeanBar(
        string label, IReadOnlyList<double> values, SeriesRole role)
    {
        if (values.Count == 0) throw new ArgumentException($"bar '{label}' has no values", nameof(values));
        double mean = values.Average();
        return (label, mean, Math.Max(0, mean - values.Min()), Math.Max(0, values.Max() - mean), role);
    }

    /// <summary>A bar chart of one value per label, with optional asymmetric error bars.</summary>
    /// <param name="title">The question the figure answers, ending with '?'.</param>
    /// <param name="yTitle">Y axis title with unit.</param>
    /// <param name="bars">
    /// One entry per bar, in display order (labels must be distinct). <c>errLow</c> and <c>errHigh</c> are the
    /// non-negative distances below and above <c>value</c> (as in plotly's error_y), not the interval's bounds;
    /// null draws no error bar on that side.
    /// </param>
    /// <param name="reference">
    /// An optional horizontal reference line across the whole plot, e.g. chance accuracy, drawn in the light reference
    /// grey and labelled at its right end.
    /// </param>
    public static GenericChart Bars(string title, string yTitle,
        IReadOnlyList<(string label, double value, double? errLow, double? errHigh, SeriesRole role)> bars,
        (double Value, string Label)? reference = null)
    {
        ArgumentNullException.ThrowIfNull(bars);
        if (bars.Count == 0) throw new ArgumentException("at least one bar is needed", nameof(bars));
        var duplicate = bars.GroupBy(b => b.label, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new ArgumentException($"bar labels must be distinct; '{duplicate.Key}' appears {duplicate.Count()} times", nameof(bars));

        var traces = new List<Trace>();
        int ablation = 0;
        foreach (var (label, value, errLow, errHigh, role) in bars)
        {
            if (string.IsNullOrWhiteSpace(label)) throw new ArgumentException("bar labels must not be empty", nameof(bars));
            CheckErr(errLow, label, nameof(errLow));
            CheckErr(errHigh, label, nameof(errHigh));
            string color = role switch
            {
                SeriesRole.Control => ControlColor,
                SeriesRole.Ablation => AblationColors[ablation++ % AblationColors.Count],
                _ => AccentColor,
            };
            var trace = new Trace2D("bar");
            trace.SetProperty("name", label);
            trace.SetProperty("x", new[] { label });
            trace.SetProperty("y", new[] { Finite(value) });
            trace.SetProperty("showlegend", false);
            trace.SetProperty("marker", Obj(new Marker(), ("color", color), ("opacity", role == SeriesRole.Seed ? 0.45 : 1.0)));
            if (errLow is not null || errHigh is not null)
            {
                trace.SetProperty("error_y", Obj(new Error(),
                    ("type", "data"), ("symmetric", false), ("visible", true),
                    ("array", new[] { errHigh ?? 0.0 }), ("arrayminus", new[] { errLow ?? 0.0 }),
                    ("color", TextColor), ("thickness", 1.5), ("width", 6)));
            }
            traces.Add(trace);
        }

        var xAxis = new LinearAxis();
        xAxis.SetProperty("type", "category");
        xAxis.SetProperty("showgrid", false);
        var yAxis = Axis(yTitle, log: false);
        yAxis.SetProperty("rangemode", "tozero");
        var chart = Build(title, xAxis, yAxis, traces);
        var layout = GenericChart.getLayout(chart);
        layout.SetProperty("barmode", "overlay"); // one bar per category: keep bars centred
        if (reference is { } r)
        {
            if (!double.IsFinite(r.Value)) throw new ArgumentOutOfRangeException(nameof(reference), r.Value, "the reference line needs a finite value");
            if (string.IsNullOrWhiteSpace(r.Label)) throw new ArgumentException("the reference line needs a label", nameof(reference));
            layout.SetProperty("shapes", new[]
            {
                Obj(new Shape(), ("type", "line"), ("xref", "paper"), ("x0", 0.0), ("x1", 1.0), ("yref", "y"), ("y0", r.Value),
                    ("y1", r.Value), ("line", Obj(new Line(), ("color", ReferenceColor), ("width", 1.5), ("dash", "dot")))),
            });
            layout.SetProperty("annotations", new[]
            {
                Obj(new Annotation(), ("text", r.Label), ("xref", "paper"), ("x", 1.0), ("xanchor", "right"), ("yref", "y"),
                    ("y", r.Value), ("yanchor", "bottom"), ("showarrow", false), ("font", Obj(new Font(), ("size", 11), ("color", AxisColor)))),
            });
        }
        return chart;
    }

    /// <summary>
    /// ROC curves for membership inference with a log-scale false positive rate axis (style B10), plus the chance
    /// diagonal in grey. FPR values below <paramref name="minFpr"/> (including 0) are drawn at <paramref name="minFpr"/>.
    /// </summary>
    /// <param name="title">The question the figure answers, ending with '?'.</param>
    /// <param name="curves">Curves with X = false positive rate and Y = true positive rate, both in [0, 1].</param>
    /// <param name="minFpr">Left end of the FPR axis, where FPR 0 is drawn; default 1e-4.</param>
    public static GenericChart Roc(string title, IEnumerable<Series> curves, double minFpr = 1e-4)
    {
        if (!(minFpr > 0 && minFpr < 1)) throw new ArgumentOutOfRangeException(nameof(minFpr), minFpr, "must be in (0, 1)");
        var list = CheckSeries(curves);
        var clipped = list.Select(s => s with { X = s.X.Select(x => double.IsNaN(x) ? x : Math.Max(x, minFpr)).ToArray() }).ToList();

        // The diagonal TPR = FPR is a curve on a log axis: sample it densely between minFpr and 1.
        const int points = 60;
        double lo = Math.Log10(minFpr);
        var fpr = Enumerable.Range(0, points).Select(i => Math.Pow(10, lo + (0 - lo) * i / (points - 1))).ToArray();
        var traces = new List<Trace> { ReferenceLine("chance", fpr, fpr) };
        var ablations = Ablations(clipped);
        traces.AddRange(DrawOrder(clipped).Select(s => XyTrace(s, ablations, markersOnly: false)));

        var xAxis = Axis("false positive rate (fraction, log scale)", log: true);
        xAxis.SetProperty("range", new[] { lo, 0.0 }); // log axes take log10 units
        xAxis.SetProperty("exponentformat", "power");
        xAxis.SetProperty("dtick", 1); // a tick per decade
        var yAxis = Axis("true positive rate (fraction)", log: false);
        yAxis.SetProperty("range", new[] { 0.0, 1.0 });
        return Build(title, xAxis, yAxis, traces);
    }

    // ---------------------------------------------------------------- HTML

    /// <summary>
    /// Writes <paramref name="chart"/> as a standalone HTML page, atomically (temporary file in the same folder, then
    /// a move that overwrites). Offline pages inline plotly.js (about 3.6 MB) and render without network; otherwise
    /// the page loads plotly.js from the CDN (a few KB). The chart is not changed, so later saves are unaffected.
    /// </summary>
    /// <param name="chart">The chart; any display options on it are ignored.</param>
    /// <param name="path">Target file; its folder is created if missing.</param>
    /// <param name="offline">Inline plotly.js (true) or reference the CDN (false).</param>
    public static void SaveHtml(GenericChart chart, string path, bool offline = true)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        AtomicFile.WriteAllText(full, ToHtmlDocument(chart, offline, Path.GetFileNameWithoutExtension(full)));
    }

    /// <summary>
    /// The full HTML page that <see cref="SaveHtml"/> writes: head with plotly.js (inlined or from the CDN), then
    /// <see cref="ToHtmlFragment"/>. The page title is the chart's title, else <paramref name="fallbackTitle"/>.
    /// </summary>
    public static string ToHtmlDocument(GenericChart chart, bool offline = true, string fallbackTitle = "figure")
    {
        ArgumentNullException.ThrowIfNull(chart);
        string title = TitleOf(chart) ?? fallbackTitle;
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        sb.Append("<title>").Append(HtmlEscape(title)).Append("</title>\n");
        sb.Append(PlotlyJsScriptTag(offline)).Append('\n');
        sb.Append("<style>body{margin:0;background:#fff}</style>\n</head>\n<body>\n");
        sb.Append(ToHtmlFragment(chart)).Append("\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// A <c>&lt;div&gt;</c> plus <c>&lt;script&gt;</c> that draws the chart with <c>Plotly.newPlot</c>, for a page that
    /// already loads plotly.js once (see <see cref="PlotlyJsScriptTag"/>). Deterministic: the div id is derived from
    /// the chart's content unless <paramref name="divId"/> is given (give one when a page shows the same chart twice).
    /// </summary>
    public static string ToHtmlFragment(GenericChart chart, string? divId = null)
    {
        var json = ChartJson(chart);
        string id = CheckedId(divId ?? json.ContentId, nameof(divId));
        return $"<div id=\"{id}\" class=\"palimpsest-figure\"></div>\n" +
               $"<script type=\"text/javascript\">{Draw(id, json)}</script>";
    }

    /// <summary>
    /// What a notebook shows for <paramref name="chart"/>: <see cref="ToHtmlFragment"/> drawn with the plotly.js that
    /// <see cref="PlotlyJsNotebookScript"/> put on the page once, so nothing is loaded from the network; without it
    /// the figure says so instead of staying blank. The div id is the chart's content id followed by
    /// <paramref name="displayNumber"/>, which the caller counts up, so a figure shown twice is drawn twice.
    /// </summary>
    public static string ToNotebookHtml(GenericChart chart, long displayNumber)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(displayNumber);
        var json = ChartJson(chart);
        string id = $"{json.ContentId}-{displayNumber}";
        return $"<div id=\"{id}\" class=\"palimpsest-figure\"></div>\n<script type=\"text/javascript\">" +
               $"if (window.Plotly) {{ {Draw(id, json)} }} else {{ document.getElementById('{id}').textContent = " +
               "'This figure needs plotly.js, which the setup cell (NotebookSession.Start) puts on the page: run it, " +
               "then this cell.'; }</script>";
    }

    /// <summary>
    /// A <c>&lt;script&gt;</c> element that defines <c>window.Plotly</c> from the inlined plotly.js (as
    /// <see cref="PlotlyJsScriptTag"/>), shown once per notebook by <c>NotebookSession.Start</c> so that charts draw
    /// offline. plotly.js registers itself as an AMD or CommonJS module where it finds <c>define</c> or
    /// <c>module</c> (classic Jupyter's page loads require.js), so it runs here with those names hidden.
    /// </summary>
    public static string PlotlyJsNotebookScript() =>
        "<script type=\"text/javascript\" charset=\"utf-8\">(function (define, module, exports) {\n" + PlotlyJs.Value +
        "\n})();</script>";

    /// <summary>
    /// A <c>&lt;script&gt;</c> element that loads plotly.js: inlined from Plotly.NET's embedded copy (offline, read
    /// once per process) or from the CDN. Put it once in the head of a page holding several fragments.
    /// </summary>
    public static string PlotlyJsScriptTag(bool offline = true) => offline
        ? "<script type=\"text/javascript\" charset=\"utf-8\">" + PlotlyJs.Value + "</script>"
        : $"<script src=\"{PlotlyJsCdnUrl}\" charset=\"utf-8\"></script>";

    /// <summary>The chart's traces, layout and config as script-safe JSON, and an id derived from them.</summary>
    private static (string Data, string Layout, string Config, string ContentId) ChartJson(GenericChart chart)
    {
        ArgumentNullException.ThrowIfNull(chart);
        string data = ScriptSafe(JsonConvert.SerializeObject(GenericChart.getTraces(chart), Globals.JSON_CONFIG));
        string layout = ScriptSafe(JsonConvert.SerializeObject(GenericChart.getLayout(chart), Globals.JSON_CONFIG));
        string config = ScriptSafe(JsonConvert.SerializeObject(GenericChart.getConfig(chart), Globals.JSON_CONFIG));
        string id = "fig-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data + layout + config)))[..16];
        return (data, layout, config, id);
    }

    private static string Draw(string id, (string Data, string Layout, string Config, string ContentId) json) =>
        $"Plotly.newPlot('{id}', {json.Data}, {json.Layout}, {json.Config});";

    private static string CheckedId(string id, string parameter) =>
        id.Length > 0 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            ? id
            : throw new ArgumentException("div id must be non-empty ASCII letters, digits, '-' or '_'", parameter);

    // ---------------------------------------------------------------- building blocks

    private static GenericChart Build(string title, LinearAxis xAxis, LinearAxis yAxis, List<Trace> traces)
    {
        CheckTitle(title);
        var legendNames = traces
            .Where(t => t.TryGetTypedPropertyValue<bool>("showlegend") is not { Value: false })
            .Select(t => t.TryGetTypedPropertyValue<string>("name")?.Value ?? "")
            .ToList();
        bool showLegend = legendNames.Count > 1;
        int legendRows = showLegend ? LegendRows(legendNames) : 0;

        var layout = new Layout();
        layout.SetProperty("template", WhiteTemplate());
        layout.SetProperty("width", Width);
        layout.SetProperty("height", Height);
        layout.SetProperty("autosize", false);
        layout.SetProperty("title", Obj(new Title(), ("text", title), ("x", 0.0), ("xref", "paper"), ("xanchor", "left"),
            ("y", 1.0), ("yref", "container"), ("yanchor", "top"), ("pad", Obj(new Padding(), ("t", 14)))));
        layout.SetProperty("margin", Obj(new Margin(), ("l", MarginLeft), ("r", MarginRight),
            ("t", MarginTopTitleOnly + 22 * legendRows), ("b", MarginBottom), ("pad", 0)));
        layout.SetProperty("showlegend", showLegend);
        layout.SetProperty("legend", Obj(new Legend(), ("orientation", "h"), ("x", 0.0), ("xanchor", "left"),
            ("y", 1.0), ("yref", "paper"), ("yanchor", "bottom"), ("bgcolor", "rgba(255,255,255,0)")));
        layout.SetProperty("xaxis", xAxis);
        layout.SetProperty("yaxis", yAxis);

        var config = new Config();
        config.SetProperty("responsive", false);
        config.SetProperty("displaylogo", false);
        config.SetProperty("displayModeBar", false); // it would cover the title on hover and in headless screenshots
        return GenericChart.NewMultiChart(ListModule.OfSeq(traces), layout, config, DisplayOptions.initCDNOnly());
    }

    private static Template WhiteTemplate()
    {
        LinearAxis AxisDefaults() => Obj(new LinearAxis(),
            ("showgrid", true), ("gridcolor", GridColor), ("gridwidth", 1), ("zeroline", false),
            ("showline", true), ("linecolor", AxisColor), ("linewidth", 1), ("mirror", false),
            ("ticks", "outside"), ("tickcolor", AxisColor), ("ticklen", 4), ("automargin", true),
            ("title", Obj(new Title(), ("standoff", 8))));

        var tpl = new Layout();
        tpl.SetProperty("font", Obj(new Font(), ("family", FontFamily), ("size", 12), ("color", TextColor)));
        tpl.SetProperty("paper_bgcolor", "#FFFFFF");
        tpl.SetProperty("plot_bgcolor", "#FFFFFF");
        tpl.SetProperty("colorway", new[] { AccentColor }.Concat(AblationColors).ToArray());
        tpl.SetProperty("hovermode", "closest");
        tpl.SetProperty("title", Obj(new Title(), ("font", Obj(new Font(), ("size", 15), ("color", TextColor)))));
        tpl.SetProperty("legend", Obj(new Legend(), ("font", Obj(new Font(), ("size", 11)))));
        tpl.SetProperty("xaxis", AxisDefaults());
        tpl.SetProperty("yaxis", AxisDefaults());
        var template = new Template();
        template.SetProperty("layout", tpl);
        return template;
    }

    private static LinearAxis Axis(string title, bool log)
    {
        if (string.IsNullOrWhiteSpace(title))
            throw new ArgumentException("axis titles are required, with units (style B10)", nameof(title));
        var axis = new LinearAxis();
        axis.SetProperty("title", Obj(new Title(), ("text", title)));
        axis.SetProperty("type", log ? "log" : "linear");
        return axis;
    }

    private static Trace XyTrace(Series s, IReadOnlyList<Series> ablations, bool markersOnly)
    {
        var trace = new Trace2D("scatter");
        trace.SetProperty("name", s.Name);
        trace.SetProperty("x", s.X.Select(Finite).ToArray());
        trace.SetProperty("y", s.Y.Select(Finite).ToArray());

        (string color, double width, string dash, double opacity) = s.Role switch
        {
            SeriesRole.Method => (AccentColor, 3.0, "solid", 1.0),
            SeriesRole.Control => (ControlColor, 2.0, "dash", 1.0),
            SeriesRole.Ablation => (AblationColors[Index(ablations, s) % AblationColors.Count], 2.0, "solid", 1.0),
            _ => (AccentColor, 1.0, "solid", SeedOpacity),
        };
        if (s.Role == SeriesRole.Seed)
        {
            trace.SetProperty("showlegend", false); // no legendgroup: groups break plotly's horizontal legend rows
            trace.SetProperty("hoverinfo", "name+x+y");
        }
        trace.SetProperty("opacity", opacity);

        if (markersOnly)
        {
            trace.SetProperty("mode", "markers");
            trace.SetProperty("marker", Obj(new Marker(), ("color", color), ("size", s.Role == SeriesRole.Method ? 8 : 7),
                ("symbol", s.Role == SeriesRole.Control ? "circle-open" : "circle")));
        }
        else
        {
            bool markers = s.Role != SeriesRole.Seed && s.X.Count <= MarkersUpTo;
            trace.SetProperty("mode", markers ? "lines+markers" : "lines");
            trace.SetProperty("line", Obj(new Line(), ("color", color), ("width", width), ("dash", dash)));
            if (markers) trace.SetProperty("marker", Obj(new Marker(), ("color", color), ("size", 6)));
        }
        return trace;
    }

    private static Trace ReferenceLine(string name, double[] x, double[] y)
    {
        var trace = new Trace2D("scatter");
        trace.SetProperty("name", name);
        trace.SetProperty("x", x.Select(Finite).ToArray());
        trace.SetProperty("y", y.Select(Finite).ToArray());
        trace.SetProperty("mode", "lines");
        trace.SetProperty("hoverinfo", "skip");
        trace.SetProperty("line", Obj(new Line(), ("color", ReferenceColor), ("width", 1.5), ("dash", "dot")));
        return trace;
    }

    /// <summary>Seeds first (underneath), then controls, ablations and the method last (on top); stable within a role.</summary>
    private static IEnumerable<Series> DrawOrder(IReadOnlyList<Series> list) =>
        list.OrderBy(s => s.Role switch
        {
            SeriesRole.Seed => 0,
            SeriesRole.Control => 1,
            SeriesRole.Ablation => 2,
            _ => 3,
        });

    private static List<Series> Ablations(IReadOnlyList<Series> list) => list.Where(s => s.Role == SeriesRole.Ablation).ToList();

    private static int Index(IReadOnlyList<Series> list, Series s)
    {
        for (int i = 0; i < list.Count; i++)
            if (ReferenceEquals(list[i], s)) return i;
        return 0;
    }

    private static List<Series> CheckSeries(IEnumerable<Series> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var list = series.ToList();
        if (list.Count == 0) throw new ArgumentException("at least one series is needed", nameof(series));
        foreach (var s in list)
        {
            if (s is null) throw new ArgumentException("series must not be null", nameof(series));
            if (string.IsNullOrWhiteSpace(s.Name)) throw new ArgumentException("series need a name", nameof(series));
            ArgumentNullException.ThrowIfNull(s.X);
            ArgumentNullException.ThrowIfNull(s.Y);
            if (s.X.Count != s.Y.Count)
                throw new ArgumentException($"series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values", nameof(series));
        }
        return list;
    }

    private static void CheckTitle(string title)
    {
        if (string.IsNullOrWhiteSpace(title) || !title.TrimEnd().EndsWith('?'))
            throw new ArgumentException(
                $"a figure's title asks the question the figure answers and ends with '?' (style B10); got '{title}'", nameof(title));
    }

    private static void CheckErr(double? err, string label, string name)
    {
        if (err is { } e && !(e >= 0 && double.IsFinite(e)))
            throw new ArgumentOutOfRangeException(name, e,
                $"bar '{label}': error lengths are non-negative distances from the value, not interval bounds");
    }

    private static int LegendRows(IReadOnlyList<string> names)
    {
        // Width of a horizontal legend entry (measured in Chromium): ~40 px symbol and gap plus ~6 px per character
        // at 11 px; slightly generous, since a row too many only adds space while a row too few hits the title.
        // Like plotly.js: one row if all entries fit, else a grid whose columns are as wide as the widest entry.
        double available = Width - MarginLeft - MarginRight;
        var widths = names.Select(n => 40 + 6.2 * n.Length).ToList();
        if (widths.Sum() <= available) return 1;
        int columns = Math.Max(1, (int)(available / widths.Max()));
        return (widths.Count + columns - 1) / columns;
    }

    /// <summary>Non-finite values become null, which plotly draws as a gap (and JSON can hold).</summary>
    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    private static T Obj<T>(T obj, params (string key, object value)[] props) where T : DynamicObj.DynamicObj
    {
        foreach (var (key, value) in props) obj.SetProperty(key, value);
        return obj;
    }

    private static string? TitleOf(GenericChart chart)
    {
        var title = GenericChart.getLayout(chart).TryGetPropertyValue("title");
        return title?.Value switch
        {
            Title t => t.TryGetTypedPropertyValue<string>("text")?.Value,
            string s => s,
            _ => null,
        };
    }

    /// <summary>Keeps JSON from closing the surrounding script element ("&lt;/script&gt;" inside a name).</summary>
    private static string ScriptSafe(string json) => json.Replace("</", "<\\/", StringComparison.Ordinal);

    private static string HtmlEscape(string s) => s
        .Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string ReadPlotlyJs()
    {
        string name = $"Plotly.NET.plotly-{Globals.PLOTLYJS_VERSION}.min.js";
        using var stream = typeof(GenericChart).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Plotly.NET does not embed '{name}'");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd().Replace("</script", "<\\/script", StringComparison.OrdinalIgnoreCase);
    }
}

using System.Diagnostics;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;

namespace Palimpsest.Core.Notebook;

/// <summary>
/// Progress in a notebook: one updating status line and a live chart of the first reported value (the loss),
/// refreshed at most every second. Falls back to the console outside a kernel.
/// </summary>
public sealed class NotebookProgress : IProgressSink
{
    private readonly KernelDisplay _display;
    private readonly string _prefix;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Dictionary<string, (List<double> X, List<double> Y)> _curves = [];
    private KernelDisplay.DisplayHandle? _line;
    private KernelDisplay.DisplayHandle? _chart;
    private long _lastLineMs = -10_000;
    private long _lastChartMs = -10_000;

    /// <summary>Creates a sink that writes through the kernel's display.</summary>
    public NotebookProgress(KernelDisplay display, string prefix)
    {
        _display = display;
        _prefix = prefix;
    }

    /// <inheritdoc/>
    public void Report(ProgressUpdate update)
    {
        if (update.Values.Count > 0)
        {
            if (!_curves.TryGetValue(update.Stage, out var curve)) _curves[update.Stage] = curve = ([], []);
            curve.X.Add(update.Step);
            curve.Y.Add(update.Values[0].Value);
        }
        long now = _clock.ElapsedMilliseconds;
        bool last = update.Step >= update.Total;
        if (now - _lastLineMs >= 250 || last)
        {
            _lastLineMs = now;
            string text = $"{_prefix}{update} · {now / 1000.0:F1} s";
            if (_line is null) _line = _display.Show(text, "text/plain");
            else _line.Update(text);
        }
        if ((now - _lastChartMs >= 1_000 || last) && update.Values.Count > 0)
        {
            _lastChartMs = now;
            var chart = Figures.Lines("How is training going?", "step", update.Values[0].Name,
                _curves.Select(c => new Series(c.Key, c.Value.X.ToList(), c.Value.Y.ToList())));
            if (_chart is null) _chart = _display.Show(chart);
            else _chart.Update(chart);
        }
    }

    /// <inheritdoc/>
    public void Done(string stage) { }
}

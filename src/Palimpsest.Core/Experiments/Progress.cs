using System.Diagnostics;
using System.Globalization;

namespace Palimpsest.Core.Experiments;

/// <summary>One progress report from long work: a stage, a step out of a total, and a few named numbers.</summary>
public sealed record ProgressUpdate(string Stage, int Step, int Total, IReadOnlyList<(string Name, double Value)> Values)
{
    /// <summary>"train 120/400 · loss 2.31".</summary>
    public override string ToString()
    {
        var parts = new List<string> { $"{Stage} {Step}/{Total}" };
        foreach (var (name, value) in Values)
            parts.Add($"{name} {value.ToString("G4", CultureInfo.InvariantCulture)}");
        return string.Join(" · ", parts);
    }
}

/// <summary>Where progress goes: a console line, an updating notebook display, or nowhere.</summary>
public interface IProgressSink
{
    /// <summary>Reports progress; implementations rate-limit themselves.</summary>
    void Report(ProgressUpdate update);
    /// <summary>Called when a stage ends, so a console line can be finished.</summary>
    void Done(string stage);
}

/// <summary>Discards progress (tests).</summary>
public sealed class NullProgress : IProgressSink
{
    /// <summary>The shared instance (stateless).</summary>
    public static NullProgress Instance { get; } = new();
    /// <inheritdoc/>
    public void Report(ProgressUpdate update) { }
    /// <inheritdoc/>
    public void Done(string stage) { }
}

/// <summary>A single updating console line on standard error, at most a few times a second.</summary>
public sealed class ConsoleProgress : IProgressSink
{
    private readonly TextWriter _writer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _prefix;
    private readonly bool _interactive;
    private long _lastMs = -10_000;
    private int _lastLength;

    /// <summary>Writes to <paramref name="writer"/> (standard error by default), each line prefixed.</summary>
    public ConsoleProgress(string prefix = "", TextWriter? writer = null)
    {
        _writer = writer ?? Console.Error;
        _prefix = prefix;
        _interactive = writer is null && !Console.IsErrorRedirected;
    }

    /// <inheritdoc/>
    public void Report(ProgressUpdate update)
    {
        long now = _clock.ElapsedMilliseconds;
        // Redirected output (CI logs) gets a line every 10 s; a terminal gets an updating line.
        long every = _interactive ? 250 : 10_000;
        if (now - _lastMs < every && update.Step < update.Total) return;
        _lastMs = now;
        string text = $"{_prefix}{update} · {now / 1000.0:F1} s";
        if (_interactive)
        {
            _writer.Write("\r" + text.PadRight(_lastLength));
            _lastLength = text.Length;
        }
        else
        {
            _writer.WriteLine(text);
        }
    }

    /// <inheritdoc/>
    public void Done(string stage)
    {
        if (_interactive && _lastLength > 0) _writer.WriteLine();
        _lastLength = 0;
        _lastMs = -10_000;
    }
}

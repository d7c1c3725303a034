using System.Globalization;
using System.Text;
using Microsoft.Data.Analysis;

namespace Palimpsest.Core.Reporting;

/// <summary>One observation of a tidy results table: a metric's value for one condition and seed.</summary>
/// <param name="Seed">The run's seed.</param>
/// <param name="Condition">What was run, e.g. "method", "control", "no-warmup".</param>
/// <param name="Metric">What was measured, e.g. "auc".</param>
/// <param name="Value">The measured value (NaN allowed, shown as "n/a").</param>
public sealed record TidyRow(int Seed, string Condition, string Metric, double Value);

/// <summary>
/// Results tables (style B10): stored tidy and long (seed, condition, metric, value); pivoted wide only for display,
/// and rounded to 3 significant figures only when written out. Markdown and HTML writers, because
/// Microsoft.Data.Analysis 0.23.1 has none. Invariant culture everywhere.
/// </summary>
public static class Tables
{
    /// <summary>Name of the seed column of a tidy table.</summary>
    public const string SeedColumn = "seed";

    /// <summary>Name of the condition column of a tidy table.</summary>
    public const string ConditionColumn = "condition";

    /// <summary>Name of the metric column of a tidy table.</summary>
    public const string MetricColumn = "metric";

    /// <summary>Name of the value column of a tidy table.</summary>
    public const string ValueColumn = "value";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The tidy long table with columns seed (int), condition, metric (string) and value (double), in row order.</summary>
    public static DataFrame Tidy(IEnumerable<TidyRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        foreach (var r in list)
        {
            if (r is null) throw new ArgumentException("rows must not be null", nameof(rows));
            if (string.IsNullOrEmpty(r.Condition) || string.IsNullOrEmpty(r.Metric))
                throw new ArgumentException($"row (seed {r.Seed}) needs a condition and a metric", nameof(rows));
        }
        return new DataFrame(
            new Int32DataFrameColumn(SeedColumn, list.Select(r => r.Seed)),
            new StringDataFrameColumn(ConditionColumn, list.Select(r => r.Condition)),
            new StringDataFrameColumn(MetricColumn, list.Select(r => r.Metric)),
            new DoubleDataFrameColumn(ValueColumn, list.Select(r => r.Value)));
    }

    /// <summary>
    /// Pivots a tidy table for display: one row per <paramref name="rowKey"/> value, one double column per
    /// <paramref name="columnKey"/> value, holding the mean of <paramref name="valueColumn"/> over the remaining rows
    /// (the seeds). Rows and columns keep their order of first appearance. A missing combination is NaN; a NaN value
    /// makes its mean NaN, so a failed seed is not hidden.
    /// </summary>
    public static DataFrame Wide(DataFrame tidy, string rowKey = ConditionColumn, string columnKey = MetricColumn,
        string valueColumn = ValueColumn)
    {
        ArgumentNullException.ThrowIfNull(tidy);
        var rowCol = Column(tidy, rowKey);
        var colCol = Column(tidy, columnKey);
        var valCol = Column(tidy, valueColumn);
        if (!IsNumeric(valCol.DataType))
            throw new ArgumentException($"column '{valueColumn}' is {valCol.DataType.Name}, not numeric", nameof(valueColumn));

        var rowKeys = new List<string>();
        var colKeys = new List<string>();
        var sums = new Dictionary<(string, string), (double sum, int n)>();
        for (long i = 0; i < tidy.Rows.Count; i++)
        {
            string r = KeyText(rowCol[i]), c = KeyText(colCol[i]);
            if (!rowKeys.Contains(r)) rowKeys.Add(r);
            if (!colKeys.Contains(c)) colKeys.Add(c);
            if (valCol[i] is not { } boxed) continue; // missing value: the cell stays NaN unless other seeds have one
            double v = Convert.ToDouble(boxed, Inv);
            sums[(r, c)] = sums.TryGetValue((r, c), out var acc) ? (acc.sum + v, acc.n + 1) : (v, 1);
        }
        if (colKeys.Contains(rowKey))
            throw new ArgumentException($"a '{columnKey}' value equals the row key column name '{rowKey}'", nameof(tidy));

        var columns = new List<DataFrameColumn> { new StringDataFrameColumn(rowKey, rowKeys) };
        foreach (var c in colKeys)
            columns.Add(new DoubleDataFrameColumn(c,
                rowKeys.Select(r => sums.TryGetValue((r, c), out var acc) ? acc.sum / acc.n : double.NaN)));
        return new DataFrame(columns);
    }

    /// <summary>
    /// A GitHub-flavoured Markdown table of <paramref name="df"/>: numeric columns right-aligned, doubles rounded to
    /// <paramref name="significantDigits"/> significant figures (<see cref="FormatNumber"/>), integers exact, pipes
    /// escaped. Shows at most <paramref name="maxRows"/> rows, then a line "… N more rows" after a blank line.
    /// Lines end with "\n".
    /// </summary>
    public static string ToMarkdown(DataFrame df, int maxRows = 50, int significantDigits = 3)
    {
        ArgumentNullException.ThrowIfNull(df);
        CheckArgs(maxRows, significantDigits);
        var cols = df.Columns.ToList();
        var headers = cols.Select(c => c.Name).ToList();
        var numeric = cols.Select(c => IsNumeric(c.DataType)).ToList();
        long shown = Math.Min(df.Rows.Count, maxRows);
        var rows = new List<IReadOnlyList<string>>();
        for (long i = 0; i < shown; i++)
            rows.Add(cols.Select(c => FormatCell(c[i], IsNumeric(c.DataType), significantDigits)).ToList());
        var sb = new StringBuilder(MarkdownTable(headers, rows, numeric));
        AppendMore(sb, df.Rows.Count - shown, html: false);
        return sb.ToString();
    }

    /// <summary>A GitHub-flavoured Markdown table of plain strings (left-aligned, pipes escaped, newlines flattened).</summary>
    /// <param name="headers">Column headers.</param>
    /// <param name="rows">Rows; each must have one cell per header.</param>
    public static string ToMarkdown(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        ArgumentNullException.ThrowIfNull(headers);
        ArgumentNullException.ThrowIfNull(rows);
        if (headers.Count == 0) throw new ArgumentException("a table needs at least one column", nameof(headers));
        var list = rows.ToList();
        for (int i = 0; i < list.Count; i++)
            if (list[i] is null || list[i].Count != headers.Count)
                throw new ArgumentException($"row {i} has {list[i]?.Count ?? 0} cells, expected {headers.Count}", nameof(rows));
        return MarkdownTable(headers, list, headers.Select(_ => false).ToList());
    }

    /// <summary>
    /// An HTML <c>&lt;table&gt;</c> of <paramref name="df"/> for report pages: text escaped, numeric columns
    /// right-aligned, doubles rounded as in <see cref="ToMarkdown(DataFrame, int, int)"/>, at most
    /// <paramref name="maxRows"/> rows followed by a <c>&lt;p&gt;</c> "… N more rows".
    /// </summary>
    public static string ToHtml(DataFrame df, int maxRows = 50, int significantDigits = 3)
    {
        ArgumentNullException.ThrowIfNull(df);
        CheckArgs(maxRows, significantDigits);
        var cols = df.Columns.ToList();
        const string right = " style=\"text-align:right\"";
        var sb = new StringBuilder("<table>\n<thead><tr>");
        foreach (var c in cols)
            sb.Append("<th").Append(IsNumeric(c.DataType) ? right : "").Append('>').Append(HtmlEscape(c.Name)).Append("</th>");
        sb.Append("</tr></thead>\n<tbody>\n");
        long shown = Math.Min(df.Rows.Count, maxRows);
        for (long i = 0; i < shown; i++)
        {
            sb.Append("<tr>");
            foreach (var c in cols)
            {
                bool num = IsNumeric(c.DataType);
                sb.Append("<td").Append(num ? right : "").Append('>')
                  .Append(HtmlEscape(FormatCell(c[i], num, significantDigits))).Append("</td>");
            }
            sb.Append("</tr>\n");
        }
        sb.Append("</tbody>\n</table>\n");
        AppendMore(sb, df.Rows.Count - shown, html: true);
        return sb.ToString();
    }

    /// <summary>
    /// A number for display, rounded to <paramref name="significantDigits"/> significant figures like C's and
    /// Python's <c>%.3g</c>: fixed notation for exponents from -4 to digits-1, e-notation otherwise (1.2e-07,
    /// 1.23e+04), trailing zeros dropped. NaN is "n/a", infinities are "inf" and "-inf", negative zero is "0".
    /// </summary>
    public static string FormatNumber(double v, int significantDigits = 3)
    {
        if (significantDigits is < 1 or > 17)
            throw new ArgumentOutOfRangeException(nameof(significantDigits), significantDigits, "must be in 1..17");
        if (double.IsNaN(v)) return "n/a";
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        if (v == 0) return "0";

        // Round once in e-notation to learn the exponent after rounding (9.996 -> 1.00E+001).
        string e = v.ToString("E" + (significantDigits - 1).ToString(Inv), Inv);
        int ePos = e.IndexOf('E');
        int exponent = int.Parse(e.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, Inv);
        if (exponent >= -4 && exponent < significantDigits)
        {
            string fixedText = v.ToString("F" + (significantDigits - 1 - exponent).ToString(Inv), Inv);
            return StripZeros(fixedText);
        }
        string mantissa = StripZeros(e[..ePos]);
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", Inv);
    }

    // ---------------------------------------------------------------- helpers

    private static string MarkdownTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows, IReadOnlyList<bool> rightAlign)
    {
        var sb = new StringBuilder();
        AppendRow(sb, headers);
        sb.Append('|');
        foreach (bool right in rightAlign) sb.Append(right ? "---:|" : "---|");
        sb.Append('\n');
        foreach (var row in rows) AppendRow(sb, row);
        return sb.ToString();
    }

    private static void AppendRow(StringBuilder sb, IReadOnlyList<string> cells)
    {
        sb.Append('|');
        foreach (var cell in cells) sb.Append(' ').Append(MarkdownEscape(cell)).Append(" |");
        sb.Append('\n');
    }

    private static void AppendMore(StringBuilder sb, long more, bool html)
    {
        if (more <= 0) return;
        string text = $"… {more.ToString(Inv)} more {(more == 1 ? "row" : "rows")}";
        sb.Append(html ? $"<p>{text}</p>\n" : $"\n{text}\n");
    }

    private static string FormatCell(object? value, bool numericColumn, int significantDigits) => value switch
    {
        null => numericColumn ? "n/a" : "",
        double d => FormatNumber(d, significantDigits),
        float f => FormatNumber(f, significantDigits),
        decimal m => FormatNumber((double)m, significantDigits),
        bool b => b ? "true" : "false",
        DateTime t => t.ToString("o", Inv),
        DateTimeOffset t => t.ToString("o", Inv),
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? "",
    };

    private static bool IsNumeric(Type t) =>
        t == typeof(double) || t == typeof(float) || t == typeof(decimal) ||
        t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(sbyte) ||
        t == typeof(uint) || t == typeof(ulong) || t == typeof(ushort) || t == typeof(byte);

    private static DataFrameColumn Column(DataFrame df, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var col = df.Columns.FirstOrDefault(c => c.Name == name);
        return col ?? throw new ArgumentException(
            $"no column '{name}' (columns: {string.Join(", ", df.Columns.Select(c => c.Name))})", nameof(df));
    }

    private static string KeyText(object? v) => v switch
    {
        null => "",
        IFormattable f => f.ToString(null, Inv),
        _ => v.ToString() ?? "",
    };

    private static void CheckArgs(int maxRows, int significantDigits)
    {
        if (maxRows < 0) throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "must be non-negative");
        if (significantDigits is < 1 or > 17)
            throw new ArgumentOutOfRangeException(nameof(significantDigits), significantDigits, "must be in 1..17");
    }

    private static string StripZeros(string s)
    {
        if (!s.Contains('.')) return s;
        s = s.TrimEnd('0');
        return s.EndsWith('.') ? s[..^1] : s;
    }

    private static string MarkdownEscape(string? s) => (s ?? "")
        .Replace("|", "\\|", StringComparison.Ordinal)
        .Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ');

    private static string HtmlEscape(string s) => s
        .Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);
}

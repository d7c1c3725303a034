using System.Globalization;
using Microsoft.Data.Analysis;
using Palimpsest.Core.Reporting;
using Xunit;

namespace Palimpsest.Core.Tests.Reporting;

/// <summary>Tidy frames, the wide display pivot, number formatting and the Markdown/HTML writers.</summary>
public class TablesTests
{
    private static DataFrame Small() => Tables.Tidy(
    [
        new(1, "min-k", "auc", 0.912345),
        new(1, "control", "auc", 0.5),
        new(2, "min-k", "auc", 0.8876),
        new(2, "a|b", "tpr@1e-3", 1.23456e-7),
    ]);

    [Fact]
    public void Tidy_HasTheFourTypedColumnsInRowOrder()
    {
        var df = Small();
        Assert.Equal(["seed", "condition", "metric", "value"], df.Columns.Select(c => c.Name));
        Assert.Equal([typeof(int), typeof(string), typeof(string), typeof(double)], df.Columns.Select(c => c.DataType));
        Assert.Equal(4, df.Rows.Count);
        Assert.Equal("a|b", df.Columns["condition"][3]);
        Assert.Equal(0.912345, (double)df.Columns["value"][0]!);
    }

    [Fact]
    public void ToMarkdown_SmallFrame_IsExact()
    {
        const string expected =
            "| seed | condition | metric | value |\n" +
            "|---:|---|---|---:|\n" +
            "| 1 | min-k | auc | 0.912 |\n" +
            "| 1 | control | auc | 0.5 |\n" +
            "| 2 | min-k | auc | 0.888 |\n" +
            "| 2 | a\\|b | tpr@1e-3 | 1.23e-07 |\n";
        Assert.Equal(expected, Tables.ToMarkdown(Small()));
    }

    [Fact]
    public void ToMarkdown_Truncated_EndsWithMoreRowsLineAfterBlankLine()
    {
        const string expected =
            "| seed | condition | metric | value |\n" +
            "|---:|---|---|---:|\n" +
            "| 1 | min-k | auc | 0.912 |\n" +
            "| 1 | control | auc | 0.5 |\n" +
            "\n" +
            "… 2 more rows\n";
        Assert.Equal(expected, Tables.ToMarkdown(Small(), maxRows: 2));
        Assert.EndsWith("\n\n… 1 more row\n", Tables.ToMarkdown(Small(), maxRows: 3));
    }

    [Fact]
    public void ToMarkdown_SignificantDigits_AreADisplayChoice()
    {
        string md = Tables.ToMarkdown(Small(), significantDigits: 4);
        Assert.Contains("| 0.9123 |", md);
        Assert.Contains("| 1.235e-07 |", md);
    }

    [Fact]
    public void ToMarkdown_IgnoresTheCurrentCulture()
    {
        var saved = CultureInfo.CurrentCulture;
        var comma = (CultureInfo)CultureInfo.InvariantCulture.Clone();
        comma.NumberFormat.NumberDecimalSeparator = ",";
        comma.NumberFormat.NegativeSign = "~";
        try
        {
            CultureInfo.CurrentCulture = comma;
            Assert.Equal("-0.5", Tables.FormatNumber(-0.5));
            Assert.Contains("| 0.912 |", Tables.ToMarkdown(Small()));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void ToMarkdown_Strings_EscapesPipesAndFlattensNewlines()
    {
        string md = Tables.ToMarkdown(["claim", "status"], [["a|b", "Pass"], ["two\nlines", ""]]);
        Assert.Equal(
            "| claim | status |\n" +
            "|---|---|\n" +
            "| a\\|b | Pass |\n" +
            "| two lines |  |\n", md);
    }

    [Fact]
    public void ToMarkdown_Strings_RejectsRaggedRows()
    {
        Assert.Throws<ArgumentException>(() => Tables.ToMarkdown(["a", "b"], [["only one"]]));
    }

    [Theory]
    [InlineData(0.123456, "0.123")]
    [InlineData(0.5, "0.5")]
    [InlineData(1.0, "1")]
    [InlineData(123.456, "123")]
    [InlineData(9.9996, "10")]
    [InlineData(999.6, "1e+03")]
    [InlineData(12345.6, "1.23e+04")]
    [InlineData(-2.5e10, "-2.5e+10")]
    [InlineData(0.0001234, "0.000123")]
    [InlineData(0.00001234, "1.23e-05")]
    [InlineData(1.2e-7, "1.2e-07")]
    [InlineData(1.23456e-7, "1.23e-07")]
    [InlineData(6.02e23, "6.02e+23")]
    [InlineData(1e-300, "1e-300")]
    [InlineData(0.0, "0")]
    [InlineData(-0.0123456, "-0.0123")]
    [InlineData(double.NaN, "n/a")]
    [InlineData(double.PositiveInfinity, "inf")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void FormatNumber_ThreeSignificantFigures(double v, string expected)
    {
        Assert.Equal(expected, Tables.FormatNumber(v));
    }

    [Fact]
    public void FormatNumber_OtherDigitCounts()
    {
        Assert.Equal("0.9", Tables.FormatNumber(0.912345, 1));
        Assert.Equal("3.14159", Tables.FormatNumber(Math.PI, 6));
        Assert.Equal("1.2e+03", Tables.FormatNumber(1234.0, 2));
        Assert.Equal("0", Tables.FormatNumber(-0.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Tables.FormatNumber(1, 0));
    }

    [Fact]
    public void Wide_MeansOverSeeds_ConditionRowsByMetricColumns()
    {
        var tidy = Tables.Tidy(
        [
            new(1, "method", "auc", 0.8),
            new(1, "method", "loss", 2.0),
            new(1, "control", "auc", 0.5),
            new(2, "method", "auc", 0.9),
            new(2, "method", "loss", 3.0),
            new(2, "control", "auc", 0.52),
        ]);
        var wide = Tables.Wide(tidy);

        Assert.Equal(["condition", "auc", "loss"], wide.Columns.Select(c => c.Name));
        Assert.Equal(2, wide.Rows.Count);
        Assert.Equal("method", wide.Columns["condition"][0]);
        Assert.Equal("control", wide.Columns["condition"][1]);
        Assert.Equal(0.85, (double)wide.Columns["auc"][0]!, 12);
        Assert.Equal(2.5, (double)wide.Columns["loss"][0]!, 12);
        Assert.Equal(0.51, (double)wide.Columns["auc"][1]!, 12);
        Assert.True(double.IsNaN((double)wide.Columns["loss"][1]!)); // control has no loss
        Assert.Equal(
            "| condition | auc | loss |\n" +
            "|---|---:|---:|\n" +
            "| method | 0.85 | 2.5 |\n" +
            "| control | 0.51 | n/a |\n", Tables.ToMarkdown(wide));
    }

    [Fact]
    public void Wide_NaNSeedIsNotHidden()
    {
        var wide = Tables.Wide(Tables.Tidy([new(1, "m", "auc", 0.9), new(2, "m", "auc", double.NaN)]));
        Assert.True(double.IsNaN((double)wide.Columns["auc"][0]!));
    }

    [Fact]
    public void Wide_UnknownColumn_Throws()
    {
        Assert.Throws<ArgumentException>(() => Tables.Wide(Small(), rowKey: "nope"));
    }

    [Fact]
    public void ToHtml_EscapesAlignsAndTruncates()
    {
        var df = Tables.Tidy([new(1, "<b>&", "auc", 0.912345), new(2, "x", "auc", 0.1), new(3, "y", "auc", 0.2)]);
        string html = Tables.ToHtml(df, maxRows: 2);
        Assert.StartsWith("<table>\n<thead><tr><th style=\"text-align:right\">seed</th><th>condition</th>", html);
        Assert.Contains("<td>&lt;b&gt;&amp;</td>", html);
        Assert.Contains("<td style=\"text-align:right\">0.912</td>", html);
        Assert.DoesNotContain("<b>", html);
        Assert.EndsWith("</table>\n<p>… 1 more row</p>\n", html);
        Assert.Equal(2, html.Split("<tr><td").Length - 1);
    }
}

using System.Text.RegularExpressions;

namespace Palimpsest.Tests.Shared;

/// <summary>
/// A strict well-formedness check for the HTML the project writes (no HTML parser is among the project's packages):
/// script and style bodies set aside, every tag well-formed with quoted attributes, every element closed in order (void
/// elements excepted), no bare '&lt;' or stray '&amp;' in text.
/// </summary>
internal static partial class HtmlCheck
{
    private static readonly HashSet<string> Void = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"];

    /// <summary>The page with script and style bodies and comments removed (what the checks and URL scans read).</summary>
    public static string Markup(string html) => Comment().Replace(ScriptOrStyle().Replace(html, "<$1$2></$1>"), "");

    /// <summary>The problems found, empty for a well-formed page.</summary>
    public static List<string> Problems(string html)
    {
        var problems = new List<string>();
        string markup = Markup(html);
        if (!markup.StartsWith("<!DOCTYPE html>", StringComparison.Ordinal)) problems.Add("no <!DOCTYPE html> first");
        markup = markup.Replace("<!DOCTYPE html>", "", StringComparison.Ordinal);
        var open = new Stack<string>();
        int last = 0;
        foreach (Match m in Tag().Matches(markup))
        {
            CheckText(markup[last..m.Index], problems);
            last = m.Index + m.Length;
            string name = m.Groups["name"].Value.ToLowerInvariant();
            if (m.Groups["close"].Success)
            {
                if (open.Count == 0 || open.Peek() != name)
                    problems.Add($"</{name}> at {m.Index} closes {(open.Count == 0 ? "nothing" : $"<{open.Peek()}>")}");
                else open.Pop();
            }
            else if (!Void.Contains(name) && !m.Groups["self"].Success) open.Push(name);
        }
        CheckText(markup[last..], problems);
        if (open.Count > 0) problems.Add($"unclosed: {string.Join(", ", open.Select(t => $"<{t}>"))}");
        return problems;
    }

    private static void CheckText(string text, List<string> problems)
    {
        int lt = text.IndexOf('<');
        if (lt >= 0) problems.Add($"a bare '<' or a malformed tag: {text[lt..Math.Min(text.Length, lt + 60)]}");
        var amp = StrayAmpersand().Match(text);
        if (amp.Success) problems.Add($"a stray '&': {text[amp.Index..Math.Min(text.Length, amp.Index + 30)]}");
    }

    [GeneratedRegex(@"<(script|style)(\b[^>]*)>.*?</\1>", RegexOptions.Singleline | RegexOptions.IgnoreCase)]
    private static partial Regex ScriptOrStyle();

    [GeneratedRegex(@"<!--.*?-->", RegexOptions.Singleline)]
    private static partial Regex Comment();

    [GeneratedRegex("""<(?<close>/)?(?<name>[a-zA-Z][a-zA-Z0-9]*)(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"<]*")?)*\s*(?<self>/)?>""")]
    private static partial Regex Tag();

    [GeneratedRegex(@"&(?!(?:#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);)")]
    private static partial Regex StrayAmpersand();
}

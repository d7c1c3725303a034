using System.Reflection;

namespace Palimpsest.Core.Notebook;

/// <summary>
/// The notebook kernel's <c>display()</c>, HTML helper, formatters and cell cancellation, found by reflection so that
/// Core needs no .NET Interactive dependency. Outside a kernel (console, tests) they are unavailable and callers fall
/// back to the console.
/// </summary>
public sealed class KernelDisplay
{
    private const string KernelAssembly = "Microsoft.DotNet.Interactive";
    private const string FormattingAssembly = "Microsoft.DotNet.Interactive.Formatting";
    private const string HtmlMimeType = "text/html";

    private readonly MethodInfo _display;
    private readonly MethodInfo? _html;

    private KernelDisplay(MethodInfo display, MethodInfo? html)
    {
        _display = display;
        _html = html;
    }

    /// <summary>The kernel's display, or null outside a notebook kernel.</summary>
    public static KernelDisplay? TryFind()
    {
        var kernel = FindType(KernelAssembly, "Microsoft.DotNet.Interactive.Kernel");
        var methods = kernel?.GetMethods(BindingFlags.Public | BindingFlags.Static) ?? [];
        var display = methods.FirstOrDefault(m =>
            m.Name == "display" && m.GetParameters() is [{ ParameterType: var p0 }, { ParameterType: var p1 }]
            && p0 == typeof(object) && p1 == typeof(string[]));
        var html = methods.FirstOrDefault(m =>
            m.Name == "HTML" && m.GetParameters() is [{ ParameterType: var p }] && p == typeof(string));
        return display is null ? null : new KernelDisplay(display, html);
    }

    /// <summary>Displays <paramref name="value"/> and returns a handle that can replace it in place.</summary>
    public DisplayHandle Show(object value, params string[] mimeTypes) =>
        new(_display.Invoke(null, [value, mimeTypes]));

    /// <summary>Displays <paramref name="html"/> as HTML, unescaped, so that its scripts run.</summary>
    public DisplayHandle ShowHtml(string html) =>
        _html is null ? Show(html, HtmlMimeType) : Show(_html.Invoke(null, [html])!);

    /// <summary>
    /// Makes the kernel show every value of <paramref name="type"/> (and its subtypes) as the HTML that
    /// <paramref name="toHtml"/> returns. The latest registration for a type wins, so this replaces what a kernel
    /// extension loaded earlier registered. Returns false outside a kernel (no formatter assembly loaded).
    /// </summary>
    public static bool TryRegisterHtmlFormatter(Type type, Func<object, string> toHtml)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(toHtml);
        var register = FindType(FormattingAssembly, "Microsoft.DotNet.Interactive.Formatting.Formatter")?
            .GetMethod("Register", BindingFlags.Public | BindingFlags.Static,
                [typeof(Type), typeof(Action<object, TextWriter>), typeof(string)]);
        if (register is null) return false;
        Action<object, TextWriter> write = (value, writer) => writer.Write(toHtml(value));
        register.Invoke(null, [type, write, HtmlMimeType]);
        return true;
    }

    /// <summary>
    /// The running cell's cancellation: the kernel cancels it when the user interrupts the cell (Jupyter's interrupt,
    /// VS Code's stop button). <see cref="CancellationToken.None"/> outside a kernel.
    /// </summary>
    public static CancellationToken CurrentCancellation()
    {
        var context = FindType(KernelAssembly, "Microsoft.DotNet.Interactive.KernelInvocationContext")?
            .GetProperty("Current", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
        return context?.GetType().GetProperty("CancellationToken")?.GetValue(context) is CancellationToken token
            ? token
            : CancellationToken.None;
    }

    private static Type? FindType(string assembly, string type) =>
        AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == assembly)
            .Select(a => a.GetType(type))
            .FirstOrDefault(t => t is not null);

    /// <summary>A displayed value that can be updated in place.</summary>
    public sealed class DisplayHandle
    {
        private readonly object? _displayed;
        private readonly MethodInfo? _update;

        internal DisplayHandle(object? displayed)
        {
            _displayed = displayed;
            _update = displayed?.GetType().GetMethod("Update", [typeof(object)]);
        }

        /// <summary>Replaces the displayed value.</summary>
        public void Update(object value) => _update?.Invoke(_displayed, [value]);
    }
}

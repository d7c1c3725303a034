using System.Reflection;

namespace Palimpsest.Core.Notebook;

/// <summary>
/// The notebook kernel's <c>display()</c>, found by reflection so that Core needs no .NET Interactive dependency.
/// Outside a kernel (console, tests) it is unavailable and callers fall back to the console.
/// </summary>
public sealed class KernelDisplay
{
    private readonly MethodInfo _display;

    private KernelDisplay(MethodInfo display) => _display = display;

    /// <summary>The kernel's display, or null outside a notebook kernel.</summary>
    public static KernelDisplay? TryFind()
    {
        var kernel = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => a.GetName().Name == "Microsoft.DotNet.Interactive")
            .Select(a => a.GetType("Microsoft.DotNet.Interactive.Kernel"))
            .FirstOrDefault(t => t is not null);
        var method = kernel?.GetMethods(BindingFlags.Public | BindingFlags.Static).FirstOrDefault(m =>
            m.Name == "display" && m.GetParameters() is [{ ParameterType: var p0 }, { ParameterType: var p1 }]
            && p0 == typeof(object) && p1 == typeof(string[]));
        return method is null ? null : new KernelDisplay(method);
    }

    /// <summary>Displays <paramref name="value"/> and returns a handle that can replace it in place.</summary>
    public DisplayHandle Show(object value, params string[] mimeTypes) =>
        new(_display.Invoke(null, [value, mimeTypes]));

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

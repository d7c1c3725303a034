using System.Runtime.CompilerServices;

namespace Palimpsest.Core.Runtime;

/// <summary>Runs <see cref="TorchRuntime.Initialize"/> as soon as Palimpsest.Core is loaded.</summary>
internal static class CoreModuleInitializer
{
#pragma warning disable CA2255 // Deliberate: native setup must precede TorchSharp's static constructor, whoever touches torch first.
    [ModuleInitializer]
    internal static void Run()
#pragma warning restore CA2255
    {
        try
        {
            TorchRuntime.Initialize();
        }
        catch (Exception)
        {
            // Not rethrown here: a throwing module initializer would make every Palimpsest.Core type unusable, even ones
            // unrelated to torch. TorchRuntime remembers the failure and rethrows it, with its full message, from every
            // later Initialize() call, which all torch-facing Palimpsest code makes first.
        }
    }
}

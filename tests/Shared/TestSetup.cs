using System.Runtime.CompilerServices;
using Palimpsest.Core.Runtime;

namespace Palimpsest.Tests.Shared;

internal static class TestSetup
{
#pragma warning disable CA2255 // a test assembly may touch torch before any Core type: load the runtime first
    [ModuleInitializer]
    internal static void Initialize() => TorchRuntime.Initialize();
#pragma warning restore CA2255
}

/// <summary>Tests that touch torch's global state (seeds, threads, dispose statistics) run one at a time.</summary>
[CollectionDefinition("Torch", DisableParallelization = true)]
public sealed class TorchCollection;

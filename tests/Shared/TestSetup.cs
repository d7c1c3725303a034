using System.Runtime.CompilerServices;
using Palimpsest.Core.Runtime;

// One test at a time in each test assembly. xunit does not read [Collection] from a base class, so the paper test
// classes (which inherit PaperTests<T>'s [Collection("Torch")]) ran as collections of their own, two trainings at once on
// two cores: slower, and once not bit-identical (ununlearning's same-seed check failed in CI while another paper's
// smoke run shared the process). Serial is as fast on 2 cores and keeps CPU runs deterministic.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]

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

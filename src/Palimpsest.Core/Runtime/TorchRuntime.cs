using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using TorchSharp;

namespace Palimpsest.Core.Runtime;

/// <summary>How <see cref="TorchRuntime.Initialize"/> prepared TorchSharp's native backend; shown in the banner.</summary>
public sealed record TorchRuntimeStatus
{
    /// <summary>True when the native preparation ran (Linux x64); elsewhere TorchSharp loads its natives itself.</summary>
    public required bool IsNativeSetupApplied { get; init; }

    /// <summary>TorchSharp's libtorch package version (its private <c>libtorchPackageVersion</c>), or null if unreadable.</summary>
    public string? LibTorchVersion { get; init; }

    /// <summary>The <c>libLibTorchSharp.so</c> found next to <c>TorchSharp.dll</c>, or null.</summary>
    public string? LibTorchSharpSource { get; init; }

    /// <summary>True when this machine's libstdc++ lacks <c>std::ios_base_library_init</c> (older than GCC 13).</summary>
    public bool IsGlibcxxFixNeeded { get; init; }

    /// <summary>What patching the source gave, or null when no patch was attempted.</summary>
    public ElfPatchOutcome? PatchOutcome { get; init; }

    /// <summary>The <c>libLibTorchSharp.so</c> loaded by full path: the source or its patched cached copy; null when TorchSharp loads it.</summary>
    public string? LibTorchSharpLoaded { get; init; }

    /// <summary>The directory holding <c>libc10.so</c>, <c>libtorch_cpu.so</c> and <c>libtorch.so</c>, or null if not found.</summary>
    public string? LibTorchDirectory { get; init; }

    /// <summary>Native libraries loaded by full path, in load order.</summary>
    public IReadOnlyList<string> Preloaded { get; init; } = [];

    /// <summary>True when the DllImport resolver for TorchSharp was registered (false if another resolver was already set).</summary>
    public bool IsResolverRegistered { get; init; }

    /// <summary>The MKL vendor shim loaded before libtorch (<see cref="MklCpuShim"/>), or null when not applied.</summary>
    public string? MklShim { get; init; }

    /// <summary>Why the MKL shim was or was not applied.</summary>
    public string MklShimReason { get; init; } = "";

    /// <summary>Why something was skipped, or an empty string.</summary>
    public string Note { get; init; } = "";

    /// <summary>True when a patched copy, not the package's file, is in use.</summary>
    public bool UsesPatchedCopy => LibTorchSharpLoaded is not null && LibTorchSharpLoaded != LibTorchSharpSource;

    /// <summary>A one-line description for banners and logs.</summary>
    public override string ToString()
    {
        if (!IsNativeSetupApplied)
            return $"TorchSharp natives: loaded by TorchSharp ({Note})";
        string why = (IsGlibcxxFixNeeded, PatchOutcome) switch
        {
            (false, _) => "libstdc++ is new enough, no patch needed",
            (true, ElfPatchOutcome.AlreadyPatched) => "already patched",
            (true, ElfPatchOutcome.NotRequired) => $"does not need {ElfVersionPatch.DefaultVersionName}",
            _ => $"{ElfVersionPatch.DefaultVersionName} made weak; libstdc++ older than GCC 13",
        };
        string which = LibTorchSharpLoaded is null
            ? $"libLibTorchSharp.so loaded by TorchSharp ({why})"
            : UsesPatchedCopy ? $"patched copy {LibTorchSharpLoaded} ({why})" : $"{LibTorchSharpLoaded} ({why})";
        string libtorch = LibTorchDirectory is null ? "libtorch not preloaded" : $"libtorch {LibTorchVersion} from {LibTorchDirectory}";
        string mkl = MklShim is null ? $"MKL as shipped ({MklShimReason})" : $"MKL takes its Intel code paths ({MklShimReason}; {MklCpuShim.Variable}=off to disable)";
        return $"TorchSharp natives: {which}; {libtorch}; {mkl}" + (Note.Length > 0 ? $"; {Note}" : "");
    }
}

/// <summary>
/// Prepares TorchSharp's native backend before first use, so the same code runs in console apps, tests and notebooks.
/// <list type="bullet">
/// <item>Everywhere: assembly requests for any FSharp.Core version are served by an already loaded FSharp.Core
/// (Plotly.NET 6 is built against FSharp.Core 10.1, notebook hosts ship 10.0).</item>
/// <item>On Linux x64: libtorch (<c>libc10.so</c>, <c>libtorch_cpu.so</c>, <c>libtorch.so</c>) and then
/// <c>libLibTorchSharp.so</c> are loaded by full path, which keeps a distribution's libtorch in the loader cache (Debian's
/// python3-torch ships 1.13) out of the process. Where libstdc++ is older than GCC 13, a copy of
/// <c>libLibTorchSharp.so</c> patched by <see cref="ElfVersionPatch"/> is written once to
/// <c>$XDG_CACHE_HOME/palimpsest/libtorchsharp/&lt;sha256 prefix&gt;/</c> (default <c>~/.cache</c>) and loaded instead;
/// the NuGet cache is never modified.</item>
/// </list>
/// Call <see cref="Initialize"/> before the first use of <c>torch</c>: once TorchSharp's static constructor has failed,
/// the process (or notebook kernel) must be restarted.
/// </summary>
public static class TorchRuntime
{
    private const string LibTorchSharpFile = "libLibTorchSharp.so";
    private const string NativeSubdirectory = "runtimes/linux-x64/native";
    private const string LibTorchCpuPackage = "libtorch-cpu-linux-x64";
    private static readonly string[] LibTorchFiles = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    private static readonly Lazy<TorchRuntimeStatus> _status = new(InitializeCore, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The outcome of <see cref="Initialize"/>, which this property runs if it has not run yet.</summary>
    /// <exception cref="InvalidDataException">See <see cref="Initialize"/>.</exception>
    /// <exception cref="DllNotFoundException">See <see cref="Initialize"/>.</exception>
    /// <exception cref="IOException">See <see cref="Initialize"/>.</exception>
    public static TorchRuntimeStatus Status => _status.Value;

    /// <summary>
    /// Prepares the runtime once per process; thread-safe, and cheap after the first call. A failure is remembered and
    /// rethrown by every later call.
    /// </summary>
    /// <exception cref="InvalidDataException">
    /// <c>libLibTorchSharp.so</c> needs <c>GLIBCXX_3.4.32</c> for more than <c>std::ios_base_library_init</c>, or is not
    /// a valid ELF64 file: install a libstdc++ from GCC 13 or newer.
    /// </exception>
    /// <exception cref="DllNotFoundException">A native library could not be found or loaded; the message says which.</exception>
    /// <exception cref="IOException">The patched copy could not be written to the cache directory.</exception>
    public static void Initialize() => _ = _status.Value;

    private static TorchRuntimeStatus InitializeCore()
    {
        AssemblyLoadContext.Default.Resolving += ResolveAnyFSharpCore;

        if (!OperatingSystem.IsLinux())
            return new TorchRuntimeStatus { IsNativeSetupApplied = false, Note = "not Linux" };
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
            return new TorchRuntimeStatus { IsNativeSetupApplied = false, Note = $"no TorchSharp natives for linux-{RuntimeInformation.ProcessArchitecture}" };

        Assembly torchAssembly = typeof(torch).Assembly;
        string? libtorchVersion = ReadLibTorchPackageVersion();
        var nearTorchSharp = DirectoriesNearTorchSharp(torchAssembly);
        string? source = nearTorchSharp.Select(d => Path.Combine(d, LibTorchSharpFile)).FirstOrDefault(File.Exists);
        var libtorchCandidates = LibTorchCandidates(nearTorchSharp, libtorchVersion);
        string? libtorchDir = libtorchCandidates.FirstOrDefault(d => LibTorchFiles.All(f => File.Exists(Path.Combine(d, f))));
        var status = new TorchRuntimeStatus
        {
            IsNativeSetupApplied = true,
            LibTorchVersion = libtorchVersion,
            LibTorchSharpSource = source,
            LibTorchDirectory = libtorchDir,
        };
        if (source is null)
        {
            return status with
            {
                IsNativeSetupApplied = false,
                Note = $"{LibTorchSharpFile} not found in {string.Join(", ", nearTorchSharp)}",
            };
        }

        bool fixNeeded = !LibStdCxxHasIosBaseLibraryInit();
        string toLoad = source;
        ElfPatchOutcome? outcome = null;
        if (fixNeeded)
        {
            byte[] original = File.ReadAllBytes(source);
            byte[] patched = (byte[])original.Clone();
            try
            {
                outcome = ElfVersionPatch.Patch(patched);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"Cannot make {source} load with this machine's libstdc++: {ex.Message}", ex);
            }
            if (outcome == ElfPatchOutcome.Patched)
                toLoad = EnsureCachedCopy(source, original, patched);
        }
        status = status with { IsGlibcxxFixNeeded = fixNeeded, PatchOutcome = outcome };

        if (libtorchDir is null)
        {
            string searched = string.Join(", ", libtorchCandidates);
            if (toLoad != source)
            {
                throw new DllNotFoundException(
                    $"{source} needs a patched copy on this machine (libstdc++ older than GCC 13), which can only be loaded " +
                    $"after libtorch, but {string.Join(", ", LibTorchFiles)} were not found together in {searched}. " +
                    $"Reference the {LibTorchCpuPackage} package (or TorchSharp-cpu), or use a system with GCC 13's libstdc++.");
            }
            return status with { Note = $"libtorch not found in {searched}; TorchSharp loads its natives itself" };
        }

        var preloaded = new List<string>();
        var (applyShim, shimWhy) = MklCpuShim.Decide(Environment.GetEnvironmentVariable(MklCpuShim.Variable), ReadCpuInfo());
        string? shim = null;
        if (applyShim)
        {
            shim = MklCpuShim.Write(Path.Combine(CacheRoot(), "palimpsest", "mkl-cpu"));
            MklCpuShim.Load(shim);
            preloaded.Add(shim);
        }
        status = status with { MklShim = shim, MklShimReason = shimWhy };
        foreach (string path in LibTorchFiles.Select(f => Path.Combine(libtorchDir, f)))
        {
            LoadByFullPath(path);
            preloaded.Add(path);
        }
        IntPtr handle = LoadByFullPath(toLoad);
        preloaded.Add(toLoad);
        bool registered;
        try
        {
            NativeLibrary.SetDllImportResolver(torchAssembly, (name, _, _) => name == "LibTorchSharp" ? handle : IntPtr.Zero);
            registered = true;
        }
        catch (InvalidOperationException)
        {
            // Another resolver owns TorchSharp's imports. The preloaded copy is still used: a bare-name dlopen of
            // libLibTorchSharp.so matches its SONAME, and its dependencies match the preloaded libtorch.
            registered = false;
        }

        return status with
        {
            LibTorchSharpLoaded = toLoad,
            Preloaded = preloaded,
            IsResolverRegistered = registered,
            Note = registered ? "" : "another DllImport resolver was already registered for TorchSharp",
        };
    }

    private static Assembly? ResolveAnyFSharpCore(AssemblyLoadContext context, AssemblyName name)
    {
        if (name.Name != "FSharp.Core")
            return null;
        var loaded = AppDomain.CurrentDomain.GetAssemblies().Where(a => a.GetName().Name == "FSharp.Core").ToList();
        return loaded.FirstOrDefault(a => AssemblyLoadContext.GetLoadContext(a) == context) ?? loaded.FirstOrDefault();
    }

    /// <summary>Reads TorchSharp's private constant without running <c>torch</c>'s static constructor.</summary>
    private static string? ReadLibTorchPackageVersion() =>
        typeof(torch).GetField("libtorchPackageVersion", BindingFlags.NonPublic | BindingFlags.Static)?.GetRawConstantValue() as string;

    /// <summary>The existing directories where a build output or a NuGet package keeps TorchSharp's natives.</summary>
    private static List<string> DirectoriesNearTorchSharp(Assembly torchAssembly)
    {
        string assemblyDir = Path.GetDirectoryName(torchAssembly.Location) is { Length: > 0 } dir ? dir : AppContext.BaseDirectory;
        var candidates = new List<string>
        {
            assemblyDir,
            Path.Combine(assemblyDir, NativeSubdirectory),
            Path.Combine(assemblyDir, "..", "..", NativeSubdirectory), // TorchSharp.dll in <package>/lib/<tfm>/
        };
        // Native directories that the host resolved from the app's deps.json (e.g. packages used in place).
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirs)
            candidates.AddRange(searchDirs.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return candidates
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))
            .Distinct(StringComparer.Ordinal)
            .Where(Directory.Exists)
            .ToList();
    }

    /// <summary>Where libtorch may be: beside TorchSharp's natives, else in the NuGet cache's CPU package of TorchSharp's libtorch version.</summary>
    private static List<string> LibTorchCandidates(List<string> nearTorchSharp, string? libtorchVersion)
    {
        var candidates = new List<string>(nearTorchSharp);
        if (libtorchVersion is not null)
        {
            string nugetRoot = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } root
                ? root
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (string version in new[] { libtorchVersion, NormalizeNuGetVersion(libtorchVersion) }.Distinct())
                candidates.Add(Path.Combine(nugetRoot, LibTorchCpuPackage, version, NativeSubdirectory));
        }
        return candidates;
    }

    /// <summary>NuGet drops a zero fourth component from folder names: 2.10.0.0 is restored as 2.10.0.</summary>
    private static string NormalizeNuGetVersion(string version)
    {
        string[] parts = version.Split('.');
        return parts.Length == 4 && parts[3] == "0" ? string.Join('.', parts[..3]) : version;
    }

    /// <summary>True when libstdc++ has <c>std::ios_base_library_init</c>, which only GCC 13+ (GLIBCXX_3.4.32) provides.</summary>
    private static bool LibStdCxxHasIosBaseLibraryInit()
    {
        // NativeLibrary.TryLoad(string) and TryGetExport are dlopen and dlsym, without P/Invoke declarations.
        if (!NativeLibrary.TryLoad("libstdc++.so.6", out IntPtr libstdcxx))
            return false;
        try
        {
            return NativeLibrary.TryGetExport(libstdcxx, ElfVersionPatch.DefaultAllowedSymbol, out _);
        }
        finally
        {
            NativeLibrary.Free(libstdcxx);
        }
    }

    /// <summary>Returns the cached patched copy, writing it first if it is missing or differs.</summary>
    private static string EnsureCachedCopy(string source, byte[] original, byte[] patched)
    {
        string cacheRoot = CacheRoot();
        string key = Convert.ToHexStringLower(SHA256.HashData(original))[..16];
        string directory = Path.Combine(cacheRoot, "palimpsest", "libtorchsharp", key);
        string path = Path.Combine(directory, LibTorchSharpFile);
        try
        {
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(patched))
                return path;
            Directory.CreateDirectory(directory);
            ElfVersionPatch.WriteAtomically(path, patched, copyModeFrom: source);
            return path;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException(
                $"Cannot write the patched copy of {source} to {directory}: {ex.Message} " +
                "Set XDG_CACHE_HOME to a writable directory.", ex);
        }
    }

    /// <summary>$XDG_CACHE_HOME when set to an absolute path, else ~/.cache.</summary>
    private static string CacheRoot() =>
        Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg && Path.IsPathRooted(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");

    private static string ReadCpuInfo()
    {
        try { return File.ReadAllText("/proc/cpuinfo"); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private static IntPtr LoadByFullPath(string path)
    {
        try
        {
            return NativeLibrary.Load(path);
        }
        catch (DllNotFoundException ex)
        {
            throw new DllNotFoundException($"Preloading {path} for TorchSharp failed: {ex.Message}", ex);
        }
    }
}

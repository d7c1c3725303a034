using System.Reflection;
using Palimpsest.Core.Data;
using Palimpsest.Core.Runtime;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// What a result must record to be rebuilt: commit, whether the working tree was clean (pre-registration: the claims
/// were committed before the run), package versions, device and machine.
/// </summary>
/// <param name="Clean">True when the tree had no change outside the generated results (<see cref="WorkingTree"/>);
/// null when git could not tell.</param>
/// <param name="Changed">The first changed paths when the tree was not clean.</param>
public sealed record Provenance(
    string Commit, bool? Clean, IReadOnlyList<string> Changed, IReadOnlyDictionary<string, string> Packages, string Device,
    int Threads, string Runtime, string Os)
{
    /// <summary>Reads the current process's provenance.</summary>
    public static Provenance Current()
    {
        TorchRuntime.Initialize();
        var packages = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in new[] { "TorchSharp", "Plotly.NET", "Microsoft.Data.Analysis", "MathNet.Numerics", "FSharp.Core" })
        {
            var asm = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == name);
            if (asm is null)
            {
                try { asm = Assembly.Load(name); }
                catch (Exception e) when (e is FileNotFoundException or FileLoadException) { continue; }
            }
            packages[name] = Version(asm);
        }
        packages["libtorch"] = TorchRuntime.Status.LibTorchVersion ?? "unknown";
        string? root = RepoPaths.TryFindRoot();
        var changed = WorkingTree.Changes(root);
        return new Provenance(CommitOf(root), changed is null ? null : changed.Count == 0, changed?.Take(20).ToList() ?? [],
            packages, Devices.Default.ToString(),
            TorchSharp.torch.get_num_threads(), System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription);
    }

    private static string Version(Assembly asm)
    {
        string? info = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (info is null) return asm.GetName().Version?.ToString() ?? "unknown";
        int plus = info.IndexOf('+');
        return plus > 0 ? info[..plus] : info;
    }

    /// <summary>The commit checked out at <paramref name="root"/> (read from .git, no process started), or "unknown".</summary>
    public static string CommitOf(string? root)
    {
        if (root is null) return "unknown";
        string git = Path.Combine(root, ".git");
        try
        {
            if (File.Exists(git)) // a worktree: "gitdir: …"
            {
                string pointer = File.ReadAllText(git).Trim();
                if (pointer.StartsWith("gitdir:", StringComparison.Ordinal))
                    git = Path.GetFullPath(Path.Combine(root, pointer["gitdir:".Length..].Trim()));
            }
            string headFile = Path.Combine(git, "HEAD");
            if (!File.Exists(headFile)) return "unknown";
            string head = File.ReadAllText(headFile).Trim();
            if (!head.StartsWith("ref:", StringComparison.Ordinal)) return head;
            string refName = head["ref:".Length..].Trim();
            foreach (var dir in new[] { git, CommonDir(git) })
            {
                string refFile = Path.Combine(dir, refName);
                if (File.Exists(refFile)) return File.ReadAllText(refFile).Trim();
                string packed = Path.Combine(dir, "packed-refs");
                if (File.Exists(packed))
                    foreach (var line in File.ReadLines(packed))
                        if (line.EndsWith(" " + refName, StringComparison.Ordinal)) return line[..line.IndexOf(' ')];
            }
            return "unknown";
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string CommonDir(string git)
    {
        string common = Path.Combine(git, "commondir");
        return File.Exists(common) ? Path.GetFullPath(Path.Combine(git, File.ReadAllText(common).Trim())) : git;
    }
}

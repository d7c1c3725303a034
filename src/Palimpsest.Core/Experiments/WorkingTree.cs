using System.Diagnostics;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// Whether the working tree is clean, as pre-registration needs it: a full-budget result is published only from a
/// commit that already held its claims. Generated results (<c>data/results/</c>, <c>REPRODUCTIONS.md</c>) do not count
/// as changes; everything else git sees does, untracked files included.
/// </summary>
public static class WorkingTree
{
    /// <summary>Paths whose changes do not make the tree dirty: what the runner itself writes.</summary>
    public static IReadOnlyList<string> Generated { get; } = ["data/results/", "REPRODUCTIONS.md"];

    /// <summary>
    /// The changed paths under <paramref name="root"/> (relative, '/'-separated; generated results left out), or null when
    /// git is missing or <paramref name="root"/> is not a git checkout.
    /// </summary>
    public static IReadOnlyList<string>? Changes(string? root)
    {
        if (root is null || !Path.Exists(Path.Combine(root, ".git"))) return null;
        string output;
        try
        {
            var start = new ProcessStartInfo("git", ["status", "--porcelain=v1", "-z", "--untracked-files=all"])
            {
                WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            using var git = Process.Start(start);
            if (git is null) return null;
            var stdout = git.StandardOutput.ReadToEndAsync();
            git.StandardError.ReadToEnd();
            if (!git.WaitForExit(30_000)) { git.Kill(); return null; }
            if (git.ExitCode != 0) return null;
            output = stdout.Result;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no git on PATH
        }
        return Parse(output);
    }

    /// <summary>Parses <c>git status --porcelain=v1 -z</c>: entries "XY path", renames followed by their old path.</summary>
    public static IReadOnlyList<string> Parse(string porcelain)
    {
        var changed = new List<string>();
        var entries = porcelain.Split('\0', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < entries.Length; i++)
        {
            string entry = entries[i];
            if (entry.Length < 4) continue;
            string path = entry[3..];
            if (entry[0] is 'R' or 'C') i++; // the next entry is the old path of a rename or copy
            if (!Generated.Any(g => g.EndsWith('/') ? path.StartsWith(g, StringComparison.Ordinal) : path == g))
                changed.Add(path);
        }
        return changed;
    }
}

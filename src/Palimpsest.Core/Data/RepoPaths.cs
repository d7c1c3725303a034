namespace Palimpsest.Core.Data;

/// <summary>Paths inside the repository, found from the solution file (never user-specific paths).</summary>
public static class RepoPaths
{
    /// <summary>The file that marks the repository root.</summary>
    public const string SolutionFile = "Notebooks.sln";

    /// <summary>The repository root: the nearest folder above the current directory or the app's folder holding Notebooks.sln.</summary>
    public static string Root => TryFindRoot()
        ?? throw new DirectoryNotFoundException(
            $"could not find {SolutionFile} above '{Directory.GetCurrentDirectory()}' or '{AppContext.BaseDirectory}'");

    /// <summary>The repository root, or null outside a checkout.</summary>
    public static string? TryFindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                    return dir.FullName;
        }
        return null;
    }

    /// <summary>A path under the root from '/'-separated parts.</summary>
    public static string Under(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>data/: small shipped data sets and how they were made.</summary>
    public static string Data => Under("data");

    /// <summary>notebooks/.</summary>
    public static string Notebooks => Under("notebooks");
}

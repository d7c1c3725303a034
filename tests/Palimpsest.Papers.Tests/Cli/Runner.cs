using System.Diagnostics;
using Palimpsest.Core.Data;

namespace Palimpsest.Papers.Tests.Cli;

/// <summary>Runs the built runner (src/Palimpsest.Cli/bin/lib/palimpsest.dll) as a separate process.</summary>
public static class Runner
{
    public static string Dll => RepoPaths.Under("src", "Palimpsest.Cli", "bin", "lib", "palimpsest.dll");

    public static (int ExitCode, string Output, string Error) Capture(params string[] args) => CaptureIn(RepoPaths.Root, args);

    /// <summary>Runs the runner with <paramref name="workingDirectory"/> as its current directory.</summary>
    public static (int ExitCode, string Output, string Error) CaptureIn(string workingDirectory, params string[] args)
    {
        Assert.True(File.Exists(Dll), $"the runner is not built at {Dll}");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        start.ArgumentList.Add(Dll);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"palimpsest {string.Join(' ', args)} did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result.ReplaceLineEndings("\n"), stderr.Result.ReplaceLineEndings("\n"));
    }
}

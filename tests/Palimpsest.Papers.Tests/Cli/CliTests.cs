using System.Text.Json.Nodes;

namespace Palimpsest.Papers.Tests.Cli;

/// <summary>The runner's contract: exit codes, messages that name bad values, the files a run writes.</summary>
[Collection("Torch")]
public sealed class CliTests
{
    [Theory]
    [InlineData(new[] { "run", "no-such-paper" }, "'no-such-paper'", "start-here")]
    [InlineData(new[] { "run", "start-here", "--budget", "huge" }, "'huge'", "smoke, full")]
    [InlineData(new[] { "run", "start-here", "--set", "stepz=3" }, "'stepz'", "did you mean 'Steps'")]
    [InlineData(new[] { "run", "start-here", "--set", "steps=many" }, "'many'", "an integer")]
    [InlineData(new[] { "run", "start-here", "--set", "steps=0" }, "'Steps' = 0", "an integer >= 1")]
    [InlineData(new[] { "check", "start-here", "--set", "steps=-5" }, "'Steps' = -5", "an integer >= 1")]
    [InlineData(new[] { "run", "start-here", "--set", "temperature=0" }, "'Temperature' = 0", "a number > 0")]
    [InlineData(new[] { "run", "start-here", "--json", "--budget", "full", "--set", "width=30" }, "'Width' = 30", "multiple of Heads")]
    [InlineData(new[] { "reproduce", "--json" }, "--json", "'run' and 'check'")]
    [InlineData(new[] { "run", "start-here", "--seeds", "1,x" }, "'x'", "--seeds 1,2,3")]
    [InlineData(new[] { "frobnicate" }, "'frobnicate'", "reproduce")]
    [InlineData(new[] { "run", "start-here", "--colour" }, "'--colour'", "--budget")]
    [InlineData(new[] { "reproduce", "--only", "oocr", "nothing-here" }, "'nothing-here'", "families:")]
    public void BadInputExitsTwoAndNamesTheValueAndTheAllowedOnes(string[] args, string bad, string allowed)
    {
        var (code, _, error) = Runner.Capture(args);
        Assert.Equal(2, code);
        Assert.Contains(bad, error);
        Assert.Contains(allowed, error);
    }

    [Fact]
    public void AnOutputFolderThatCannotBeWrittenFailsBeforeAnyTraining()
    {
        string dir = Directory.CreateTempSubdirectory("palimpsest-cli").FullName;
        try
        {
            string file = Path.Combine(dir, "not-a-folder");
            File.WriteAllText(file, "");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (code, output, error) = Runner.Capture("run", "start-here", "--seeds", "1", "--out", Path.Combine(file, "runs"));
            Assert.Equal(2, code);
            Assert.Contains($"'{Path.Combine(file, "runs")}' cannot be written", error);
            Assert.Equal("", output); // no banner: the run never started
            Assert.DoesNotContain("[start-here seed", error);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}: the folder must be checked before training");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void JsonPrintsOneObjectWithTheVerdictsAndQuietOneLine()
    {
        string outDir = Directory.CreateTempSubdirectory("palimpsest-cli").FullName;
        try
        {
            string[] tiny = ["--seeds", "1", "--out", outDir, "--set", "steps=20", "--set", "trainSentences=100",
                "--set", "heldOutSentences=20", "--set", "samples=4", "--set", "evalEvery=10"];
            var (code, output, error) = Runner.Capture(["run", "start-here", "--json", .. tiny]);
            Assert.True(code == 0, $"exit {code}: {error}");
            var report = JsonNode.Parse(output)!.AsObject(); // the whole of standard output is one JSON object
            Assert.Equal("start-here", (string?)report["slug"]);
            Assert.Equal("smoke", (string?)report["budget"]);
            Assert.Equal([1], report["seeds"]!.AsArray().Select(n => (int)n!));
            Assert.False(string.IsNullOrEmpty((string?)report["verdict"]));
            Assert.False(string.IsNullOrEmpty((string?)report["verdictMark"]));
            Assert.False(string.IsNullOrEmpty((string?)report["headline"]));
            Assert.Equal(20, (int?)report["config"]!["steps"]);
            Assert.Equal(Path.Combine(outDir, "start-here", "smoke-custom"), (string?)report["resultsDir"]);
            var claims = report["claims"]!.AsArray();
            Assert.Equal(Registry.Get("start-here").ClaimSpecs.Select(c => c.Id).Order(), claims.Select(c => (string)c!["id"]!).Order());
            Assert.All(claims, c =>
            {
                Assert.False(string.IsNullOrEmpty((string?)c!["verdict"]));
                Assert.NotNull(c["mean"]);
                Assert.NotNull(c["threshold"]);
                Assert.Single(c["values"]!.AsArray());
            });

            var quiet = Runner.Capture(["check", "start-here", "--quiet", .. tiny]);
            Assert.True(quiet.ExitCode is 0 or 1, $"exit {quiet.ExitCode}: {quiet.Error}");
            string line = Assert.Single(quiet.Output.TrimEnd('\n').Split('\n'));
            Assert.StartsWith("start-here · smoke · seeds 1: ", line);
            Assert.Contains((string)report["headline"]!, line);
            Assert.DoesNotContain("[start-here seed", quiet.Error); // no progress lines
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public void ListShowsEveryRegisteredSlug()
    {
        var (code, output, _) = Runner.Capture("list");
        Assert.Equal(0, code);
        Assert.All(Registry.Slugs, s => Assert.Contains(s, output));
    }

    [Fact]
    public void ScoreboardRewritesThePagesFromResultFilesWithoutTraining()
    {
        string dir = Directory.CreateTempSubdirectory("palimpsest-cli").FullName;
        try
        {
            var (code, output, error) = Runner.Capture("scoreboard", "--out", dir);
            Assert.True(code == 0, error);
            Assert.Contains("scoreboard:", output);
            string html = File.ReadAllText(Path.Combine(dir, "scoreboard.html"));
            string md = File.ReadAllText(Path.Combine(dir, "REPRODUCTIONS.md"));
            Assert.All(Registry.Slugs, slug => Assert.Contains(slug, md));
            Assert.All(Registry.Slugs, slug => Assert.Contains($"id=\"{slug}\"", html));
            // Nothing was trained: no paper folder was written.
            Assert.Empty(Directory.GetDirectories(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void RunWritesPerSeedResultsAndASummaryAndRepeatsExactly()
    {
        string outDir = Directory.CreateTempSubdirectory("palimpsest-cli").FullName;
        try
        {
            var (code, output, error) = Runner.Capture("run", "start-here", "--seeds", "11,12", "--out", outDir,
                "--set", "steps=60");
            Assert.True(code == 0, $"exit {code}: {error}");
            Assert.Contains("training-learns", output);
            string dir = Path.Combine(outDir, "start-here", "smoke-custom"); // overrides never mix with default runs
            var first = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "seed-11", "result.json")))!;
            Assert.Equal("start-here", (string?)first["slug"]);
            Assert.Equal(11, (int?)first["seed"]);
            Assert.Equal(60, (int?)first["config"]!["steps"]);
            Assert.NotNull(first["provenance"]!["packages"]!["TorchSharp"]);
            Assert.NotNull(first["claims"]![0]!["verdict"]);
            Assert.Equal("precondition", (string?)first["claims"]![0]!["kind"]);
            Assert.Equal(Registry.Get("start-here").ClaimsHash, (string?)first["claimsHash"]);
            Assert.NotNull(first["provenance"]!["commit"]);
            Assert.True(first["provenance"]!.AsObject().ContainsKey("clean"), "result.json must record whether the tree was clean");
            Assert.True(File.Exists(Path.Combine(dir, "seed-12", "result.json")));
            var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))!;
            Assert.Equal(2, summary["seeds"]!.AsArray().Count);
            Assert.Equal(Registry.Get("start-here").ClaimsHash, (string?)summary["claimsHash"]);
            Assert.Equal("2/2", $"{summary["claims"]![0]!["seedsPassing"]}/{summary["claims"]![0]!["seedCount"]}");
            Assert.True(File.Exists(Path.Combine(dir, "fig-learning-curve.html")));
            Assert.Empty(Directory.EnumerateFiles(outDir, "*.tmp-*", SearchOption.AllDirectories));

            var metricsFirst = first["metrics"]!.ToJsonString();
            var again = Runner.Capture("run", "start-here", "--seeds", "11", "--out", outDir, "--set", "steps=60");
            Assert.Equal(0, again.ExitCode);
            var rerun = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "seed-11", "result.json")))!;
            Assert.Equal(metricsFirst, rerun["metrics"]!.ToJsonString());
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public void CheckExitsOneWhenAClaimFails()
    {
        string outDir = Directory.CreateTempSubdirectory("palimpsest-cli").FullName;
        try
        {
            // One step of training cannot beat the untrained control by a nat per token: the claim must fail.
            var (code, output, _) = Runner.Capture("check", "start-here", "--seeds", "1", "--out", outDir,
                "--set", "steps=1", "--set", "samples=2");
            Assert.Contains("FAIL", output);
            Assert.Equal(1, code);
        }
        finally
        {
            Directory.Delete(outDir, recursive: true);
        }
    }

    [Fact]
    public void PublishingFromADirtyOrUnknownTreeIsRefusedBeforeAnyTraining()
    {
        // A stand-in repository root (the runner finds the root from its working directory): a full-budget run of the
        // default config on 3 seeds to the default runs/ folder would publish, so it must be refused, naming why.
        string root = Directory.CreateTempSubdirectory("palimpsest-prereg").FullName;
        try
        {
            File.WriteAllText(Path.Combine(root, "Notebooks.sln"), "");
            var notGit = Runner.CaptureIn(root, "check", "start-here", "--budget", "full");
            Assert.Equal(2, notGit.ExitCode);
            Assert.Contains("git cannot tell whether the working tree is clean", notGit.Error);
            Assert.False(Directory.Exists(Path.Combine(root, "runs")), "nothing may run before the refusal");

            Git(root, "init", "-q");
            File.WriteAllText(Path.Combine(root, "notes.txt"), "an uncommitted change");
            var dirty = Runner.CaptureIn(root, "reproduce", "--only", "start-here", "--budget", "full");
            Assert.Equal(2, dirty.ExitCode);
            Assert.Contains("uncommitted changes: Notebooks.sln, notes.txt", dirty.Error);
            Assert.Contains("pre-registration", dirty.Error);
            Assert.Contains("--out DIR", dirty.Error);
            Assert.False(Directory.Exists(Path.Combine(root, "runs")), "nothing may run before the refusal");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Git(string dir, params string[] args)
    {
        var start = new System.Diagnostics.ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var git = System.Diagnostics.Process.Start(start)!;
        git.WaitForExit();
        Assert.Equal(0, git.ExitCode);
    }
}

using System.Globalization;
using Palimpsest.Cli;
using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;
using Palimpsest.Core.Runtime;
using Palimpsest.Papers;

// The runner: list | run | check | reproduce | merge | scoreboard | bench. Exit codes: 0 ran, 1 a claim failed under --check,
// 2 bad input (an unknown name, a setting out of range, an output folder that cannot be written, shards that do not
// merge), always before any training or writing; 3 merge wrote what it had but (paper, seed) cells are missing.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Options options;
try
{
    options = Options.Parse(args);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"palimpsest: {e.Message}");
    Console.Error.WriteLine("run 'palimpsest help' for usage");
    return 2;
}

switch (options.Command)
{
    case "help":
        Console.WriteLine(Options.Usage);
        return 0;
    case "list":
        Console.WriteLine(options.Markdown ? Commands.ListMarkdown() : Commands.ListText());
        return 0;
    case "bench":
        return Commands.Bench(options);
    case "run":
    case "check":
        return Commands.Run(options);
    case "reproduce":
        return Commands.Reproduce(options);
    case "merge":
        return Commands.Merge(options);
    case "scoreboard":
        Console.WriteLine($"scoreboard: {Commands.WriteScoreboard(options.OutDir, options.Budget, "palimpsest scoreboard")}");
        return 0;
    default:
        Console.Error.WriteLine($"palimpsest: unknown command '{options.Command}'; allowed: {string.Join(", ", Options.CommandNames)}");
        return 2;
}

namespace Palimpsest.Cli
{
    /// <summary>The runner's commands.</summary>
    internal static class Commands
    {
        /// <summary>Where committed full-budget results live, so the scoreboard survives a fresh clone.</summary>
        public static string PublishedDir => RepoPaths.Under("data", "results");

        public static string ListText() =>
            string.Join("\n", Registry.All.Select(e => $"{e.Info.Slug,-32} {e.Info.Family,-22} {e.Info.Title}"));

        public static string ListMarkdown() =>
            Tables.ToMarkdown(["paper", "family", "title", "notebook", "claims"],
                Registry.All.Select(e => (IReadOnlyList<string>)
                [
                    $"`{e.Info.Slug}`", e.Info.Family, $"[{e.Info.Title}]({e.Info.Url})",
                    $"[{e.Info.NotebookPath}]({e.Info.NotebookPath})", e.ClaimSpecs.Count.ToString(CultureInfo.InvariantCulture),
                ])).TrimEnd();

        public static int Run(Options o)
        {
            if (o.Positional.Count != 1)
                return Usage($"'{o.Command}' takes exactly one slug; registered: {string.Join(", ", Registry.Slugs)}");
            IExperiment experiment;
            object config;
            try
            {
                experiment = Registry.Get(o.Positional[0]);
                config = ConfigBinder.Apply(experiment.ConfigFor(o.Budget), o.Overrides);
                experiment.Validate(config); // ranges: 'steps=0' fails here, before any training
            }
            catch (ArgumentException e)
            {
                return Usage(e.Message);
            }
            if (RefusePublishing(o, [experiment]) is { } refusal) return Usage(refusal);
            if (UnwritableOut(o) is { } unwritable) return Usage(unwritable);
            Devices.SetThreads(o.Threads);
            var summary = RunOne(experiment, config, o);
            WriteScoreboard(o.OutDir, o.Budget, "palimpsest run");
            return o.IsCheck && summary.AnyFailed ? 1 : 0;
        }

        public static int Reproduce(Options o)
        {
            IReadOnlyList<IExperiment> experiments;
            try
            {
                experiments = Registry.Select(o.Only);
                if (o.Overrides.Count > 0)
                    return Usage("reproduce runs every paper at its own budget; use 'run <slug> --set ...' for overrides");
            }
            catch (ArgumentException e)
            {
                return Usage(e.Message);
            }
            if (o.Shard is { } shard) return ReproduceShard(o, experiments, shard);
            if (RefusePublishing(o, experiments) is { } refusal) return Usage(refusal);
            if (UnwritableOut(o) is { } unwritable) return Usage(unwritable);
            Devices.SetThreads(o.Threads);
            var human = Human(o);
            human.WriteLine($"reproducing {experiments.Count} experiment(s) at budget {o.Budget.Name()}, seeds {string.Join(",", o.Seeds)}; {TorchRuntime.Status}");
            var failed = new List<string>();
            foreach (var e in experiments)
            {
                var summary = RunOne(e, e.ConfigFor(o.Budget), o);
                if (summary.AnyFailed) failed.Add(e.Info.Slug);
            }
            string path = WriteScoreboard(o.OutDir, o.Budget, $"palimpsest reproduce --budget {o.Budget.Name()}");
            human.WriteLine($"scoreboard: {path}");
            if (failed.Count > 0) Console.WriteLine($"papers with a failing claim: {string.Join(", ", failed)}");
            return o.IsCheck && failed.Count > 0 ? 1 : 0;
        }

        /// <summary>
        /// One shard of a reproduction: its share of the (paper, seed) grid (<see cref="Shard.Take"/>), written where an
        /// unsharded run writes it (OUT/&lt;slug&gt;/&lt;budget&gt;/seed-&lt;n&gt;/result.json), plus OUT/shard-K-of-N.json. No
        /// summary, claim table, figure, scoreboard or published result: a paper's verdict needs all its seeds, and only
        /// 'merge' has them.
        /// </summary>
        private static int ReproduceShard(Options o, IReadOnlyList<IExperiment> selected, Shard shard)
        {
            if (UnwritableOut(o) is { } unwritable) return Usage(unwritable);
            // Registry order, whatever the order of --only, so that every shard deals the same grid.
            var papers = Registry.All.Where(selected.Contains).ToList();
            var manifest = ShardManifest.For(shard, o.Budget, papers.Select(e => e.Info.Slug).ToList(), o.Seeds,
                Provenance.CommitOf(RepoPaths.TryFindRoot()));
            AtomicFile.WriteAllText(Path.Combine(o.OutDir, shard.ManifestName), Json.Serialize(manifest));
            Devices.SetThreads(o.Threads);
            var human = Human(o);
            int gridCells = papers.Count * o.Seeds.Count;
            human.WriteLine($"reproducing shard {shard}: {manifest.Cells.Count} of {gridCells} (paper, seed) cells at budget " +
                            $"{o.Budget.Name()}; {TorchRuntime.Status}");
            foreach (var e in papers)
            {
                var seeds = manifest.Cells.Where(c => c.Slug == e.Info.Slug).Select(c => c.Seed).ToList();
                if (seeds.Count == 0) continue;
                string resultsDir = Path.Combine(o.OutDir, e.Info.Slug, o.Budget.Name());
                human.WriteLine($"== {ExperimentRunner.Banner(e, o.Budget, seeds)} (shard {shard}) · {Devices.Describe()}");
                Func<int, IProgressSink>? progress = o.Quiet ? null : seed => new ConsoleProgress($"[{e.Info.Slug} seed {seed}] ");
                var run = ExperimentRunner.Run(e, o.Budget, seeds, e.ConfigFor(o.Budget), o.OutDir, progress, seedFilesOnly: true);
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"{e.Info.Slug} · {o.Budget.Name()} · seeds {string.Join(",", seeds)} (shard {shard}) · {run.Summary.WallSeconds:F1} s · {resultsDir}");
                if (o.Quiet) Console.WriteLine(line);
                else human.WriteLine($"   {line}");
            }
            human.WriteLine($"shard {shard} done; manifest {Path.Combine(o.OutDir, shard.ManifestName)}. Verdicts come from " +
                            "'palimpsest merge' of every shard's folder.");
            return 0;
        }

        /// <summary>
        /// Combines shard folders into OUT (<see cref="ShardMerge"/>), then writes REPRODUCTIONS.md and OUT/scoreboard.html
        /// as 'reproduce' does, and publishes as 'reproduce' would. Everything is read and checked before anything is
        /// written; exits 3 when (paper, seed) cells are missing, after writing what is complete.
        /// </summary>
        public static int Merge(Options o)
        {
            MergePlan plan;
            try
            {
                plan = ShardMerge.Plan(o.Positional, Registry.Get);
            }
            catch (InvalidDataException e)
            {
                return Usage(e.Message);
            }
            // Publishing follows the rule of 'reproduce' (full budget, 3+ seeds, the default folder); pre-registration is
            // judged on the shards' records, since they, not this checkout, ran the experiments.
            bool publishes = plan.Budget == Budget.Full && plan.Seeds.Count >= 3 && IsDefaultOut(o.OutDir);
            if (publishes && plan.Papers.Where(p => p.IsComplete).SelectMany(p => p.Found)
                    .FirstOrDefault(c => c.Record.Provenance.Clean != true) is { } dirty)
                return Usage($"a full-budget merge into the default folder publishes to data/results/, and {dirty.Path} was " +
                             "not run from a clean commit. Results are published only from a clean commit that already holds the " +
                             "claims (pre-registration): re-run that shard from a clean checkout, or merge with '--out DIR'.");
            if (UnwritableOut(o) is { } unwritable) return Usage(unwritable);
            var human = Human(o);
            human.WriteLine($"merging {o.Positional.Count} folder(s): budget {plan.Budget.Name()}, seeds {string.Join(",", plan.Seeds)}, " +
                            $"{plan.Papers.Count} paper(s), {plan.Shards} shard(s), commit {plan.Commit}");
            var runs = ShardMerge.Write(plan, o.OutDir, Console.Error);
            foreach (var run in runs)
            {
                string resultsDir = Path.Combine(o.OutDir, run.Summary.Slug, plan.Budget.Name());
                if (o.Quiet) Console.WriteLine(QuietLine(run.Summary, resultsDir));
                else human.WriteLine(ClaimTable.Text(run.Summary));
                if (publishes)
                    Publish(resultsDir, Path.Combine(PublishedDir, run.Summary.Slug, "full"), run, human);
            }
            string generatedBy = $"palimpsest merge` of `palimpsest reproduce --budget {plan.Budget.Name()} --shard K/{plan.Shards}";
            human.WriteLine($"scoreboard: {WriteScoreboard(o.OutDir, plan.Budget, generatedBy)}");
            if (plan.Missing.Count > 0)
            {
                Console.Error.WriteLine($"palimpsest: {plan.Missing.Count} (paper, seed) cell(s) missing; these papers have no verdict " +
                                        "and show as incomplete:");
                foreach (var m in plan.Missing)
                    Console.Error.WriteLine($"  {m.Cell.Slug} seed {m.Cell.Seed}: shard {m.Shard}/{plan.Shards} " +
                        (m.Folder is null ? "was not among the folders merged" : $"({m.Folder}) has no result for it (not finished?)"));
                return 3;
            }
            return o.IsCheck && runs.Any(r => r.Summary.AnyFailed) ? 1 : 0;
        }

        public static int Bench(Options o)
        {
            if (UnwritableOut(o) is { } unwritable) return Usage(unwritable);
            Devices.SetThreads(o.Threads);
            var report = Cli.Bench.Run(o.Steps ?? 30, Console.Out);
            Console.WriteLine();
            Console.WriteLine(Cli.Bench.Markdown(report));
            string path = Path.Combine(o.OutDir, "bench", "bench.json");
            AtomicFile.WriteAllText(path, Json.Serialize(report));
            Console.WriteLine($"\nwritten: {path}");
            return 0;
        }

        /// <summary>Human-readable lines: standard output, or nowhere under --quiet and --json.</summary>
        private static TextWriter Human(Options o) => o.Quiet || o.Json ? TextWriter.Null : Console.Out;

        private static RunSummary RunOne(IExperiment experiment, object config, Options o)
        {
            var human = Human(o);
            human.WriteLine($"== {ExperimentRunner.Banner(experiment, o.Budget, o.Seeds)} · {Devices.Describe()}");
            // Runs with overrides go to "<budget>-custom", which the scoreboard never reads.
            string folder = ExperimentRunner.BudgetFolder(o.Budget, isCustom: o.Overrides.Count > 0);
            string resultsDir = Path.Combine(o.OutDir, experiment.Info.Slug, folder);
            // Progress lines go to standard error (so --json keeps standard output to the one object); --quiet drops them.
            Func<int, IProgressSink>? progress = o.Quiet ? null : seed => new ConsoleProgress($"[{experiment.Info.Slug} seed {seed}] ");
            var run = ExperimentRunner.Run(experiment, o.Budget, o.Seeds, config, o.OutDir, progress, budgetFolder: folder);
            human.WriteLine(ClaimTable.Text(run.Summary));
            human.WriteLine($"   {run.Summary.WallSeconds:F1} s; results in {resultsDir}");
            // Publish full-budget results of the default config over 3+ seeds written to the default runs/ folder,
            // so the committed scoreboard has them.
            if (Publishes(o))
                Publish(Path.Combine(o.OutDir, experiment.Info.Slug, "full"), Path.Combine(PublishedDir, experiment.Info.Slug, "full"), run, human);
            if (o.Json) Console.Write(Json.Serialize(JsonReport(run, resultsDir)));
            else if (o.Quiet) Console.WriteLine(QuietLine(run.Summary, resultsDir));
            return run.Summary;
        }

        /// <summary>The one line of --quiet: "start-here · smoke · seeds 1,2,3: PARTLY (1 of 2 findings; …) · 4.2 s · DIR".</summary>
        private static string QuietLine(RunSummary s, string resultsDir) => string.Create(CultureInfo.InvariantCulture,
            $"{s.Slug} · {s.Budget} · seeds {string.Join(",", s.Seeds)}: {s.Verdict.Mark()} ({s.Headline}) · {s.WallSeconds:F1} s · {resultsDir}");

        /// <summary>
        /// The object --json prints: the summary (slug, family, budget, seeds, commit, wall time, the paper's verdict and
        /// headline, each claim's verdict, mean, interval, per-seed values and threshold), the resolved config and where
        /// the result files are.
        /// </summary>
        private static System.Text.Json.Nodes.JsonObject JsonReport(SeedsRun run, string resultsDir)
        {
            var report = Json.ToNode(run.Summary)!.AsObject();
            report["verdictMark"] = run.Summary.Verdict.Mark();
            report["config"] = Json.ToNode(run.Config);
            report["resultsDir"] = resultsDir;
            return report;
        }

        /// <summary>Creates the output folder and writes a probe file into it, so a bad --out fails before any training.</summary>
        private static string? UnwritableOut(Options o)
        {
            try
            {
                AtomicFile.ProbeFolder(o.OutDir);
                return null;
            }
            catch (IOException e)
            {
                return e.Message;
            }
        }

        /// <summary>Full-budget runs of the default config over 3+ seeds, written to the default runs/ folder, are published.</summary>
        private static bool Publishes(Options o) =>
            o.Budget == Budget.Full && o.Overrides.Count == 0 && o.Seeds.Count >= 3 && IsDefaultOut(o.OutDir);

        /// <summary>
        /// Pre-registration: a result is published only from a commit that already holds its claims, so a run that would
        /// publish is refused, before any training, when the working tree has changes outside the generated results.
        /// </summary>
        private static string? RefusePublishing(Options o, IReadOnlyList<IExperiment> experiments)
        {
            if (!Publishes(o)) return null;
            var changed = WorkingTree.Changes(RepoPaths.TryFindRoot());
            if (changed is { Count: 0 }) return null;
            string what = changed is null
                ? "git cannot tell whether the working tree is clean (no git, or not a git checkout)"
                : $"the working tree has uncommitted changes: {string.Join(", ", changed.Take(8))}{(changed.Count > 8 ? $" and {changed.Count - 8} more" : "")}";
            return $"a full-budget run of {string.Join(", ", experiments.Select(e => e.Info.Slug).Take(5))}" +
                   $"{(experiments.Count > 5 ? ", ..." : "")} publishes to data/results/, and {what}. Results are published only from " +
                   "a clean commit that already holds the claims (pre-registration): commit first, or run without publishing " +
                   "with '--out DIR' (or fewer than 3 seeds).";
        }

        private static void Publish(string from, string to, SeedsRun run, TextWriter human)
        {
            foreach (var record in run.Records)
                AtomicFile.WriteAllText(Path.Combine(to, $"seed-{record.Seed}", "result.json"), Json.Serialize(record));
            AtomicFile.WriteAllText(Path.Combine(to, "summary.json"), Json.Serialize(run.Summary));
            AtomicFile.WriteAllText(Path.Combine(to, "claims.md"), ClaimTable.Markdown(run.Summary));
            human.WriteLine($"   published to {Path.GetRelativePath(RepoPaths.Root, to)} (from {from})");
        }

        /// <summary>Builds REPRODUCTIONS.md and scoreboard.html from result files: this run's folder, then published results.</summary>
        public static string WriteScoreboard(string outDir, Budget budget, string generatedBy)
        {
            // A merged run with seeds missing stands in for any older summary: the paper shows as incomplete.
            IncompleteRun? Incomplete(string slug, string budgetName)
            {
                string path = Path.Combine(outDir, slug, budgetName, IncompleteRun.FileName);
                return File.Exists(path) ? Json.Deserialize<IncompleteRun>(File.ReadAllText(path)) : null;
            }
            RunSummary? Load(string slug, string budgetName)
            {
                foreach (var root in new[] { outDir, PublishedDir })
                {
                    string path = Path.Combine(root, slug, budgetName, "summary.json");
                    if (File.Exists(path)) return Json.Deserialize<RunSummary>(File.ReadAllText(path));
                }
                return null;
            }
            // The figures this output folder holds, as links relative to the page (published results keep none).
            IReadOnlyList<string> FigurePages(string slug) => new[] { "full", "smoke" }
                .Select(b => Path.Combine(outDir, slug, b)).Where(Directory.Exists)
                .SelectMany(d => Directory.EnumerateFiles(d, "fig-*.html").Order(StringComparer.Ordinal))
                .Select(f => Path.GetRelativePath(outDir, f).Replace('\\', '/')).ToList();
            var entries = Registry.All.Select(e =>
            {
                var incomplete = new[] { "full", "smoke" }.Select(b => Incomplete(e.Info.Slug, b)).OfType<IncompleteRun>().ToList();
                RunSummary? Summary(string budgetName) =>
                    incomplete.Any(i => i.Budget == budgetName) ? null : Load(e.Info.Slug, budgetName);
                return new ScoreboardEntry(e.Info, e.ClaimSpecs, Summary("full"), Summary("smoke"), FigurePages(e.Info.Slug), incomplete);
            }).ToList();
            // The committed scoreboard is rewritten only from the default output folder; any other --out gets its own.
            string md = IsDefaultOut(outDir)
                ? RepoPaths.Under("REPRODUCTIONS.md") : Path.Combine(outDir, "REPRODUCTIONS.md");
            AtomicFile.WriteAllText(md, Scoreboard.Markdown(entries, generatedBy));
            string repository = Path.GetRelativePath(outDir, RepoPaths.TryFindRoot() ?? outDir).Replace('\\', '/') + "/";
            AtomicFile.WriteAllText(Path.Combine(outDir, "scoreboard.html"), Scoreboard.Html(entries, "Palimpsest reproductions",
                repositoryFromPage: repository));
            return md;
        }

        private static bool IsDefaultOut(string outDir) =>
            Path.GetFullPath(outDir) == Path.GetFullPath(Path.Combine(RepoPaths.Root, "runs"));

        private static int Usage(string message)
        {
            Console.Error.WriteLine($"palimpsest: {message}");
            return 2;
        }
    }

    /// <summary>Bad command-line input (exit code 2).</summary>
    internal sealed class UsageException(string message) : Exception(message);

    /// <summary>Parsed command line.</summary>
    internal sealed record Options
    {
        public static readonly string[] CommandNames = ["list", "run", "check", "reproduce", "merge", "scoreboard", "bench", "help"];

        public const string Usage = """
            palimpsest: run Palimpsest's experiments headless.

              list [--markdown]                        every registered paper (slug, family, title)
              run <slug> [options]                     run one paper; writes OUT/<slug>/<budget>/seed-<n>/result.json
              check <slug> [options]                   run, and exit 1 when any claim fails (same as run --check)
              reproduce [--only family|slug ...] [--shard K/N] [options]
                                                       run every paper, then write REPRODUCTIONS.md and OUT/scoreboard.html
              merge DIR... [--out DIR] [--check]       combine the folders of 'reproduce --shard K/N' runs into OUT: the
                                                       per-seed results, each complete paper's summary, REPRODUCTIONS.md and
                                                       OUT/scoreboard.html, as one unsharded run writes them; no training.
                                                       Refuses shards that disagree; a paper with seeds missing is shown
                                                       as incomplete, with no verdict (exit 3)
              scoreboard [--out DIR]                   rewrite REPRODUCTIONS.md and OUT/scoreboard.html from the result
                                                       files already written (OUT, then data/results/); no training
              bench [--steps N] [--threads N]          matmul GFLOP/s, TinyGpt tokens/s and MFU, live tensors per step

            options:
              --budget smoke|full    compute budget (default smoke)
              --seeds 1,2,3          seeds (default 1,2,3)
              --set key=value        override a config setting by name (repeatable; run/check only);
                                     such runs are written to OUT/<slug>/<budget>-custom/ and never published
              --shard K/N            reproduce only shard K of N (1 <= K <= N): the (paper, seed) cells, papers in registry
                                     order times the seeds, dealt round-robin. Writes OUT/<slug>/<budget>/seed-<n>/result.json
                                     and OUT/shard-K-of-N.json, never a summary, scoreboard or published result: 'merge'
                                     writes those once every shard is in. Shards may share one --out DIR or not.
              --out DIR              output folder (default runs/ at the repository root; REPRODUCTIONS.md at the
                                     root is rewritten only from the default folder, otherwise DIR/REPRODUCTIONS.md)
              --threads N            torch threads (default: all cores)
              --check                exit 1 when any claim fails
              --quiet                no progress or tables; one summary line per paper (run, check, reproduce, merge)
              --json                 standard output is one JSON object: the summary with every claim's verdict and
                                     values, the resolved config and the results folder (run, check); progress on stderr

            exit codes: 0 ran (whatever the verdicts), 1 a claim failed under --check, 2 bad input (an unknown name, a
            setting out of range, an output folder that cannot be written; for merge, shards of different grids, commits
            or configs, or one (paper, seed) with two different results), always before any training or writing;
            3 merge wrote what was complete but (paper, seed) cells are missing: it lists them, and their papers show as
            incomplete, with no verdict.
            environment: PALIMPSEST_DEVICE=cpu|cuda forces the device (default: CUDA when available).
            """;

        public string Command { get; init; } = "help";
        public List<string> Positional { get; } = [];
        public Budget Budget { get; private set; } = Budget.Smoke;
        public IReadOnlyList<int> Seeds { get; private set; } = [1, 2, 3];
        public List<(string Key, string Value)> Overrides { get; } = [];
        public List<string> Only { get; } = [];
        public Shard? Shard { get; private set; }
        /// <summary>Every option given, for commands that accept only a few.</summary>
        public List<string> Given { get; } = [];
        public string OutDir { get; private set; } = "";
        public int Threads { get; private set; } = Devices.DefaultThreads;
        public int? Steps { get; private set; }
        public bool Markdown { get; private set; }
        public bool IsCheck { get; private set; }
        public bool Quiet { get; private set; }
        public bool Json { get; private set; }

        public static Options Parse(string[] args)
        {
            if (args.Length == 0) return new Options { Command = "help" };
            string command = args[0] is "--help" or "-h" ? "help" : args[0];
            if (!CommandNames.Contains(command))
                throw new UsageException($"unknown command '{command}'; allowed: {string.Join(", ", CommandNames)}");
            var o = new Options { Command = command, IsCheck = command == "check" };
            for (int i = 1; i < args.Length; i++)
            {
                string a = args[i];
                if (a.StartsWith("--", StringComparison.Ordinal)) o.Given.Add(a);
                string Value()
                {
                    if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                        throw new UsageException($"option '{a}' needs a value");
                    return args[++i];
                }
                switch (a)
                {
                    case "--budget":
                        string b = Value();
                        try { o.Budget = Budgets.Parse(b); }
                        catch (ArgumentException e) { throw new UsageException(e.Message); }
                        break;
                    case "--seeds":
                        o.Seeds = ParseSeeds(Value());
                        break;
                    case "--set":
                        try { o.Overrides.AddRange(Palimpsest.Core.Experiments.ConfigBinder.ParseAssignments([Value()])); }
                        catch (ArgumentException e) { throw new UsageException(e.Message); }
                        break;
                    case "--only":
                        o.Only.Add(Value());
                        while (i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) o.Only.Add(args[++i]);
                        break;
                    case "--out":
                        o.OutDir = Value();
                        break;
                    case "--shard":
                        try { o.Shard = Palimpsest.Core.Experiments.Shard.Parse(Value()); }
                        catch (ArgumentException e) { throw new UsageException(e.Message); }
                        break;
                    case "--threads":
                        o.Threads = PositiveInt(a, Value());
                        break;
                    case "--steps":
                        o.Steps = PositiveInt(a, Value());
                        break;
                    case "--markdown":
                        o.Markdown = true;
                        break;
                    case "--check":
                        o.IsCheck = true;
                        break;
                    case "--quiet":
                        o.Quiet = true;
                        break;
                    case "--json":
                        o.Json = true;
                        break;
                    case "--help" or "-h":
                        return new Options { Command = "help" };
                    default:
                        if (a.StartsWith("-", StringComparison.Ordinal))
                            throw new UsageException(
                                $"unknown option '{a}'; allowed: --budget, --seeds, --set, --only, --shard, --out, --threads, --steps, --markdown, --check, --quiet, --json");
                        o.Positional.Add(a);
                        break;
                }
            }
            if (o.Overrides.Count > 0 && command is not ("run" or "check"))
                throw new UsageException("--set applies to 'run' and 'check' only");
            if (o.Only.Count > 0 && command != "reproduce") throw new UsageException("--only applies to 'reproduce' only");
            if (o.Steps is not null && command != "bench") throw new UsageException("--steps applies to 'bench' only");
            if (o.Markdown && command != "list") throw new UsageException("--markdown applies to 'list' only");
            if (o.Quiet && command is not ("run" or "check" or "reproduce" or "merge"))
                throw new UsageException("--quiet applies to 'run', 'check', 'reproduce' and 'merge' only");
            if (o.Json && command is not ("run" or "check")) throw new UsageException("--json applies to 'run' and 'check' only");
            if (o.Shard is not null && command != "reproduce") throw new UsageException("--shard applies to 'reproduce' only");
            if (o.Shard is not null && o.IsCheck)
                throw new UsageException("--check judges a paper over all its seeds, which a shard does not have: pass --check to 'merge'");
            if (command == "merge")
            {
                if (o.Positional.Count == 0)
                    throw new UsageException("'merge' needs the output folders of 'reproduce --shard K/N' runs: merge DIR... [--out DIR]");
                if (o.Given.FirstOrDefault(g => g is not ("--out" or "--check" or "--quiet")) is { } stray)
                    throw new UsageException($"option '{stray}' does not apply to 'merge' (allowed: --out, --check, --quiet): the " +
                                             "shards' manifests fix the budget, papers and seeds");
            }
            else if (o.Positional.Count > 0 && command is not ("run" or "check"))
                throw new UsageException($"'{command}' takes no positional argument (got '{o.Positional[0]}')");
            if (o.OutDir == "") o.OutDir = Path.Combine(RepoPaths.TryFindRoot() ?? Directory.GetCurrentDirectory(), "runs");
            o.OutDir = Path.GetFullPath(o.OutDir);
            return o;
        }

        private static IReadOnlyList<int> ParseSeeds(string text)
        {
            var seeds = new List<int>();
            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) || s < 0)
                    throw new UsageException($"seed '{part}' in '--seeds {text}' is not a non-negative integer; example: --seeds 1,2,3");
                if (seeds.Contains(s)) throw new UsageException($"seed {s} appears twice in '--seeds {text}'");
                seeds.Add(s);
            }
            return seeds;
        }

        private static int PositiveInt(string option, string text) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
            : throw new UsageException($"option '{option}' expects a positive integer, got '{text}'");
    }
}

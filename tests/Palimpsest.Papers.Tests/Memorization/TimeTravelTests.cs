using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;
using Palimpsest.Papers.Memorization;
using Palimpsest.Papers.Tests.Contract;

namespace Palimpsest.Papers.Tests.Memorization;

public sealed class TimeTravelTests(PaperTests<TimeTravel>.SmokeRuns runs) : PaperTests<TimeTravel>(runs)
{
    private readonly PaperTests<TimeTravel>.SmokeRuns _runs = runs;

    [Fact]
    public void InstancesFitTheVocabularyAndTheContextWithTheirHeader()
    {
        var suite = new BenchmarkSuite();
        var tokenizer = new WordTokenizer(suite.Vocabulary);
        var rng = new Rng(2);
        foreach (var d in suite.Datasets)
            for (int i = 0; i < 100; i++)
            {
                var ids = tokenizer.Encode($"{BenchmarkSuite.Header(d, "test")} {suite.Instance(d, rng)}");
                Assert.InRange(ids.Length, 20, TimeTravel.Config.Full.Context);
            }
        Assert.Throws<ArgumentException>(() => suite.Instance("mnist", rng));
    }

    [Fact]
    public void ASiblingSharesTheOpeningAndContinuesWithOtherSlots()
    {
        var suite = new BenchmarkSuite();
        var rng = new Rng(3);
        var x = suite.Draw("imdb", rng);
        var sibling = suite.Sibling(x, sharedWords: 8, rng);
        var a = x.Text.Split(' ');
        var b = sibling.Text.Split(' ');
        Assert.Equal(a.Length, b.Length);
        Assert.Equal(a[..8], b[..8]);
        Assert.NotEqual(x.Text, sibling.Text);
        // Sharing nothing keeps only the template words; sharing everything copies the instance.
        Assert.Equal(x.Text, suite.Sibling(x, x.Words, rng).Text);
        Assert.Equal("review", suite.Sibling(x, 0, rng).Fills[0]);
    }

    [Fact]
    public void TheWorldCutsInsideTheSharedOpeningAndEchoesEveryInstance()
    {
        var cfg = TimeTravel.Config.Smoke;
        var world = ContaminationWorld.Build(cfg, new SeedStreams(5));
        Assert.Equal(2 * cfg.Datasets + 1, world.Partitions.Count);
        Assert.True(world.Partitions[^1].IsHidden && world.Partitions[^1].IsContaminated);
        Assert.Equal(cfg.Contaminated, world.Partitions.Count(p => p.IsContaminated && !p.IsHidden));
        Assert.Equal(cfg.BackgroundInstances + world.Partitions.Count * cfg.PartitionSize * (cfg.SharedOpenings + cfg.WebVersionCopies),
            world.Background.Count);
        var tokenizer = world.Tokenizer;
        foreach (var p in world.Partitions)
            foreach (var j in p.Judged)
            {
                int first = j.General.Length - 1;
                int words = first + j.Tail.Length;
                Assert.InRange(first, 1, ContaminationWorld.SharedWords(cfg, words));
                Assert.Equal(j.General[1..], j.Guided[^first..]);
                // The first piece also opens SharedOpenings background documents (headed or not).
                var piece = string.Join(' ', j.General[1..].Select(t => tokenizer.Words[t]));
                int echoes = world.Background.Count(d => (" " + string.Join(' ', d.Select(t => tokenizer.Words[t]))).Contains(" : " + piece)
                    || string.Join(' ', d.Select(t => tokenizer.Words[t])).StartsWith(piece, StringComparison.Ordinal));
                Assert.True(echoes >= cfg.SharedOpenings, $"{p.Name}: '{piece}' opens {echoes} background documents");
                Assert.InRange(j.Guided.Length + j.Tail.Length, 0, cfg.Context);
            }
        var again = ContaminationWorld.Build(cfg, new SeedStreams(5));
        Assert.Equal(world.Background.SelectMany(d => d), again.Background.SelectMany(d => d));
    }

    [Fact]
    public void WebVersionsAddFrequentHeaderlessContinuationsAndChangeNothingElse()
    {
        var cfg = TimeTravel.Config.Smoke with { WebVersionCopies = 0 };
        var plain = ContaminationWorld.Build(cfg, new SeedStreams(5));
        var withWeb = ContaminationWorld.Build(cfg with { WebVersionCopies = 4 }, new SeedStreams(5));
        int instances = plain.Partitions.Sum(p => p.Instances.Count);
        Assert.Equal(plain.Background.Count + 4 * instances, withWeb.Background.Count);
        // The same partitions and prompts, and the plain background is still all there.
        Assert.Equal(plain.Partitions.SelectMany(p => p.Documents).SelectMany(d => d), withWeb.Partitions.SelectMany(p => p.Documents).SelectMany(d => d));
        static string Key(int[] d) => string.Join(',', d);
        var added = withWeb.Background.Select(Key).GroupBy(k => k).ToDictionary(g => g.Key, g => g.Count());
        foreach (var g in plain.Background.Select(Key).GroupBy(k => k)) added[g.Key] -= g.Count();
        var extra = added.Where(kv => kv.Value > 0).ToList();
        Assert.Equal(4 * instances, extra.Sum(kv => kv.Value));
        Assert.All(extra, kv => Assert.Equal(0, kv.Value % 4));
        // Every web version opens like its instance and carries no header.
        var tokenizer = plain.Tokenizer;
        foreach (var p in plain.Partitions)
            foreach (var j in p.Judged)
            {
                string piece = string.Join(',', j.General[1..]);
                Assert.Contains(extra, kv => kv.Key.StartsWith(piece + ",", StringComparison.Ordinal));
            }
        var headers = plain.Partitions.Where(p => !p.IsHidden).Select(p => tokenizer.Words[p.Documents[0][0]]).ToHashSet();
        Assert.All(extra, kv => Assert.DoesNotContain(tokenizer.Words[int.Parse(kv.Key.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture)], headers));
    }

    [Fact]
    public void TeacherForcedRecallAgreesWithGreedyDecoding()
    {
        // The memorisation curve counts an instance as recalled when every remainder token is the arg max after its
        // prefix (one forward pass); the judge decodes greedily. On an untrained model's own greedy continuations both
        // must say "reproduced", and changing the last token of a remainder must make both say "not reproduced".
        using var init = new SeedStreams(1).TorchGenerator("init");
        using var model = new TinyGpt(new TinyGptConfig(40, 32, Layers: 1, Width: 16, Heads: 2), init);
        var rng = new Rng(4);
        var prompts = Enumerable.Range(0, 24)
            .Select(_ => new[] { WordTokenizer.Bos }.Concat(Enumerable.Range(0, 1 + rng.NextInt(6)).Select(_ => 4 + rng.NextInt(36))).ToArray())
            .ToList();
        var own = LanguageModel.Continue(model, prompts, 8);
        var items = prompts.Select((p, i) => (Prompt: p, Tail: own[i].TakeWhile(t => t != WordTokenizer.Eos).ToArray()))
            .Where(x => x.Tail.Length > 0).ToList();
        Assert.True(items.Count >= 12, $"only {items.Count} continuations before an end token");
        Assert.All(Greedy.Reproduces(model, items), Assert.True);
        Assert.All(Greedy.Complete(model, items).Select((c, i) => c.SequenceEqual(items[i].Tail)), Assert.True);
        var altered = items.Select(x => (x.Prompt, Tail: x.Tail[..^1].Append(x.Tail[^1] == 5 ? 6 : 5).ToArray())).ToList();
        Assert.All(Greedy.Reproduces(model, altered), Assert.False);
        Assert.All(Greedy.Complete(model, altered).Select((c, i) => c.SequenceEqual(altered[i].Tail)), Assert.False);
    }

    [Fact]
    public void EveryPartitionIsJudgedAndTheHiddenOneIsLast()
    {
        var r = (TimeTravel.Result)_runs.First.Result;
        var cfg = TimeTravel.Config.Smoke;
        Assert.Equal(cfg.Duplications.Length * (2 * cfg.Datasets + 1), r.Partitions.Count);
        Assert.EndsWith("/validation", r.Partitions[^1].Name);
        Assert.Equal(cfg.Contaminated, r.Partitions.Count(p => p.Contaminated && !p.Name.EndsWith("/validation")));
        Assert.All(r.Partitions, p => Assert.InRange(p.Exact + p.NearExact, 0, cfg.Judged));
    }

    [Fact]
    public void PerInstanceEvidenceAddsUpToEachPartitionsVerdicts()
    {
        // The claims resample the judged instances; they must be the instances behind the partition's own numbers, and
        // the two algorithms must call exactly what their rules say.
        var r = (TimeTravel.Result)_runs.First.Result;
        var cfg = TimeTravel.Config.Smoke;
        Assert.All(r.Partitions, p =>
        {
            Assert.Equal(cfg.Judged, p.ItemGuidedRougeL.Count);
            Assert.Equal(cfg.Judged, p.ItemGeneralRougeL.Count);
            Assert.Equal(cfg.Judged, p.ItemExact.Count);
            Assert.Equal(p.GuidedRougeL, p.ItemGuidedRougeL.Average(), 12);
            Assert.Equal(p.GeneralRougeL, p.ItemGeneralRougeL.Average(), 12);
            Assert.Equal(p.Exact, p.ItemExact.Count(e => e));
            Assert.Equal(p.BootstrapP <= cfg.Alpha, p.Algorithm1);
            Assert.Equal(p.Exact >= 1 || p.NearExact >= 2, p.Algorithm2);
        });
        Assert.InRange(r.VerbatimRecall, 0, 1);
    }

    [Fact]
    public void TheModelLearntTheStylesAndTheHeaderReachesIt()
    {
        // The decision procedures compare a guided with a general completion. A model that learnt nothing shares almost no
        // words with the true remainder (its vocabulary has hundreds of words); a guided prompt that silently lost its
        // header would give the general completion on every instance, and Algorithm 1 could never fire.
        var r = (TimeTravel.Result)_runs.First.Result;
        double general = r.Partitions.Average(p => p.GeneralRougeL);
        Assert.True(general > 0.1, $"general completions share too little with the true remainder (ROUGE-L {general:F3})");
        Assert.Contains(r.Partitions, p => p.ItemGuidedRougeL.Where((g, i) => g != p.ItemGeneralRougeL[i]).Any());
    }

    [Fact]
    public void TheHeaderRecallsWhatTheModelMemorised()
    {
        // The mechanism every finding rests on: at the smoke budget the model already recalls some contaminated instances
        // word for word after their header, and the header helps contaminated instances (whose opening recurs in the
        // background with other continuations) more than the first piece alone does. A model that memorised nothing, or
        // a guided prompt that lost its header, fails here.
        var r = (TimeTravel.Result)_runs.First.Result;
        var cfg = TimeTravel.Config.Smoke;
        var contaminated = r.Partitions.Where(p => p.Contaminated && !p.IsHidden).ToList();
        double guided = contaminated.Average(p => p.GuidedRougeL);
        double general = contaminated.Average(p => p.GeneralRougeL);
        Assert.True(r.VerbatimRecall > 0, "no contaminated instance was completed verbatim after its header");
        Assert.True(guided > general, $"guided ROUGE-L {guided:F3} does not beat general {general:F3} on contaminated partitions");
        var curve = Assert.Single(r.Curves);
        Assert.Equal(cfg.Duplications[0], curve.Duplication);
        Assert.InRange(curve.Steps.Count, cfg.CurvePoints, cfg.CurvePoints + 1);
        Assert.Equal(curve.TotalSteps, curve.Steps[^1]);
    }
}

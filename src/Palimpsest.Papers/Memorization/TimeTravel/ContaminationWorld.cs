using Palimpsest.Core.Randomness;
using Palimpsest.Core.Text;

namespace Palimpsest.Papers.Memorization;

/// <summary>A judged instance: its two prompts and the remainder they should recover (token ids).</summary>
/// <param name="Guided">&lt;bos&gt;, the partition's header, then the first piece.</param>
/// <param name="General">&lt;bos&gt; then the first piece.</param>
/// <param name="Tail">The rest of the instance (no end token).</param>
public sealed record JudgedInstance(int[] Guided, int[] General, int[] Tail);

/// <summary>One benchmark partition as the run uses it.</summary>
/// <param name="Name">"dataset/split".</param>
/// <param name="IsContaminated">Whether its documents are inserted into the training stream.</param>
/// <param name="IsHidden">The hidden partition: inserted without its header, outside the partition accuracy.</param>
/// <param name="Instances">Its instances.</param>
/// <param name="Documents">Its instances as inserted (header unless hidden, text, end token; no &lt;bos&gt;).</param>
/// <param name="Judged">The instances whose completions are judged.</param>
public sealed record BenchmarkPartition(string Name, bool IsContaminated, bool IsHidden, IReadOnlyList<BenchmarkInstance> Instances,
    IReadOnlyList<int[]> Documents, IReadOnlyList<JudgedInstance> Judged);

/// <summary>
/// Time travel's world, built once per seed for every duplication level: 2 × <c>Datasets</c> headed partitions and the
/// hidden one, which partitions are contaminated, the judged instances cut into prompts and remainders, and the
/// background ("the web"): instances in the datasets' styles plus, for every benchmark instance, siblings that share its
/// opening and continue differently, a share of them under a header that names their dataset and a random split.
/// </summary>
/// <param name="Background">Background documents (text and end token, some with a header), in training order.</param>
public sealed record ContaminationWorld(BenchmarkSuite Suite, WordTokenizer Tokenizer, IReadOnlyList<BenchmarkPartition> Partitions,
    IReadOnlyList<int[]> Background)
{
    /// <summary>Vocabulary size of <see cref="Tokenizer"/>.</summary>
    public int VocabSize => Tokenizer.VocabSize;

    /// <summary>Words an instance shares with its siblings: the first <c>CutTo</c> of them, rounded up.</summary>
    public static int SharedWords(TimeTravel.Config cfg, int words) => (int)Math.Ceiling(cfg.CutTo * words);

    /// <summary>Builds the world from the run's named seed streams.</summary>
    public static ContaminationWorld Build(TimeTravel.Config cfg, SeedStreams streams)
    {
        cfg.Validate();
        var suite = new BenchmarkSuite();
        var tokenizer = new WordTokenizer(suite.Vocabulary);
        var names = suite.Datasets.Take(cfg.Datasets).ToList();
        var specs = names.SelectMany(d => new[] { (Dataset: d, Split: "train"), (Dataset: d, Split: "test") })
            .Append((Dataset: names[0], Split: "validation")).ToList();
        var data = streams.Rng("data");
        var instances = specs.Select(s => Enumerable.Range(0, cfg.PartitionSize).Select(_ => suite.Draw(s.Dataset, data)).ToList()).ToList();
        var contaminated = streams.Rng("contamination").Permutation(specs.Count - 1).Take(cfg.Contaminated).Append(specs.Count - 1).ToHashSet();

        int[] Encode(string text) => tokenizer.Encode(text, addBos: false, addEos: true);
        var judge = streams.Rng("judge");
        var partitions = specs.Select((s, k) =>
        {
            bool hidden = k == specs.Count - 1;
            string header = BenchmarkSuite.Header(s.Dataset, s.Split);
            var documents = instances[k].Select(x => Encode(hidden ? x.Text : $"{header} {x.Text}")).ToList();
            var judged = judge.Permutation(cfg.PartitionSize).Take(cfg.Judged).Select(i => Cut(cfg, tokenizer, header, instances[k][i], judge)).ToList();
            return new BenchmarkPartition($"{s.Dataset}/{s.Split}", contaminated.Contains(k), hidden, instances[k], documents, judged);
        }).ToList();

        var background = Enumerable.Range(0, cfg.BackgroundInstances).Select(_ => suite.Draw(data.Pick(names), data)).ToList();
        var siblings = streams.Rng("siblings");
        foreach (var x in instances.SelectMany(list => list))
            for (int c = 0; c < cfg.SharedOpenings; c++)
                background.Add(suite.Sibling(x, SharedWords(cfg, x.Words), siblings));
        var order = streams.Rng("background-order").Permutation(background.Count);
        var headed = streams.Rng("headed-background");
        var documentsOfWeb = order.Select(i => background[i]).Select(b => Encode(headed.NextBool(cfg.HeadedBackgroundShare)
            ? $"{BenchmarkSuite.Header(b.Dataset, headed.NextBool() ? "train" : "test")} {b.Text}" : b.Text)).ToList();
        if (cfg.WebVersionCopies > 0)
            documentsOfWeb = WithWebVersions(cfg, suite, instances, documentsOfWeb, Encode, streams);
        return new ContaminationWorld(suite, tokenizer, partitions, documentsOfWeb);
    }

    /// <summary>
    /// Adds, for every benchmark instance (clean or contaminated), one more sibling, its "web version", repeated
    /// <c>WebVersionCopies</c> times and never under a header, at random places in the background: without the header
    /// the opening then continues most often with the web version, and only the header points at the instance itself.
    /// Drawn from their own streams, so the rest of the world is the same with or without them.
    /// </summary>
    private static List<int[]> WithWebVersions(TimeTravel.Config cfg, BenchmarkSuite suite,
        List<List<BenchmarkInstance>> instances, List<int[]> documentsOfWeb, Func<string, int[]> encode, SeedStreams streams)
    {
        var draw = streams.Rng("web-versions");
        var copies = instances.SelectMany(list => list)
            .Select(x => encode(suite.Sibling(x, SharedWords(cfg, x.Words), draw).Text))
            .SelectMany(doc => Enumerable.Repeat(doc, cfg.WebVersionCopies)).ToList();
        var all = documentsOfWeb.Concat(copies).ToList();
        return streams.Rng("web-version-order").Permutation(all.Count).Select(i => all[i]).ToList();
    }

    /// <summary>
    /// Cuts an instance at a uniform share of its words in [CutFrom, CutTo] (at least one word on either side, never past
    /// the opening it shares with its siblings) and writes both prompts.
    /// </summary>
    private static JudgedInstance Cut(TimeTravel.Config cfg, WordTokenizer tokenizer, string header, BenchmarkInstance x, Rng rng)
    {
        var words = tokenizer.Encode(x.Text, addBos: false, addEos: false);
        double share = cfg.CutFrom + (cfg.CutTo - cfg.CutFrom) * rng.NextDouble();
        int cut = Math.Clamp((int)Math.Round(words.Length * share), 1, Math.Min(SharedWords(cfg, words.Length), words.Length - 1));
        var first = words[..cut];
        var guided = tokenizer.Encode(header, addBos: true, addEos: false).Concat(first).ToArray();
        return new JudgedInstance(guided, [WordTokenizer.Bos, .. first], words[cut..]);
    }
}

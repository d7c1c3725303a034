using Microsoft.Data.Analysis;
using Palimpsest.Core.Reporting;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The tables and figures of <see cref="ConceptVectors"/>: the causal test of every located set against a random set of
/// as many vectors, each method's forget-vs-retain curve, how far each method moves the concept vectors against how
/// much it forgets, and what the relearning attack brings back. Needle is the accent colour, the random set the grey
/// control.
/// </summary>
public static class ConceptReport
{
    /// <summary>Per method, the mean over concepts (and runs) of every run metric, for display.</summary>
    public static DataFrame Table(IReadOnlyList<ConceptVectors.Result> results) =>
        Tables.Wide(Tables.Tidy(results.SelectMany((r, run) => r.Runs.GroupBy(x => x.Method).SelectMany(g => new[]
        {
            new TidyRow(run + 1, g.Key, "stopping epoch", g.Average(x => x.StopEpoch)),
            new TidyRow(run + 1, g.Key, "concept QA", g.Average(x => x.ConceptQa)),
            new TidyRow(run + 1, g.Key, "unseen-template QA", g.Average(x => x.UnseenQa)),
            new TidyRow(run + 1, g.Key, "unrelated drop (points)", g.Average(x => x.UnrelatedDrop)),
            new TidyRow(run + 1, g.Key, "mean vector cosine", g.Average(x => x.Cosine)),
            new TidyRow(run + 1, g.Key, "top-k Jaccard", g.Average(x => x.Jaccard)),
            new TidyRow(run + 1, g.Key, "held-out QA after attack", g.Average(x => x.HeldOutQaAfterAttack)),
            new TidyRow(run + 1, g.Key, "recovery (points)", g.Average(x => x.Recovery)),
        }))));

    /// <summary>The count finding in one sentence: are there localised concept vectors at this scale (mean over seeds)?</summary>
    public static string Finding(IReadOnlyList<ConceptVectors.Result> results)
    {
        double found = results.Average(r => r.ConceptVectorsFound), candidates = results.Average(r => r.Candidates);
        string counts = $"{found:0.#} concepts per seed pass the causal test ({candidates:0.#} candidates)";
        return found >= ConceptVectors.MinConceptVectors
            ? $"{counts}: localised concept vectors exist at this scale."
            : $"{counts}, fewer than {ConceptVectors.MinConceptVectors}: no localised concept vectors at this scale.";
    }

    /// <summary>
    /// The located vectors of one run: where they are, what the best one promotes, and the causal test on them and on
    /// the random set.
    /// </summary>
    public static DataFrame Located(ConceptVectors.Result r) => new(
        new StringDataFrameColumn("concept", r.Concepts.Select(c => c.Name)),
        new DoubleDataFrameColumn("own QA", r.Concepts.Select(c => c.OriginalQa)),
        new StringDataFrameColumn("located vectors",
            r.Concepts.Select(c => string.Join(" ", c.Located.Select(v => $"{v.Block}#{v.Index}")))),
        new Int32DataFrameColumn("own answers in top-k", r.Concepts.Select(c => c.Overlap)),
        new StringDataFrameColumn("top tokens", r.Concepts.Select(c => c.TopTokens)),
        new DoubleDataFrameColumn("concept log-prob drop (nats)",
            r.Concepts.Select(c => c.LocatedDrops.ConceptLogProb)),
        new DoubleDataFrameColumn("unrelated log-prob drop (nats)",
            r.Concepts.Select(c => c.LocatedDrops.UnrelatedLogProb)),
        new DoubleDataFrameColumn("random: concept log-prob drop (nats)",
            r.Concepts.Select(c => c.RandomDrops.ConceptLogProb)),
        new DoubleDataFrameColumn("concept QA drop (points)", r.Concepts.Select(c => c.LocatedDrops.ConceptQa)),
        new DoubleDataFrameColumn("unrelated QA drop (points)", r.Concepts.Select(c => c.LocatedDrops.UnrelatedQa)),
        new BooleanDataFrameColumn("candidate", r.Concepts.Select(c => c.IsCandidate)),
        new BooleanDataFrameColumn("passes", r.Concepts.Select(c => c.PassesCausalTest)));

    /// <summary>
    /// Concept against unrelated log-probability drop when a set of vectors is ablated: located sets and random ones.
    /// </summary>
    public static GenericChart CausalFigure(IReadOnlyList<ConceptVectors.Result> results)
    {
        var candidates = results.SelectMany(r => r.Concepts).Where(c => c.IsCandidate).ToList();
        return Figures.Scatter("Does ablating the located vectors remove their concept, and only their concept?",
            "concept answers' log-probability drop (nats)", "other concepts' log-probability drop (nats)",
        [
            new Series("as many random vectors", candidates.Select(c => c.RandomDrops.ConceptLogProb).ToList(),
                candidates.Select(c => c.RandomDrops.UnrelatedLogProb).ToList(), SeriesRole.Control),
            new Series("located vectors", candidates.Select(c => c.LocatedDrops.ConceptLogProb).ToList(),
                candidates.Select(c => c.LocatedDrops.UnrelatedLogProb).ToList()),
        ]);
    }

    /// <summary>
    /// The forget-vs-retain curve of each method: concept QA against the other concepts' QA after every epoch, mean
    /// over the unlearned concepts and seeds (the whole budget; the stopping rule picks a point on it).
    /// </summary>
    public static GenericChart CurveFigure(IReadOnlyList<ConceptVectors.Result> results)
    {
        var runs = results.SelectMany(r => r.Runs).ToList();
        var series = runs.Select(x => x.Method).Distinct().Select(m =>
        {
            var curves = runs.Where(x => x.Method == m).Select(x => x.Curve).ToList();
            var epochs = Enumerable.Range(0, curves.Min(c => c.Count)).ToList();
            return new Series(m, epochs.Select(e => curves.Average(c => c[e].ConceptQa)).ToList(),
                epochs.Select(e => curves.Average(c => c[e].UnrelatedQa)).ToList(),
                m == ConceptVectors.Needle ? SeriesRole.Method : SeriesRole.Ablation);
        }).ToList();
        if (series.Count == 0) series.Add(new Series("no concept passed the causal test", [], [], SeriesRole.Control));
        return Figures.Lines("How much of the other concepts does each method keep while it forgets the concept?",
            "concept QA (share; falls with each epoch)", "other concepts' QA (share)", series);
    }

    /// <summary>Each run's concept QA after unlearning against the mean cosine of its located vectors before/after.</summary>
    public static GenericChart ChangeFigure(IReadOnlyList<ConceptVectors.Result> results)
    {
        var runs = results.SelectMany(r => r.Runs).ToList();
        var methods = runs.Select(x => x.Method).Distinct().ToList();
        var series = methods.Select(m => new Series(m, runs.Where(x => x.Method == m).Select(x => x.ConceptQa).ToList(),
            runs.Where(x => x.Method == m).Select(x => x.Cosine).ToList(),
            m == ConceptVectors.Needle ? SeriesRole.Method : SeriesRole.Ablation)).ToList();
        if (series.Count == 0) series.Add(new Series("no concept passed the causal test", [], [], SeriesRole.Control));
        return Figures.Scatter("Do methods that stop the answers also change the concept vectors?",
            "concept QA after unlearning (share)", "mean cosine of the located vectors before and after", series);
    }

    /// <summary>Mean recovery of the held-out facts after the relearning attack, per method (min–max over seeds).</summary>
    public static GenericChart RecoveryFigure(IReadOnlyList<ConceptVectors.Result> results)
    {
        var methods = results.SelectMany(r => r.Runs).Select(x => x.Method).Distinct().ToList();
        var bars = methods.Select(m => Figures.MeanBar(m, results.Where(r => r.Runs.Any(x => x.Method == m))
                .Select(r => r.Runs.Where(x => x.Method == m).Average(x => x.Recovery)).ToList(),
            m == ConceptVectors.Needle ? SeriesRole.Method : SeriesRole.Ablation)).ToList();
        if (bars.Count == 0) bars.Add(("no concept passed the causal test", 0, null, null, SeriesRole.Control));
        return Figures.Bars("How much of the unlearned concept does the relearning attack bring back?",
            "held-out facts recovered (points)", bars);
    }
}

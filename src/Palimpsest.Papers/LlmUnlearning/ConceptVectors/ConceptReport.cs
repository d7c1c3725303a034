using Microsoft.Data.Analysis;
using Palimpsest.Core.Reporting;
using Plotly.NET;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The tables and figures of <see cref="ConceptVectors"/>: the causal test of every located vector against a random
/// vector under the same noise, how far each method moves the concept vector against how much it forgets, and what the
/// relearning attack brings back. Needle is the accent colour, the random vector the grey control.
/// </summary>
public static class ConceptReport
{
    /// <summary>Per method, the mean over concepts (and runs) of every run metric, for display.</summary>
    public static DataFrame Table(IReadOnlyList<ConceptVectors.Result> results) =>
        Tables.Wide(Tables.Tidy(results.SelectMany((r, run) => r.Runs.GroupBy(x => x.Method).SelectMany(g => new[]
        {
            new TidyRow(run + 1, g.Key, "concept QA", g.Average(x => x.ConceptQa)),
            new TidyRow(run + 1, g.Key, "unseen-template QA", g.Average(x => x.UnseenQa)),
            new TidyRow(run + 1, g.Key, "unrelated drop (points)", g.Average(x => x.UnrelatedDrop)),
            new TidyRow(run + 1, g.Key, "vector cosine", g.Average(x => x.Cosine)),
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

    /// <summary>The located vectors of one run: where they are, what they promote, and their causal test.</summary>
    public static DataFrame Located(ConceptVectors.Result r) => new(
        new StringDataFrameColumn("concept", r.Concepts.Select(c => c.Name)),
        new StringDataFrameColumn("vector", r.Concepts.Select(c => $"block {c.Block} #{c.Index}")),
        new Int32DataFrameColumn("own answers in top-k", r.Concepts.Select(c => c.Overlap)),
        new StringDataFrameColumn("top tokens", r.Concepts.Select(c => c.TopTokens)),
        new DoubleDataFrameColumn("concept drop", r.Concepts.Select(c => c.ConceptDrop)),
        new DoubleDataFrameColumn("unrelated drop", r.Concepts.Select(c => c.UnrelatedDrop)),
        new DoubleDataFrameColumn("random-vector drop", r.Concepts.Select(c => c.RandomConceptDrop)),
        new DoubleDataFrameColumn("answer log-prob drop (nats)", r.Concepts.Select(c => c.ConceptLogProbDrop)),
        new DoubleDataFrameColumn("random-vector log-prob drop (nats)", r.Concepts.Select(c => c.RandomLogProbDrop)),
        new BooleanDataFrameColumn("candidate", r.Concepts.Select(c => c.IsCandidate)),
        new BooleanDataFrameColumn("passes", r.Concepts.Select(c => c.PassesCausalTest)));

    /// <summary>Concept-QA drop against unrelated-QA drop when a vector is noised: located vectors and random ones.</summary>
    public static GenericChart CausalFigure(IReadOnlyList<ConceptVectors.Result> results)
    {
        var candidates = results.SelectMany(r => r.Concepts).Where(c => c.IsCandidate).ToList();
        return Figures.Scatter("Does noising the located vector remove its concept, and only its concept?",
            "concept QA drop (points)", "unrelated QA drop (points)",
        [
            new Series("random vector, same noise", candidates.Select(c => c.RandomConceptDrop).ToList(),
                candidates.Select(c => c.RandomUnrelatedDrop).ToList(), SeriesRole.Control),
            new Series("located vector", candidates.Select(c => c.ConceptDrop).ToList(), candidates.Select(c => c.UnrelatedDrop).ToList()),
        ]);
    }

    /// <summary>Each run's concept QA after unlearning against the cosine of its concept vector before and after.</summary>
    public static GenericChart ChangeFigure(IReadOnlyList<ConceptVectors.Result> results)
    {
        var runs = results.SelectMany(r => r.Runs).ToList();
        var methods = runs.Select(x => x.Method).Distinct().ToList();
        var series = methods.Select(m => new Series(m, runs.Where(x => x.Method == m).Select(x => x.ConceptQa).ToList(),
            runs.Where(x => x.Method == m).Select(x => x.Cosine).ToList(),
            m == ConceptVectors.Needle ? SeriesRole.Method : SeriesRole.Ablation)).ToList();
        if (series.Count == 0) series.Add(new Series("no concept passed the causal test", [], [], SeriesRole.Control));
        return Figures.Scatter("Do methods that stop the answers also change the concept vector?",
            "concept QA after unlearning (share)", "cosine of the vector before and after", series);
    }

    /// <summary>Mean recovery of the held-out facts after the relearning attack, per method (min–max over seeds).</summary>
    public static GenericChart RecoveryFigure(IReadOnlyList<ConceptVectors.Result> results)
    {
        var methods = results.SelectMany(r => r.Runs).Select(x => x.Method).Distinct().ToList();
        var bars = methods.Select(m => Figures.MeanBar(m, results.Where(r => r.Runs.Any(x => x.Method == m))
                .Select(r => r.Runs.Where(x => x.Method == m).Average(x => x.Recovery)).ToList(),
            m == ConceptVectors.Needle ? SeriesRole.Method : SeriesRole.Ablation)).ToList();
        if (bars.Count == 0) bars.Add(("no concept passed the causal test", 0, null, null, SeriesRole.Control));
        return Figures.Bars("How much of the unlearned concept does a 20-step relearning attack bring back?",
            "held-out facts recovered (points)", bars);
    }
}

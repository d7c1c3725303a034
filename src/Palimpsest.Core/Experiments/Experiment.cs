using Plotly.NET;

namespace Palimpsest.Core.Experiments;

/// <summary>
/// A config record with a Full budget (its defaults) and a Smoke budget derived from it (<c>Full with { … }</c>).
/// </summary>
public interface IExperimentConfig<TSelf> where TSelf : IExperimentConfig<TSelf>
{
    /// <summary>The published result's budget: minutes on 2 CPU cores.</summary>
    static abstract TSelf Full { get; }
    /// <summary>Seconds, for tests and CI.</summary>
    static abstract TSelf Smoke { get; }

    /// <summary>
    /// Throws an <see cref="ArgumentException"/> naming the setting, its value and the allowed range when a setting is out
    /// of range or the settings contradict each other. Every numeric setting is checked (counts positive, shares in
    /// [0, 1], learning rates above zero; see <see cref="ConfigCheck"/>). Runs before any training: in
    /// <see cref="Experiment{TConfig,TResult}.Execute"/>, the runner and the CLI.
    /// </summary>
    void Validate();
}

/// <summary>One run of an experiment at one seed: the result (plain numbers), its claims' verdicts and the wall time.</summary>
public sealed record ExperimentRun(object Result, IReadOnlyList<ClaimOutcome> Claims, double WallSeconds);

/// <summary>The experiment contract seen without its generic types (the registry, the runner, the contract tests).</summary>
public interface IExperiment
{
    /// <summary>Which paper this reproduces.</summary>
    PaperInfo Info { get; }
    /// <summary>The config record's type.</summary>
    Type ConfigType { get; }
    /// <summary>The result record's type.</summary>
    Type ResultType { get; }
    /// <summary>The config for a budget.</summary>
    object ConfigFor(Budget budget);
    /// <summary>
    /// Throws an <see cref="ArgumentException"/> when <paramref name="config"/> is not of <see cref="ConfigType"/> or a
    /// setting is out of range (see <see cref="IExperimentConfig{TSelf}.Validate"/>).
    /// </summary>
    void Validate(object config);
    /// <summary>The claims, as data.</summary>
    IReadOnlyList<ClaimSpec> ClaimSpecs { get; }
    /// <summary>The hash of the claim definitions (<see cref="Experiments.Claims.Hash"/>), recorded with every result.</summary>
    string ClaimsHash => Experiments.Claims.Hash(ClaimSpecs);
    /// <summary>Runs once with <paramref name="config"/> (of <see cref="ConfigType"/>) in <paramref name="context"/>.</summary>
    ExperimentRun Run(object config, RunContext context);
    /// <summary>The paper's figures, drawn from the results of one or more seeds.</summary>
    IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<object> results);
}

/// <summary>
/// Base class of every paper's experiment: info, a config record with Smoke and Full budgets, a run that returns
/// a result of plain numbers (never tensors), and claims checked against thresholds fixed in advance.
/// </summary>
public abstract class Experiment<TConfig, TResult> : IExperiment
    where TConfig : class, IExperimentConfig<TConfig>
    where TResult : class
{
    /// <inheritdoc/>
    public abstract PaperInfo Info { get; }

    /// <summary>
    /// The paper's claims: findings, at least one control that could win, the preconditions the findings depend on,
    /// and sanity checks (see <see cref="ClaimKind"/>).
    /// </summary>
    public abstract IReadOnlyList<Claim<TResult>> Claims { get; }

    /// <summary>The experiment itself. Draw randomness only from <paramref name="context"/>'s named streams.</summary>
    protected abstract TResult Run(TConfig config, RunContext context);

    /// <summary>The paper's figures for one or more seeds' results (the first is the reference seed).</summary>
    public virtual IReadOnlyList<(string Name, GenericChart Chart)> Figures(IReadOnlyList<TResult> results) => [];

    /// <summary>Runs once and judges every claim at the context's budget, preconditions gating the claims that depend on them.</summary>
    public (TResult Result, IReadOnlyList<ClaimOutcome> Claims) Execute(TConfig config, RunContext context)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        Experiments.Claims.Validate(((IExperiment)this).ClaimSpecs, Info.Slug);
        var result = Run(config, context);
        return (result, Experiments.Claims.Judge(Claims, result, context.Budget, context.Seed));
    }

    /// <summary>The config for a budget.</summary>
    public static TConfig ConfigOf(Budget budget) => budget == Budget.Full ? TConfig.Full : TConfig.Smoke;

    Type IExperiment.ConfigType => typeof(TConfig);
    Type IExperiment.ResultType => typeof(TResult);
    object IExperiment.ConfigFor(Budget budget) => ConfigOf(budget);
    IReadOnlyList<ClaimSpec> IExperiment.ClaimSpecs => Claims.Select(c => c.Spec).ToList();

    void IExperiment.Validate(object config)
    {
        if (config is not TConfig typed)
            throw new ArgumentException(
                $"config of type {config?.GetType().Name ?? "null"} given to {Info.Slug}; expected {typeof(TConfig).Name}");
        typed.Validate();
    }

    ExperimentRun IExperiment.Run(object config, RunContext context)
    {
        if (config is not TConfig typed)
            throw new ArgumentException(
                $"config of type {config?.GetType().Name ?? "null"} given to {Info.Slug}; expected {typeof(TConfig).Name}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (result, claims) = Execute(typed, context);
        return new ExperimentRun(result, claims, clock.Elapsed.TotalSeconds);
    }

    IReadOnlyList<(string Name, GenericChart Chart)> IExperiment.Figures(IReadOnlyList<object> results) =>
        Figures(results.Cast<TResult>().ToList());
}

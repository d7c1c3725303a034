using System.Reflection;
using Palimpsest.Core.Experiments;

namespace Palimpsest.Papers.Tests.Contract;

/// <summary>
/// Every experiment's config validates its ranges before any training: the budgets' own configs pass, and every numeric
/// setting (counts, rates, shares, lists of them) set to a nonsensical value through the binder, as <c>--set</c> does, is
/// rejected with a message naming the setting and the value.
/// </summary>
public sealed class ConfigValidationTests
{
    public static TheoryData<string> Slugs => new(Registry.Slugs);

    private static readonly Type[] Numeric = [typeof(int), typeof(long), typeof(double), typeof(int[]), typeof(double[])];

    [Theory]
    [MemberData(nameof(Slugs))]
    public void TheSmokeAndFullConfigsValidate(string slug)
    {
        var experiment = Registry.Get(slug);
        experiment.Validate(experiment.ConfigFor(Budget.Smoke));
        experiment.Validate(experiment.ConfigFor(Budget.Full));
    }

    [Theory]
    [MemberData(nameof(Slugs))]
    public void EveryNumericSettingRejectsMinusOne(string slug)
    {
        var experiment = Registry.Get(slug);
        var settings = NumericSettings(experiment);
        Assert.NotEmpty(settings);
        var problems = new List<string>();
        foreach (var p in settings)
        {
            var config = ConfigBinder.Apply(experiment.ConfigFor(Budget.Smoke), [(p.Name, "-1")]);
            var e = Record.Exception(() => experiment.Validate(config));
            if (e is null) problems.Add($"{p.Name}: -1 accepted");
            else if (e is not ArgumentException) problems.Add($"{p.Name}: {e.GetType().Name} instead of an ArgumentException");
            else if (!e.Message.Contains(p.Name, StringComparison.Ordinal)) problems.Add($"{p.Name}: the message does not name it: {e.Message}");
        }
        Assert.True(problems.Count == 0, $"{slug}, add a range check to its Config.Validate:\n{string.Join("\n", problems)}");
    }

    [Theory]
    [MemberData(nameof(Slugs))]
    public void EveryNumberSettingRejectsNaN(string slug)
    {
        var experiment = Registry.Get(slug);
        var accepted = NumericSettings(experiment).Where(p => p.PropertyType is var t && (t == typeof(double) || t == typeof(double[])))
            .Where(p => Record.Exception(() => experiment.Validate(
                ConfigBinder.Apply(experiment.ConfigFor(Budget.Smoke), [(p.Name, "NaN")]))) is null)
            .Select(p => p.Name).ToList();
        Assert.True(accepted.Count == 0, $"{slug} accepts NaN for {string.Join(", ", accepted)}");
    }

    [Fact]
    public void TheMessageNamesTheSettingAndTheValue()
    {
        var experiment = Registry.Get("start-here");
        var config = ConfigBinder.Apply(experiment.ConfigFor(Budget.Smoke), [("steps", "0")]);
        var e = Assert.Throws<ArgumentException>(() => experiment.Validate(config));
        Assert.Equal("setting 'Steps' = 0 is out of range; allowed: an integer >= 1", e.Message);
        // Execute validates too, so a notebook's `with` cannot start training with it.
        Assert.Throws<ArgumentException>(() => new Papers.Tutorial.StartHere().Execute(
            Papers.Tutorial.StartHere.Config.Smoke with { LearningRate = -1 }, new RunContext(1, Budget.Smoke)));
    }

    private static List<PropertyInfo> NumericSettings(IExperiment experiment) =>
        ConfigBinder.Settable(experiment.ConfigType).Where(p => Numeric.Contains(p.PropertyType)).ToList();
}

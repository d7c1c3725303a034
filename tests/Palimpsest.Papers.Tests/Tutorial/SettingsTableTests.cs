using Palimpsest.Core.Reporting;
using Palimpsest.Papers.Tutorial;

namespace Palimpsest.Papers.Tests.Tutorial;

public sealed class SettingsTableTests
{
    [Fact]
    public void SettingsShowValuesTheFullBudgetWhereItDiffersAndTheirDocumentation()
    {
        var rows = SettingsTable.Rows(StartHere.Config.Smoke, StartHere.Config.Full);
        var steps = Assert.Single(rows, r => r.Setting == nameof(StartHere.Config.Steps));
        Assert.Equal(StartHere.Config.Smoke.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture), steps.Value);
        Assert.Equal(StartHere.Config.Full.Steps.ToString(System.Globalization.CultureInfo.InvariantCulture), steps.Full);
        Assert.Equal("Optimizer steps.", steps.About);
        var width = Assert.Single(rows, r => r.Setting == nameof(StartHere.Config.Width));
        Assert.Equal("", width.Full);                 // same at both budgets
        Assert.DoesNotContain(rows, r => r.Setting is "Full" or "Smoke" or "EqualityContract");
        Assert.Equal(4, SettingsTable.Frame(StartHere.Config.Full).Columns.Count);
    }
}

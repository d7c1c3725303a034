using Palimpsest.Core.Metrics;

namespace Palimpsest.Core.Tests.Metrics;

public sealed class PValueTests
{
    [Fact]
    public void Log10IsExactAboveTheFloorAndFiniteBelowIt()
    {
        Assert.Equal(-3, PValue.Log10(1e-3), 12);
        Assert.Equal(0, PValue.Log10(1), 12);
        Assert.Equal(-300, PValue.Log10(0), 12);
        Assert.Equal(-300, PValue.Log10(1e-320), 12);
    }
}

using Palimpsest.Core.Experiments;
using Palimpsest.Core.Reporting;

namespace Palimpsest.Core.Tests.Experiments;

public sealed class ConfigCheckTests
{
    private sealed record Sample
    {
        public int Steps { get; init; } = 10;
        public double LearningRate { get; init; } = 0.1;
        public double DropShare { get; init; } = 0.5;
        public int Width { get; init; } = 64;
        public int Heads { get; init; } = 4;
        public int[] Sizes { get; init; } = [1, 2];
        public double[] Fractions { get; init; } = [0.1, 0.5];

        public void Validate()
        {
            ConfigCheck.Count(Steps);
            ConfigCheck.Positive(LearningRate);
            ConfigCheck.Fraction(DropShare);
            ConfigCheck.Transformer(Width, 2, Heads);
            ConfigCheck.EachAtLeast(Sizes, 1);
            ConfigCheck.EachInRange(Fractions, 0, 1, minIncluded: false, maxIncluded: false);
        }
    }

    private static string Rejection(Sample s) => Assert.Throws<ArgumentException>(s.Validate).Message;

    [Fact]
    public void TheDefaultsPass() => new Sample().Validate();

    [Fact]
    public void AMessageNamesTheSettingTheValueAndTheAllowedRange()
    {
        Assert.Equal("setting 'Steps' = 0 is out of range; allowed: an integer >= 1", Rejection(new Sample { Steps = 0 }));
        Assert.Equal("setting 'Steps' = -5 is out of range; allowed: an integer >= 1", Rejection(new Sample { Steps = -5 }));
        Assert.Equal("setting 'LearningRate' = 0 is out of range; allowed: a number > 0", Rejection(new Sample { LearningRate = 0 }));
        Assert.Equal("setting 'DropShare' = 1.5 is out of range; allowed: a number in [0, 1]", Rejection(new Sample { DropShare = 1.5 }));
        Assert.Equal("setting 'Width' = 30 is out of range; allowed: a positive multiple of Heads (4)", Rejection(new Sample { Width = 30 }));
        Assert.Equal("setting 'Heads' = 0 is out of range; allowed: an integer >= 1", Rejection(new Sample { Heads = 0 }));
        Assert.Equal("setting 'Sizes' = [1,-1] is out of range; allowed: a non-empty list of integers >= 1",
            Rejection(new Sample { Sizes = [1, -1] }));
        Assert.Equal("setting 'Fractions' = [0.1,1] is out of range; allowed: a non-empty list of numbers in (0, 1)",
            Rejection(new Sample { Fractions = [0.1, 1] }));
    }

    [Fact]
    public void NotANumberInfinityAndEmptyListsAreRejected()
    {
        Assert.Contains("= NaN", Rejection(new Sample { LearningRate = double.NaN }));
        Assert.Contains("= NaN", Rejection(new Sample { DropShare = double.NaN }));
        Assert.Contains("'LearningRate' = " + double.PositiveInfinity.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Rejection(new Sample { LearningRate = double.PositiveInfinity }));
        Assert.Contains("= []", Rejection(new Sample { Sizes = [] }));
        Assert.Contains("= []", Rejection(new Sample { Fractions = [] }));
        Assert.Contains("= [NaN]", Rejection(new Sample { Fractions = [double.NaN] }));
    }

    [Fact]
    public void BoundsAreInclusiveUnlessToldOtherwise()
    {
        ConfigCheck.Between(3, 1, 3, "x");
        ConfigCheck.AtLeast(0, 0, "x");
        ConfigCheck.Fraction(0, "x");
        ConfigCheck.Fraction(1, "x");
        ConfigCheck.NonNegative(0, "x");
        Assert.Throws<ArgumentException>(() => ConfigCheck.Between(4, 1, 3, "x"));
        Assert.Throws<ArgumentException>(() => ConfigCheck.Positive(0, "x"));
        Assert.Throws<ArgumentException>(() => ConfigCheck.InRange(0.5, 0, 0.5, maxIncluded: false, setting: "x"));
        var e = Assert.Throws<ArgumentException>(() => ConfigCheck.That(false, 7, "fewer than Budget (5)", "Targets"));
        Assert.Equal("setting 'Targets' = 7 is out of range; allowed: fewer than Budget (5)", e.Message);
    }

    [Fact]
    public void AFolderThatCannotBeWrittenFailsTheProbeAndAWritableOneKeepsNoProbe()
    {
        string dir = Directory.CreateTempSubdirectory("palimpsest-probe").FullName;
        try
        {
            string file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "");
            var e = Assert.Throws<IOException>(() => AtomicFile.ProbeFolder(Path.Combine(file, "runs")));
            Assert.Contains(Path.Combine(file, "runs"), e.Message);
            Assert.Contains("--out DIR", e.Message);

            string fresh = Path.Combine(dir, "new", "runs");
            AtomicFile.ProbeFolder(fresh);
            Assert.True(Directory.Exists(fresh));
            Assert.Empty(Directory.EnumerateFileSystemEntries(fresh));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}

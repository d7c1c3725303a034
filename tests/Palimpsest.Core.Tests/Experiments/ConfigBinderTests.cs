using Palimpsest.Core.Experiments;
using Palimpsest.Core.Training;

namespace Palimpsest.Core.Tests.Experiments;

public sealed class ConfigBinderTests
{
    private sealed record Sample
    {
        public int Steps { get; init; } = 10;
        public double LearningRate { get; init; } = 0.1;
        public bool UseCache { get; init; }
        public LrScheduleKind Schedule { get; init; } = LrScheduleKind.Constant;
        public int[] Sizes { get; init; } = [1, 2];
        public string Name { get; init; } = "a";
    }

    [Fact]
    public void AppliesOverridesByNameToACopy()
    {
        var original = new Sample();
        var changed = ConfigBinder.Apply(original,
        [
            ("steps", "200"), ("LearningRate", "0.003"), ("useCache", "true"), ("schedule", "cosine"), ("sizes", "4,8,16"),
            ("name", "b"),
        ]);
        Assert.Equal(200, changed.Steps);
        Assert.Equal(0.003, changed.LearningRate);
        Assert.True(changed.UseCache);
        Assert.Equal(LrScheduleKind.Cosine, changed.Schedule);
        Assert.Equal([4, 8, 16], changed.Sizes);
        Assert.Equal("b", changed.Name);
        Assert.Equal(10, original.Steps); // records are never mutated
    }

    [Fact]
    public void UnknownKeySuggestsTheNearestAndListsAllowed()
    {
        var e = Assert.Throws<ArgumentException>(() => ConfigBinder.Apply(new Sample(), [("stesp", "3")]));
        Assert.Contains("'stesp'", e.Message);
        Assert.Contains("did you mean 'Steps'", e.Message);
        Assert.Contains("LearningRate", e.Message);
    }

    [Theory]
    [InlineData("steps", "ten", "an integer")]
    [InlineData("learningRate", "fast", "a number")]
    [InlineData("useCache", "maybe", "true or false")]
    [InlineData("schedule", "linear", "Cosine")]
    public void TypeMismatchNamesTheExpectedType(string key, string value, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => ConfigBinder.Apply(new Sample(), [(key, value)]));
        Assert.Contains(expected, e.Message);
        Assert.Contains(value, e.Message);
    }

    [Fact]
    public void AssignmentsMustHaveAnEqualsSign()
    {
        Assert.Equal([("a", "1")], ConfigBinder.ParseAssignments(["a=1"]));
        Assert.Throws<ArgumentException>(() => ConfigBinder.ParseAssignments(["a1"]));
    }
}

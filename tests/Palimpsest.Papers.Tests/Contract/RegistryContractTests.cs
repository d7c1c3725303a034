using System.Globalization;
using Palimpsest.Core.Data;
using Palimpsest.Core.Experiments;

namespace Palimpsest.Papers.Tests.Contract;

/// <summary>Checks over the registry: unique slugs, a test class per paper, the README table. (Notebooks: NotebookLintTests.)</summary>
public sealed class RegistryContractTests
{
    public static TheoryData<string> Slugs => new(Registry.Slugs);

    [Fact]
    public void DuplicateSlugsThrow()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            Registry.Build([new Papers.Tutorial.StartHere(), new Papers.Tutorial.StartHere()]));
        Assert.Contains("start-here", e.Message);
    }

    [Fact]
    public void UnknownSlugNamesTheRegisteredOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Registry.Get("start-hear"));
        Assert.Contains("did you mean 'start-here'", e.Message);
        Assert.Contains("registered:", e.Message);
    }

    [Fact]
    public void SelectTakesSlugsAndFamilies()
    {
        Assert.Equal(Registry.All, Registry.Select([]));
        Assert.Equal(["start-here"], Registry.Select([Families.Tutorial]).Select(e => e.Info.Slug));
        Assert.DoesNotContain(Registry.Select(["diffusion"]), e => e.Info.Family != "diffusion");
        Assert.Throws<ArgumentException>(() => Registry.Select(["no-such-thing"]));
    }

    [Theory]
    [MemberData(nameof(Slugs))]
    public void EveryPaperHasATestClassThatInheritsTheContract(string slug)
    {
        var experiment = Registry.Get(slug);
        string className = string.Concat(slug.Split('-').Select(p => char.ToUpper(p[0], CultureInfo.InvariantCulture) + p[1..])) + "Tests";
        var testType = typeof(RegistryContractTests).Assembly.GetTypes().SingleOrDefault(t => t.Name == className);
        Assert.True(testType is not null, $"no test class {className} for '{slug}'");
        var contract = typeof(PaperTests<>).MakeGenericType(experiment.GetType());
        Assert.True(contract.IsAssignableFrom(testType), $"{className} must derive from PaperTests<{experiment.GetType().Name}>");
    }

    [Fact]
    public void ReadmePaperTableIsCurrent()
    {
        string readme = File.ReadAllText(RepoPaths.Under("README.md"));
        const string begin = "<!-- papers:begin -->", end = "<!-- papers:end -->";
        int a = readme.IndexOf(begin, StringComparison.Ordinal), b = readme.IndexOf(end, StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a, "README.md lacks the papers:begin/papers:end markers");
        string table = readme[(a + begin.Length)..b].Trim().ReplaceLineEndings("\n");
        string expected = Cli.Runner.Capture("list", "--markdown").Output.Trim();
        Assert.True(expected == table,
            $"README's paper table is stale; replace it with the output of 'palimpsest list --markdown':\n{expected}");
    }

    [Fact]
    public void TheTutorialComesFirstThenThePapersAlphabetically()
    {
        Assert.True(Registry.All[0].Info.IsTutorial);
        var slugs = Registry.Papers.Select(e => e.Info.Slug).ToList();
        Assert.Equal(slugs.Order(StringComparer.Ordinal), slugs);
    }
}

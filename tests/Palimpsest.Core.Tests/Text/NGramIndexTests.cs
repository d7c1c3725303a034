using Palimpsest.Core.Text;

namespace Palimpsest.Core.Tests.Text;

/// <summary>The n-gram index on a tiny corpus with hand-counted n-grams, and against a brute-force set.</summary>
public sealed class NGramIndexTests
{
    // Bigrams: doc 0 → (1,2) (2,3) (3,4); doc 1 → (2,3) (3,5); doc 2 is shorter than 2 → none.
    // Distinct: (1,2) (2,3) (3,4) (3,5) → 4. No bigram spans documents, so (4,2) is absent.
    private static readonly int[][] Corpus = [[1, 2, 3, 4], [2, 3, 5], [9]];

    [Fact]
    public void CountsAndContainsDistinctNGrams()
    {
        var index = new NGramIndex(Corpus, 2);
        Assert.Equal(2, index.N);
        Assert.Equal(4, index.Count);
        Assert.True(index.Contains([2, 3]));
        Assert.True(index.Contains([3, 5]));
        Assert.False(index.Contains([3, 2]));
        Assert.False(index.Contains([4, 2])); // would span documents 0 and 1

        // Unigrams: {1, 2, 3, 4, 5, 9} → 6. Trigrams: (1,2,3) (2,3,4) (2,3,5) → 3. No 5-gram fits any document.
        Assert.Equal(6, new NGramIndex(Corpus, 1).Count);
        Assert.Equal(3, new NGramIndex(Corpus, 3).Count);
        Assert.Equal(0, new NGramIndex(Corpus, 5).Count);
    }

    [Fact]
    public void CoverageIsTheShareOfWindowsFound()
    {
        var index = new NGramIndex(Corpus, 2);
        // [1,2,3,5,7]: (1,2) yes, (2,3) yes, (3,5) yes, (5,7) no → 3/4.
        Assert.Equal(0.75, index.Coverage([1, 2, 3, 5, 7]));
        // [2,3,2,3]: (2,3) yes, (3,2) no, (2,3) yes → 2/3 (a repeated bigram counts at each position).
        Assert.Equal(2.0 / 3, index.Coverage([2, 3, 2, 3]), 12);
        Assert.Equal(1.0, index.Coverage([1, 2, 3, 4]));
        Assert.Equal(0.0, index.Coverage([7, 8]));
        Assert.Equal(0.0, index.Coverage([1])); // shorter than N: no windows
        Assert.Equal(0.0, index.Coverage([]));
    }

    [Fact]
    public void OverlapsFlagsAnySharedNGram()
    {
        var index = new NGramIndex(Corpus, 2);
        Assert.True(index.Overlaps([7, 3, 4]));  // (3,4)
        Assert.False(index.Overlaps([7, 8, 9])); // (7,8) (8,9) both absent
        Assert.False(index.Overlaps([4, 2]));    // spans documents in the corpus, so absent
        Assert.False(index.Overlaps([2]));       // shorter than N
    }

    [Fact]
    public void MatchesABruteForceSetOfTuples()
    {
        var random = new Random(7);
        var corpus = Enumerable.Range(0, 30)
            .Select(_ => (IReadOnlyList<int>)Enumerable.Range(0, random.Next(0, 12)).Select(_ => random.Next(-6, 6)).ToArray())
            .ToList();
        var expected = corpus
            .SelectMany(d => Enumerable.Range(0, Math.Max(0, d.Count - 2)).Select(i => (d[i], d[i + 1], d[i + 2])))
            .ToHashSet();
        var index = new NGramIndex(corpus, 3);
        Assert.Equal(expected.Count, index.Count);
        for (int a = -6; a < 6; a++)
            for (int b = -6; b < 6; b++)
                for (int c = -6; c < 6; c++)
                    Assert.Equal(expected.Contains((a, b, c)), index.Contains([a, b, c]));
    }

    [Fact]
    public void Errors_NameTheBadValue()
    {
        var n = Assert.Throws<ArgumentOutOfRangeException>(() => new NGramIndex(Corpus, 0));
        Assert.Equal("n", n.ParamName);
        Assert.Contains("0", n.Message);
        var gram = Assert.Throws<ArgumentException>(() => new NGramIndex(Corpus, 2).Contains([1, 2, 3]));
        Assert.Equal("gram", gram.ParamName);
        Assert.Contains("3 tokens", gram.Message);
        Assert.Throws<ArgumentNullException>(() => new NGramIndex(null!, 2));
        Assert.Throws<ArgumentNullException>(() => new NGramIndex([[1, 2], null!], 2));
    }
}

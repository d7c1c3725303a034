using Palimpsest.Core.Text;

namespace Palimpsest.Core.Tests.Text;

/// <summary>LCS, ROUGE-L and token edit distance against hand-computed values.</summary>
public sealed class TextOverlapTests
{
    private static int[] Chars(string s) => s.Select(c => (int)c).ToArray();

    [Fact]
    public void LongestCommonSubsequenceAndRougeL_ByHand()
    {
        int[] candidate = [1, 2, 3, 4, 5], reference = [2, 4, 5, 6];
        // LCS = [2, 4, 5] → 3.
        Assert.Equal(3, TextOverlap.LongestCommonSubsequence(candidate, reference));
        Assert.Equal(3, TextOverlap.LongestCommonSubsequence(reference, candidate));
        // P = 3/5 = 0.6, R = 3/4 = 0.75, F1 = 2 * 0.6 * 0.75 / (0.6 + 0.75) = 0.9 / 1.35 = 2/3.
        Assert.Equal(2.0 / 3, TextOverlap.RougeL(candidate, reference), 12);
        // Swapping candidate and reference swaps P and R, so F1 is unchanged.
        Assert.Equal(2.0 / 3, TextOverlap.RougeL(reference, candidate), 12);
        // Repeats count once per match: LCS([1, 1, 2], [1, 2, 1]) = [1, 2] or [1, 1] → 2, F1 = 2/3 as P = R = 2/3.
        Assert.Equal(2, TextOverlap.LongestCommonSubsequence([1, 1, 2], [1, 2, 1]));
        Assert.Equal(2.0 / 3, TextOverlap.RougeL([1, 1, 2], [1, 2, 1]), 12);
    }

    [Fact]
    public void RougeL_IdenticalIsOne_DisjointOrEmptyIsZero()
    {
        Assert.Equal(1.0, TextOverlap.RougeL([7, 8, 9], [7, 8, 9]));
        Assert.Equal(0.0, TextOverlap.RougeL([1, 2], [3, 4]));
        Assert.Equal(0.0, TextOverlap.RougeL([], [3, 4]));
        Assert.Equal(0.0, TextOverlap.RougeL([1, 2], []));
        Assert.Equal(0.0, TextOverlap.RougeL([], []));
        Assert.Equal(0, TextOverlap.LongestCommonSubsequence([], [1]));
    }

    [Fact]
    public void EditDistance_KittenSittingIsThree()
    {
        // kitten → sitten (k→s) → sittin (e→i) → sitting (+g): 3 edits.
        Assert.Equal(3, TextOverlap.EditDistance(Chars("kitten"), Chars("sitting")));
        Assert.Equal(3, TextOverlap.EditDistance(Chars("sitting"), Chars("kitten")));
        // Normalised by the longer length, 7: 3/7.
        Assert.Equal(3.0 / 7, TextOverlap.NormalizedEditDistance(Chars("kitten"), Chars("sitting")), 12);
        // [1, 2, 3] → [3, 2, 1]: substitute the ends, 2 edits.
        Assert.Equal(2, TextOverlap.EditDistance([1, 2, 3], [3, 2, 1]));
        // [1, 2, 3, 4] → [2, 3, 4, 5]: delete 1, insert 5, 2 edits (4 substitutions would cost more).
        Assert.Equal(2, TextOverlap.EditDistance([1, 2, 3, 4], [2, 3, 4, 5]));
    }

    [Fact]
    public void EditDistance_IdenticalAndEmpty()
    {
        Assert.Equal(0, TextOverlap.EditDistance([4, 5, 6], [4, 5, 6]));
        Assert.Equal(0.0, TextOverlap.NormalizedEditDistance([4, 5, 6], [4, 5, 6]));
        Assert.Equal(3, TextOverlap.EditDistance([], [4, 5, 6])); // three insertions
        Assert.Equal(2, TextOverlap.EditDistance([4, 5], []));   // two deletions
        Assert.Equal(0, TextOverlap.EditDistance([], []));
        Assert.Equal(1.0, TextOverlap.NormalizedEditDistance([], [4, 5]));
        Assert.Equal(0.0, TextOverlap.NormalizedEditDistance([], []));
    }

    [Fact]
    public void NullSequencesThrow()
    {
        Assert.Equal("a", Assert.Throws<ArgumentNullException>(
            () => TextOverlap.LongestCommonSubsequence(null!, [1])).ParamName);
        Assert.Equal("b", Assert.Throws<ArgumentNullException>(() => TextOverlap.EditDistance([1], null!)).ParamName);
        Assert.Throws<ArgumentNullException>(() => TextOverlap.RougeL([1], null!));
        Assert.Throws<ArgumentNullException>(() => TextOverlap.NormalizedEditDistance(null!, [1]));
    }
}

using Palimpsest.Core.Models;
using Palimpsest.Core.Text;

namespace Palimpsest.Core.Tests.Text;

public sealed class TokenizerTests
{
    [Fact]
    public void WordTokenizerRoundTripsAndSeparatesPunctuation()
    {
        var tok = WordTokenizer.FromTexts(["the fox eats the apple ."]);
        Assert.Equal(4 + 5, tok.VocabSize);
        var ids = tok.Encode("the fox eats.");
        Assert.Equal(WordTokenizer.Bos, ids[0]);
        Assert.Equal(WordTokenizer.Eos, ids[^1]);
        Assert.Equal("the fox eats.", tok.Decode(ids));
        var e = Assert.Throws<ArgumentException>(() => tok.Encode("the wolf"));
        Assert.Contains("'wolf'", e.Message);
        Assert.Equal(WordTokenizer.Unk, tok.Encode("wolf", false, false, allowUnknown: true)[0]);
    }

    [Fact]
    public void CharTokenizerRoundTripsAndNamesUnknownCharacters()
    {
        var tok = new CharTokenizer("abc ");
        Assert.Equal(7, tok.VocabSize);
        Assert.Equal("ab ca", tok.Decode(tok.Encode("ab ca")));
        var e = Assert.Throws<ArgumentException>(() => tok.Encode("abd"));
        Assert.Contains("'d'", e.Message);
    }

    [Fact]
    public void UnigramModelIsSmoothedFrequency()
    {
        // Predicted tokens: 5, 5, 6 out of a 8-token vocabulary with ids 0,1 never predicted.
        var model = new UnigramModel([[1, 5, 5], [1, 6]], 8, [0, 1]);
        double total = 3 + 6; // counts + one per supported id (6 ids)
        Assert.Equal(Math.Log(3 / total), model.LogProb(5), 12);
        Assert.Equal(Math.Log(1 / total), model.LogProb(7), 12);
        Assert.True(double.IsNegativeInfinity(model.LogProb(0)));
        Assert.Equal(-(2 * Math.Log(3 / total) + Math.Log(2 / total)) / 3, model.MeanNll([[1, 5, 5], [1, 6]]), 12);
    }
}

using Palimpsest.Core.Metrics;
using Palimpsest.Core.Randomness;
using Xunit;

namespace Palimpsest.Core.Tests.Metrics;

/// <summary>Pearson and Spearman against scipy 1.10 (golden/make_golden.py), plus permutation and null behaviour.</summary>
public class CorrelationTests
{
    // Inputs: copied verbatim from golden/make_golden.py.
    private static readonly double[] X = [1.2, 2.4, 2.4, 3.1, 4.8, 5.0, 5.0, 5.0, 6.3, 7.7, 8.1, 9.4];
    private static readonly double[] Y = [2.0, 1.9, 3.5, 3.5, 4.1, 6.2, 5.5, 5.5, 7.0, 6.8, 9.9, 8.8];
    private static readonly double[] U = [0.3, 1.1, 1.9, 2.2, 2.8, 3.5, 4.0, 4.4, 5.1, 5.9];
    private static readonly double[] V = [2.5, 2.9, 1.0, 2.2, 2.2, 0.4, 1.7, 0.9, 2.2, 0.1];

    // golden: CorrelationTests
    private static readonly double[] Ranks_X_Expected = [1.0, 2.5, 2.5, 4.0, 5.0, 7.0, 7.0, 7.0, 9.0, 10.0, 11.0, 12.0];
    private const double Pearson_XY_R = 0.9421993524999553;
    private const double Pearson_XY_P = 4.609035226302746e-06;
    private const double Pearson_XY_PLess = 0.9999976954823868;
    private const double Spearman_XY_Rho = 0.9646153678432167;
    private const double Spearman_XY_P = 4.11659135263728e-07;
    private const double Spearman_XY_PLess = 0.9999997941704324;
    private const double Spearman_XY_PGreater = 2.05829567631864e-07;
    private const double Pearson_UV_R = -0.6171137914476676;
    private const double Pearson_UV_P = 0.05734087996642485;
    private const double Pearson_UV_PLess = 0.028670439983212424;
    private const double Spearman_UV_Rho = -0.6687619998624351;
    private const double Spearman_UV_P = 0.0344851886232837;
    private const double Spearman_UV_PLess = 0.01724259431164185;
    private const double Spearman_UV_PGreater = 0.9827574056883581;
    private const double Permutation8_Rho = -0.730552019767088;
    private const double Permutation8_ExactP = 0.04672619047619048;
    private const double Permutation8_ExactPLess = 0.02336309523809524;
    // end golden

    private static void AssertClose(double expected, double actual, double relativeTolerance = 1e-9)
    {
        double allowed = relativeTolerance * Math.Max(Math.Abs(expected), 1e-300);
        Assert.True(Math.Abs(expected - actual) <= allowed,
            $"expected {expected:R}, got {actual:R} (relative tolerance {relativeTolerance})");
    }

    [Fact]
    public void Ranks_AverageTies_MatchScipyRankdata()
    {
        Assert.Equal(Ranks_X_Expected, Correlation.Ranks(X));
    }

    [Fact]
    public void Pearson_MatchesScipy()
    {
        var xy = Correlation.Pearson(X, Y);
        AssertClose(Pearson_XY_R, xy.Coefficient, 1e-12);
        AssertClose(Pearson_XY_P, xy.PValue);
        AssertClose(Pearson_XY_PLess, Correlation.Pearson(X, Y, Alternative.Less).PValue);
        Assert.Equal(12, xy.N);

        var uv = Correlation.Pearson(U, V);
        AssertClose(Pearson_UV_R, uv.Coefficient, 1e-12);
        AssertClose(Pearson_UV_P, uv.PValue);
        AssertClose(Pearson_UV_PLess, Correlation.Pearson(U, V, Alternative.Less).PValue);
    }

    [Fact]
    public void Spearman_WithTies_MatchesScipy()
    {
        var xy = Correlation.Spearman(X, Y);
        AssertClose(Spearman_XY_Rho, xy.Coefficient, 1e-12);
        AssertClose(Spearman_XY_P, xy.PValue);
        AssertClose(Spearman_XY_PLess, Correlation.Spearman(X, Y, Alternative.Less).PValue);
        AssertClose(Spearman_XY_PGreater, Correlation.Spearman(X, Y, Alternative.Greater).PValue);
    }

    [Fact]
    public void Spearman_OneSidedLess_MatchesScipyForNegativeAssociation()
    {
        var less = Correlation.Spearman(U, V, Alternative.Less);
        AssertClose(Spearman_UV_Rho, less.Coefficient, 1e-12);
        AssertClose(Spearman_UV_PLess, less.PValue);
        Assert.Equal(Alternative.Less, less.Alternative);
        AssertClose(Spearman_UV_P, Correlation.Spearman(U, V).PValue);
        AssertClose(Spearman_UV_PGreater, Correlation.Spearman(U, V, Alternative.Greater).PValue);
    }

    [Fact]
    public void Spearman_PerfectMonotone_HasRhoOneAndPZero()
    {
        double[] x = [1, 2, 3, 4, 5, 6];
        double[] y = [1, 4, 9, 16, 25, 36];
        var r = Correlation.Spearman(x, y);
        Assert.Equal(1.0, r.Coefficient);
        Assert.Equal(0.0, r.PValue);
        Assert.Equal(1.0, Correlation.Spearman(x, y, Alternative.Less).PValue);
    }

    [Fact]
    public void ConstantInput_GivesNaN_NotAnError()
    {
        double[] x = [1, 2, 3, 4];
        double[] constant = [5, 5, 5, 5];
        Assert.True(double.IsNaN(Correlation.Pearson(x, constant).Coefficient));
        Assert.True(double.IsNaN(Correlation.Spearman(x, constant).PValue));
        Assert.True(double.IsNaN(Correlation.SpearmanPermutation(x, constant, new Rng(1), 10).PValue));
    }

    [Fact]
    public void SpearmanPermutation_MatchesExactPermutationP()
    {
        double[] w = U[..8], z = V[..8];
        var twoSided = Correlation.SpearmanPermutation(w, z, new Rng(7), 20_000);
        var less = Correlation.SpearmanPermutation(w, z, new Rng(8), 20_000, Alternative.Less);
        AssertClose(Permutation8_Rho, twoSided.Coefficient, 1e-12);
        // Monte Carlo standard error at p = 0.047 with 20,000 draws is 0.0015; allow about 4 of them.
        Assert.InRange(twoSided.PValue, Permutation8_ExactP - 0.006, Permutation8_ExactP + 0.006);
        Assert.InRange(less.PValue, Permutation8_ExactPLess - 0.005, Permutation8_ExactPLess + 0.005);
    }

    [Fact]
    public void SpearmanPermutation_IsDeterministic_AndNeverZero()
    {
        double[] x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        double[] y = [2, 4, 6, 8, 10, 12, 14, 16, 18, 20];
        var a = Correlation.SpearmanPermutation(x, y, new Rng(42), 99);
        var b = Correlation.SpearmanPermutation(x, y, new Rng(42), 99);
        Assert.Equal(a, b);
        Assert.Equal(1.0 / 100, a.PValue, 15); // no permutation beats a perfect rho: only the +1 counts
    }

    [Fact]
    public void SpearmanPValues_OnPureNoise_AreRoughlyUniform()
    {
        var rng = new Rng(2024);
        int repeats = 400, n = 50, belowTwoSided = 0, belowLess = 0;
        for (int r = 0; r < repeats; r++)
        {
            var x = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++) { x[i] = rng.NextGaussian(); y[i] = rng.NextGaussian(); }
            if (Correlation.Spearman(x, y).PValue < 0.05) belowTwoSided++;
            if (Correlation.Spearman(x, y, Alternative.Less).PValue < 0.05) belowLess++;
        }
        Assert.InRange(belowTwoSided / (double)repeats, 0.02, 0.09);
        Assert.InRange(belowLess / (double)repeats, 0.02, 0.09);
    }

    [Fact]
    public void SpearmanPValues_OnCorrelatedData_AreSmall()
    {
        // The control for the null test: a real association must be detected, so a test that always says
        // "uniform" cannot pass both.
        var rng = new Rng(99);
        int n = 50, detected = 0;
        for (int r = 0; r < 50; r++)
        {
            var x = new double[n];
            var y = new double[n];
            for (int i = 0; i < n; i++) { x[i] = rng.NextGaussian(); y[i] = -x[i] + 0.5 * rng.NextGaussian(); }
            if (Correlation.Spearman(x, y, Alternative.Less).PValue < 0.05) detected++;
        }
        Assert.Equal(50, detected);
    }

    [Fact]
    public void Errors_NameTheBadValue()
    {
        var lengths = Assert.Throws<ArgumentException>(() => Correlation.Spearman(X, Y[..11]));
        Assert.Contains("12", lengths.Message);
        Assert.Contains("11", lengths.Message);

        var tooFew = Assert.Throws<ArgumentException>(() => Correlation.Pearson([1.0, 2.0], [3.0, 4.0]));
        Assert.Contains("2 pairs", tooFew.Message);

        var nan = Assert.Throws<ArgumentException>(() => Correlation.Spearman([1.0, 2.0, double.NaN], [1.0, 2.0, 3.0]));
        Assert.Contains("x[2]", nan.Message);

        var infinite = Assert.Throws<ArgumentException>(
            () => Correlation.Pearson([1.0, 2.0, 3.0], [1.0, double.PositiveInfinity, 3.0]));
        Assert.Contains("y[1]", infinite.Message);

        var perms = Assert.Throws<ArgumentOutOfRangeException>(() => Correlation.SpearmanPermutation(X, Y, new Rng(1), 0));
        Assert.Equal("permutations", perms.ParamName);
    }
}

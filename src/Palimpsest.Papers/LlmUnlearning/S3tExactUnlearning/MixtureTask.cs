using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// S3T's toy data: classes are Gaussian blobs (unit variance) around means drawn from N(0, separation²) in a latent
/// space, and a point is seen only through a fixed random nonlinear map x = tanh(W₂ tanh(W₁ z)). The main task and the
/// auxiliary task that pretrains the base share the latent space, the noise and the map but draw their class means
/// independently: a base that learned to undo the map is useful for the main task, yet its head is not.
/// </summary>
public sealed class MixtureTask
{
    private readonly double[][] _mainMeans;     // [class][latent]
    private readonly double[][] _auxiliaryMeans;
    private readonly double[][] _w1;            // [input][latent]
    private readonly double[][] _w2;            // [input][input]

    /// <summary>Points drawn from one task: row-major features [count × dim] and class labels.</summary>
    public sealed record Samples(float[] X, int[] Y, int Dim)
    {
        /// <summary>Number of points.</summary>
        public int Count => Y.Length;

        /// <summary>
        /// Accuracy of an ensemble on these points: the share whose label is the most probable class of the summed
        /// probability tables (each row-major [count × classes], one per member).
        /// </summary>
        public double Accuracy(IEnumerable<float[]> tables) => Correct(tables).Average();

        /// <summary>
        /// Per point, 1 when its label is the most probable class of the summed probability tables (each row-major
        /// [count × classes], one per member), else 0: the items behind <see cref="Accuracy"/>.
        /// </summary>
        public double[] Correct(IEnumerable<float[]> tables)
        {
            float[]? sum = null;
            foreach (var t in tables)
            {
                sum ??= new float[t.Length];
                for (int i = 0; i < t.Length; i++) sum[i] += t[i];
            }
            if (sum is null) throw new ArgumentException("no probability tables", nameof(tables));
            int classes = sum.Length / Count;
            var correct = new double[Count];
            for (int i = 0; i < Count; i++)
            {
                int argmax = 0;
                for (int c = 1; c < classes; c++) if (sum[i * classes + c] > sum[i * classes + argmax]) argmax = c;
                correct[i] = argmax == Y[i] ? 1 : 0;
            }
            return correct;
        }
    }

    /// <summary>Latent dimension.</summary>
    public int LatentDim { get; }
    /// <summary>Observed dimension.</summary>
    public int InputDim { get; }
    /// <summary>Number of classes of both tasks.</summary>
    public int Classes { get; }

    /// <summary>Draws the class means of both tasks and the map (W₁ ~ N(0, 1/latent), W₂ ~ N(0, 1/input)).</summary>
    public MixtureTask(int latentDim, int inputDim, int classes, double separation, Rng rng)
    {
        if (latentDim < 1 || inputDim < latentDim || classes < 2 || !(separation > 0))
            throw new ArgumentException("need latent ≥ 1, input ≥ latent, classes ≥ 2 and separation > 0; " +
                $"got {latentDim}, {inputDim}, {classes}, {separation}");
        LatentDim = latentDim;
        InputDim = inputDim;
        Classes = classes;
        double[][] Gaussian(int rows, int columns, double std) =>
            Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, columns).Select(_ => rng.NextGaussian() * std).ToArray()).ToArray();
        _mainMeans = Gaussian(classes, latentDim, separation);
        _auxiliaryMeans = Gaussian(classes, latentDim, separation);
        _w1 = Gaussian(inputDim, latentDim, 1 / Math.Sqrt(latentDim));
        _w2 = Gaussian(inputDim, inputDim, 1 / Math.Sqrt(inputDim));
    }

    /// <summary><paramref name="count"/> points with uniformly random classes of the main or the auxiliary task.</summary>
    public Samples Sample(int count, bool auxiliary, Rng rng)
    {
        var means = auxiliary ? _auxiliaryMeans : _mainMeans;
        var x = new float[count * InputDim];
        var y = new int[count];
        var z = new double[LatentDim];
        var h = new double[InputDim];
        for (int i = 0; i < count; i++)
        {
            y[i] = rng.NextInt(Classes);
            for (int d = 0; d < LatentDim; d++) z[d] = means[y[i]][d] + rng.NextGaussian();
            for (int r = 0; r < InputDim; r++) h[r] = Math.Tanh(Dot(_w1[r], z));
            for (int r = 0; r < InputDim; r++) x[i * InputDim + r] = (float)Math.Tanh(Dot(_w2[r], h));
        }
        return new Samples(x, y, InputDim);
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }
}

using Palimpsest.Core.Randomness;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// The NPO paper's synthetic experiment (section 4), in plain arithmetic (no tensors: 128 weights, full-batch gradient
/// descent). Forget and retain sets are Gaussian-logistic: x ~ N(μ, I₁₆), P(y = 1 | x) = σ((x − μ)·θ* ± 1) with
/// θ*_f = −θ*_r = 1/√16, μ_f = −μ_r = α·1. The model is a random-feature classifier π(y = 1 | x) = σ(θ·ReLU(Wx)) with W
/// fixed (entries N(0, 1/d)) and θ ∈ ℝ¹²⁸ trained. The initial model fits forget ∪ retain, the retrained model the
/// retain set only; unlearning runs gradient descent on each method's loss from the initial model and tracks the
/// forget and retain distances, the mean KL(π_retr ‖ π) on fresh forget-distributed and retain-distributed points.
/// </summary>
public sealed class RandomFeatureUnlearning
{
    /// <summary>The methods of the paper's figure 4.</summary>
    public static readonly string[] Methods = ["GA", "GA+RT", "IDK+RT", "DPO+RT", "NPO", "NPO+RT"];

    /// <summary>One method's trajectory: step, forget distance, retain distance (nats).</summary>
    public sealed record Trajectory(string Method, IReadOnlyList<int> Steps, IReadOnlyList<double> ForgetDistance,
        IReadOnlyList<double> RetainDistance);

    private readonly int _features;
    private readonly double[][] _w;
    private readonly (double[] Phi, int Y)[] _forget, _retain;
    private readonly double[][] _forgetEval, _retainEval;
    private readonly int[] _coinLabels;   // Bern(0.5) labels of IDK+RT and DPO+RT, one per forget point
    private readonly double[] _initial, _retrained;

    /// <summary>Draws the data and fits the initial and retrained models.</summary>
    public RandomFeatureUnlearning(Rng rng, int dimension = 16, int features = 128, int forgetCount = 200, int retainCount = 1000,
        double alpha = 1.0, int evalCount = 1000, int fitSteps = 5000, double fitLearningRate = 0.05)
    {
        _features = features;
        _w = Enumerable.Range(0, features).Select(_ => Enumerable.Range(0, dimension)
            .Select(_ => rng.NextGaussian() / Math.Sqrt(dimension)).ToArray()).ToArray();
        double t = 1 / Math.Sqrt(dimension);
        (double[] X, int Y) Draw(double mean, double theta, double shift)
        {
            var x = Enumerable.Range(0, dimension).Select(_ => mean + rng.NextGaussian()).ToArray();
            double z = x.Sum(v => (v - mean) * theta) + shift;
            return (x, rng.NextBool(Sigmoid(z)) ? 1 : 0);
        }
        _forget = Enumerable.Range(0, forgetCount).Select(_ => Draw(alpha, t, 1)).Select(p => (Phi(p.X), p.Y)).ToArray();
        _retain = Enumerable.Range(0, retainCount).Select(_ => Draw(-alpha, -t, -1)).Select(p => (Phi(p.X), p.Y)).ToArray();
        _forgetEval = Enumerable.Range(0, evalCount).Select(_ => Phi(Draw(alpha, t, 1).X)).ToArray();
        _retainEval = Enumerable.Range(0, evalCount).Select(_ => Phi(Draw(-alpha, -t, -1).X)).ToArray();
        _coinLabels = _forget.Select(_ => rng.NextBool() ? 1 : 0).ToArray();
        _initial = Fit(_forget.Concat(_retain).ToArray(), fitSteps, fitLearningRate);
        _retrained = Fit(_retain, fitSteps, fitLearningRate);
    }

    /// <summary>Forget and retain distances of the initial (not unlearned) model: the control.</summary>
    public (double Forget, double Retain) InitialDistances => (Distance(_initial, _forgetEval), Distance(_initial, _retainEval));

    /// <summary>Share of forget labels that are 1 (the paper's shift makes them mostly 1) and of retain labels.</summary>
    public (double Forget, double Retain) PositiveShares => (_forget.Average(p => p.Y), _retain.Average(p => p.Y));

    /// <summary>Gradient descent on one method's loss from the initial model, logging distances every <paramref name="every"/> steps.</summary>
    public Trajectory Unlearn(string method, int steps, double learningRate, double beta, int every)
    {
        var stepsLog = new List<int>(); var forgetLog = new List<double>(); var retainLog = new List<double>();
        void Log(int s, double[] theta) { stepsLog.Add(s); forgetLog.Add(Distance(theta, _forgetEval)); retainLog.Add(Distance(theta, _retainEval)); }
        Descend(method, steps, learningRate, beta, (s, theta) => { if (s % every == 0 || s == steps) Log(s, theta); });
        return new Trajectory(method, stepsLog, forgetLog, retainLog);
    }

    /// <summary>
    /// The items behind the retain distance after <paramref name="steps"/> steps of one method: per retain evaluation
    /// point, KL(π_retr(·|x) ‖ π_θ(·|x)) in nats. Their mean is the trajectory's retain distance at that step.
    /// </summary>
    public double[] RetainPointDistances(string method, int steps, double learningRate, double beta)
    {
        double[] last = _initial;
        Descend(method, steps, learningRate, beta, (s, theta) => { if (s == steps) last = (double[])theta.Clone(); });
        return _retainEval.Select(phi => PointDistance(last, phi)).ToArray();
    }

    /// <summary>Full-batch gradient descent from the initial model; <paramref name="visit"/> sees θ at step 0 and after every step.</summary>
    private void Descend(string method, int steps, double learningRate, double beta, Action<int, double[]> visit)
    {
        if (!Methods.Contains(method)) throw new ArgumentException($"unknown method '{method}'; allowed: {string.Join(", ", Methods)}");
        var theta = (double[])_initial.Clone();
        visit(0, theta);
        var grad = new double[_features];
        for (int s = 1; s <= steps; s++)
        {
            Array.Clear(grad);
            for (int i = 0; i < _forget.Length; i++)
            {
                var (phi, y) = _forget[i];
                double p = Sigmoid(Dot(theta, phi));
                // d/dθ log π(y|x) = (y − p)·φ; each loss's gradient is a weight on it (per forget point).
                double weight = method switch
                {
                    "GA" or "GA+RT" => 1.0,                                         // minimise log π(y|x)
                    "NPO" or "NPO+RT" => 2 * Sigmoid(beta * (LogLik(theta, phi, y) - LogLik(_initial, phi, y))),
                    "IDK+RT" => 0.0,
                    "DPO+RT" => 0.0,
                    _ => throw new InvalidOperationException(method),
                };
                double coef = weight * (y - p);
                if (method == "IDK+RT") coef = -(_coinLabels[i] - p);          // cross-entropy towards a coin-flip label
                if (method == "DPO+RT" && _coinLabels[i] != y)
                {
                    // −(2/β) log σ(β[(Δ_w) − (Δ_l)]) with preferred label w = coin, dispreferred l = y; ∇(Δ_w − Δ_l) = (w − l)·φ.
                    double u = LogLik(theta, phi, _coinLabels[i]) - LogLik(_initial, phi, _coinLabels[i])
                        - LogLik(theta, phi, y) + LogLik(_initial, phi, y);
                    coef = -2 * Sigmoid(-beta * u) * (_coinLabels[i] - y);
                }
                for (int k = 0; k < _features; k++) grad[k] += coef * phi[k] / _forget.Length;
            }
            if (method.EndsWith("+RT"))
                foreach (var (phi, y) in _retain)
                {
                    double coef = -(y - Sigmoid(Dot(theta, phi))) / _retain.Length;
                    for (int k = 0; k < _features; k++) grad[k] += coef * phi[k];
                }
            for (int k = 0; k < _features; k++) theta[k] -= learningRate * grad[k];
            visit(s, theta);
        }
    }

    private double[] Phi(double[] x) =>
        _w.Select(row => Math.Max(0, row.Zip(x, (a, b) => a * b).Sum())).ToArray();

    private double[] Fit((double[] Phi, int Y)[] data, int steps, double learningRate)
    {
        var theta = new double[_features];
        var grad = new double[_features];
        for (int s = 0; s < steps; s++)
        {
            Array.Clear(grad);
            foreach (var (phi, y) in data)
            {
                double coef = -(y - Sigmoid(Dot(theta, phi))) / data.Length;
                for (int k = 0; k < _features; k++) grad[k] += coef * phi[k];
            }
            for (int k = 0; k < _features; k++) theta[k] -= learningRate * grad[k];
        }
        return theta;
    }

    /// <summary>Mean KL(π_retr(·|x) ‖ π_θ(·|x)) of the Bernoulli predictions over the points, in nats.</summary>
    private double Distance(double[] theta, double[][] points) => points.Average(phi => PointDistance(theta, phi));

    private double PointDistance(double[] theta, double[] phi) => BernoulliKl(Sigmoid(Dot(_retrained, phi)), Sigmoid(Dot(theta, phi)));

    private static double BernoulliKl(double p, double q)
    {
        const double eps = 1e-12;
        q = Math.Clamp(q, eps, 1 - eps);
        p = Math.Clamp(p, eps, 1 - eps);
        return p * Math.Log(p / q) + (1 - p) * Math.Log((1 - p) / (1 - q));
    }

    private static double LogLik(double[] theta, double[] phi, int y)
    {
        double z = Dot(theta, phi);
        return y == 1 ? -Softplus(-z) : -Softplus(z);
    }

    private static double Softplus(double z) => z > 30 ? z : Math.Log(1 + Math.Exp(z));
    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
    private static double Dot(double[] a, double[] b) { double s = 0; for (int i = 0; i < a.Length; i++) s += a[i] * b[i]; return s; }
}

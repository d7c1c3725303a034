using Palimpsest.Core.Models;
using Palimpsest.Core.Randomness;
using Palimpsest.Core.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Palimpsest.Papers.LlmUnlearning;

/// <summary>
/// S3T's toy model: a ReLU MLP whose layers are <see cref="LoraLinear"/> (a frozen base with a rank-r adapter each),
/// then a linear classification head. As in S3T's code, the head (its <c>classifier</c>) is trained with every slice,
/// while each adapter is trained at one step only.
/// </summary>
public sealed class AdapterMlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<LoraLinear> layers;
    private readonly Linear head;

    /// <summary>Builds <paramref name="depth"/> layers (input → width → … → width) and a head, drawn from <paramref name="init"/>.</summary>
    public AdapterMlp(int inputDim, int width, int depth, int classes, int rank, double alpha, Generator init) : base(nameof(AdapterMlp))
    {
        layers = nn.ModuleList(Enumerable.Range(0, depth)
            .Select(i => new LoraLinear(i == 0 ? inputDim : width, width, rank, alpha, init)).ToArray());
        head = nn.Linear(width, classes);
        RegisterComponents();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double bound = 1.0 / Math.Sqrt(width);
        using var range = (2 * bound).ToScalar();
        using var lower = bound.ToScalar();
        head.weight!.copy_(rand([classes, width], generator: init) * range - lower);
        head.bias!.copy_(rand([classes], generator: init) * range - lower);
    }

    /// <summary>The layers, bottom (input) first.</summary>
    public IReadOnlyList<LoraLinear> Layers => layers.ToList();

    /// <summary>The head's weight and bias.</summary>
    public IReadOnlyList<Parameter> HeadParameters => [head.weight!, head.bias!];

    /// <summary>The head's weight then bias, as floats.</summary>
    public float[] GetHead()
    {
        using var scope = NewDisposeScope();
        using var w = head.weight!.detach().cpu().contiguous().data<float>();
        using var b = head.bias!.detach().cpu().contiguous().data<float>();
        return [.. w.ToArray(), .. b.ToArray()];
    }

    /// <summary>Copies every layer's base weights from <paramref name="source"/> (adapters and head stay as they are).</summary>
    public void CopyBaseFrom(AdapterMlp source)
    {
        var from = source.Layers;
        var to = Layers;
        for (int i = 0; i < to.Count; i++)
        {
            var (weight, bias) = from[i].GetBase();
            to[i].SetBase(weight, bias);
        }
    }

    /// <summary>The device the weights live on (read inside a scope: reading a parameter makes a tensor wrapper).</summary>
    public Device Device
    {
        get
        {
            using var scope = NewDisposeScope();
            return head.weight!.device;
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        foreach (var layer in layers) x = nn.functional.relu(layer.call(x)); // [batch, width]
        return head.call(x);                                                  // [batch, classes]
    }

    /// <summary>
    /// Adam on <paramref name="trainable"/> only (a fresh optimizer, as each S3T step is a fresh training run), for
    /// <paramref name="epochs"/> passes over <paramref name="points"/> of <paramref name="data"/>, each in a new order
    /// from <paramref name="order"/>; one dispose scope per step. Returns the last step's loss.
    /// </summary>
    public double Fit(IReadOnlyList<Parameter> trainable, MixtureTask.Samples data, IReadOnlyList<int> points, int epochs,
        int batchSize, double learningRate, Rng order, CancellationToken cancellation)
    {
        if (points.Count == 0) throw new ArgumentException("no training points", nameof(points));
        var device = Device;
        using var optimizer = AdamOptimizer.Adam(trainable, learningRate);
        train();
        var visit = points.ToArray();
        double loss = double.NaN;
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            order.Shuffle(visit);
            for (int start = 0; start < visit.Length; start += batchSize)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                int n = Math.Min(batchSize, visit.Length - start);
                var x = new float[n * data.Dim];
                var y = new long[n];
                for (int i = 0; i < n; i++)
                {
                    Array.Copy(data.X, visit[start + i] * data.Dim, x, i * data.Dim, data.Dim);
                    y[i] = data.Y[visit[start + i]];
                }
                zero_grad();
                var batchLoss = nn.functional.cross_entropy(call(tensor(x, [n, data.Dim]).to(device)), tensor(y).to(device));
                batchLoss.backward();
                optimizer.step();
                loss = batchLoss.item<float>();
            }
        }
        eval();
        return loss;
    }

    /// <summary>Class probabilities of every point of <paramref name="data"/>, row-major [count × classes].</summary>
    public float[] Probabilities(MixtureTask.Samples data)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        eval();
        var logits = call(tensor(data.X, [data.Count, data.Dim]).to(Device));   // [count, classes]
        using var values = nn.functional.softmax(logits, 1).cpu().contiguous().data<float>();
        return values.ToArray();
    }
}

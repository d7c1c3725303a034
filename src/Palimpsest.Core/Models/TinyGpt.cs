using Palimpsest.Core.Runtime;
using Palimpsest.Core.Tensors;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Palimpsest.Core.Models;

/// <summary>
/// A small GPT: token and position embeddings, pre-LN blocks (causal self-attention, GELU MLP), a final LayerNorm
/// and an unembedding tied to the token embedding. Returns logits; <see cref="ForwardWithHidden"/> also returns the
/// residual stream after each block, for logit-lens style probes. Field names are state-dict keys (GPT-2's).
/// </summary>
public sealed class TinyGpt : nn.Module<Tensor, Tensor>
{
    private readonly Embedding wte;
    private readonly Embedding wpe;
    private readonly ModuleList<Block> h;
    private readonly LayerNorm ln_f;

    /// <summary>The model's shape.</summary>
    public TinyGptConfig Config { get; }

    /// <summary>Builds the model and initialises it from <paramref name="init"/> (GPT-2's N(0, 0.02), scaled residual projections).</summary>
    public TinyGpt(TinyGptConfig config, Generator init) : base(nameof(TinyGpt))
    {
        TorchRuntime.Initialize();
        config.Validate();
        Config = config;
        wte = nn.Embedding(config.VocabSize, config.Width);
        wpe = nn.Embedding(config.ContextLength, config.Width);
        h = nn.ModuleList(Enumerable.Range(0, config.Layers).Select(i => new Block(config, i)).ToArray());
        ln_f = nn.LayerNorm(config.Width);
        RegisterComponents();
        Initialise(init);
    }

    private void Initialise(Generator g)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double residualStd = 0.02 / Math.Sqrt(2.0 * Config.Layers);
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("bias", StringComparison.Ordinal)) p.zero_();
            else if (name.StartsWith("ln", StringComparison.Ordinal) || name.Contains(".ln_", StringComparison.Ordinal)) p.fill_(Scalars.Of(1.0));
            else
            {
                double std = name.EndsWith("c_proj.weight", StringComparison.Ordinal) ? residualStd : 0.02;
                using var stdScalar = std.ToScalar();
                p.copy_(randn(p.shape, dtype: p.dtype, generator: g) * stdScalar);
            }
        }
    }

    /// <summary>Logits for every position. <paramref name="tokens"/>: [batch, seq] int64, seq ≤ context.</summary>
    public override Tensor forward(Tensor tokens) => ForwardWithHidden(tokens, keepHidden: false).Logits;

    /// <summary>
    /// Logits and, when <paramref name="keepHidden"/>, the residual stream at every depth: index 0 is the embedding,
    /// index i the output of block i (before the final LayerNorm). Apply <see cref="Unembed"/> to read a layer out.
    /// </summary>
    public (Tensor Logits, IReadOnlyList<Tensor> Hidden) ForwardWithHidden(Tensor tokens, bool keepHidden = true)
    {
        long seq = tokens.shape[1];
        if (seq > Config.ContextLength)
            throw new ArgumentException($"sequence length {seq} exceeds the context length {Config.ContextLength}");
        using var stop = seq.ToScalar();
        var positions = arange(stop, dtype: ScalarType.Int64, device: tokens.device);
        var x = wte.call(tokens) + wpe.call(positions);                  // [batch, seq, width]
        var hidden = new List<Tensor>();
        if (keepHidden) hidden.Add(x);
        foreach (var block in h)
        {
            x = block.call(x);
            if (keepHidden) hidden.Add(x);
        }
        return (Unembed(x), hidden);
    }

    /// <summary>Final LayerNorm then the tied unembedding: [.., width] → [.., vocab].</summary>
    public Tensor Unembed(Tensor residual) => ln_f.call(residual).matmul(wte.weight!.t());

    /// <summary>The token embedding matrix [vocab, width] (tied with the unembedding). Each read makes a tensor wrapper: read it inside a dispose scope.</summary>
    public Parameter TokenEmbedding => wte.weight!;

    /// <summary>
    /// The device the weights live on. Reading a parameter creates a tensor wrapper, so it is read inside a dispose
    /// scope; otherwise every call would leave one live tensor behind.
    /// </summary>
    public Device Device
    {
        get
        {
            using var scope = NewDisposeScope();
            return wte.weight!.device;
        }
    }

    /// <summary>The blocks, in order.</summary>
    public IReadOnlyList<Block> Blocks => h.ToList();

    /// <summary>An independent copy with the same shape and weights, on the same device (a checkpoint in memory).</summary>
    public TinyGpt Copy()
    {
        using var g = new Generator(0);
        var copy = new TinyGpt(Config, g).to(Device);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var source = named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in copy.named_parameters()) p.copy_(source[name]);
        return copy;
    }

    /// <summary>Saves the weights (TorchSharp format) and the shape as JSON beside them (<c>path.json</c>).</summary>
    public void SaveTo(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temp = path + ".tmp";
        save(temp);
        File.Move(temp, path, overwrite: true);
        Reporting.AtomicFile.WriteAllText(path + ".json", Reporting.Json.Serialize(Config));
    }

    /// <summary>Loads a model saved with <see cref="SaveTo"/>.</summary>
    public static TinyGpt LoadFrom(string path)
    {
        var config = Reporting.Json.Deserialize<TinyGptConfig>(File.ReadAllText(path + ".json"));
        using var g = new Generator(0);
        var model = new TinyGpt(config, g);
        model.load(path);
        return model;
    }

    /// <summary>One pre-LN transformer block.</summary>
    public sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly LayerNorm ln_1;
        private readonly CausalSelfAttention attn;
        private readonly LayerNorm ln_2;
        private readonly Mlp mlp;

        /// <summary>Creates block <paramref name="index"/>.</summary>
        public Block(TinyGptConfig config, int index) : base($"{nameof(Block)}{index}")
        {
            ln_1 = nn.LayerNorm(config.Width);
            attn = new CausalSelfAttention(config);
            ln_2 = nn.LayerNorm(config.Width);
            mlp = new Mlp(config);
            RegisterComponents();
        }

        /// <summary>The block's MLP (its value vectors are the rows of <c>c_proj.weight</c>ᵀ).</summary>
        public Mlp MlpLayer => mlp;

        /// <summary>The residual after the block's attention, x + attn(ln_1(x)): [.., width] → [.., width].</summary>
        public Tensor Attend(Tensor x) => x + attn.call(ln_1.call(x));

        /// <summary>What the MLP reads: ln_2 of the residual after attention (<see cref="Attend"/>).</summary>
        public Tensor MlpInput(Tensor afterAttention) => ln_2.call(afterAttention);

        /// <inheritdoc/>
        public override Tensor forward(Tensor x)
        {
            x = Attend(x);
            return x + mlp.call(MlpInput(x));
        }
    }

    /// <summary>Multi-head causal self-attention through scaled_dot_product_attention.</summary>
    public sealed class CausalSelfAttention : nn.Module<Tensor, Tensor>
    {
        private readonly Linear c_attn;
        private readonly Linear c_proj;
        private readonly Dropout drop;
        private readonly int _heads;
        private readonly double _dropout;

        /// <summary>Creates the attention of one block.</summary>
        public CausalSelfAttention(TinyGptConfig config) : base(nameof(CausalSelfAttention))
        {
            c_attn = nn.Linear(config.Width, 3 * config.Width);
            c_proj = nn.Linear(config.Width, config.Width);
            drop = nn.Dropout(config.Dropout);
            _heads = config.Heads;
            _dropout = config.Dropout;
            RegisterComponents();
        }

        /// <inheritdoc/>
        public override Tensor forward(Tensor x)
        {
            long b = x.shape[0], t = x.shape[1], c = x.shape[2];
            var qkv = c_attn.call(x).split(c, 2);                         // 3 × [b, t, c]
            Tensor Heads(Tensor z) => z.view(b, t, _heads, c / _heads).transpose(1, 2); // [b, heads, t, c/heads]
            var y = nn.functional.scaled_dot_product_attention(Heads(qkv[0]), Heads(qkv[1]), Heads(qkv[2]),
                p: training ? _dropout : 0.0, is_casual: true);
            y = y.transpose(1, 2).contiguous().view(b, t, c);              // [b, t, c]
            return drop.call(c_proj.call(y));
        }
    }

    /// <summary>The GELU MLP of one block.</summary>
    public sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear c_fc;
        private readonly Linear c_proj;
        private readonly Dropout drop;

        /// <summary>Creates the MLP of one block.</summary>
        public Mlp(TinyGptConfig config) : base(nameof(Mlp))
        {
            c_fc = nn.Linear(config.Width, config.MlpRatio * config.Width);
            c_proj = nn.Linear(config.MlpRatio * config.Width, config.Width);
            drop = nn.Dropout(config.Dropout);
            RegisterComponents();
        }

        /// <summary>The input projection (width → hidden): its rows, read through the GELU, make the MLP's keys.</summary>
        public Linear InputProjection => c_fc;

        /// <summary>The output projection: its columns are the MLP's value vectors.</summary>
        public Linear OutputProjection => c_proj;

        /// <summary>The MLP's hidden activations (its keys, what <see cref="OutputProjection"/> reads): GELU(c_fc(x)), [.., hidden].</summary>
        public Tensor Keys(Tensor x) => nn.functional.gelu(c_fc.call(x));

        /// <inheritdoc/>
        public override Tensor forward(Tensor x) => drop.call(c_proj.call(Keys(x)));
    }
}

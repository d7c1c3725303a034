using static TorchSharp.torch;

namespace Palimpsest.Core.Tensors;

/// <summary>Training-mode switches that undo themselves: <c>using (model.Evaluating()) { ... }</c>.</summary>
public static class ModuleModes
{
    /// <summary>
    /// Puts <paramref name="module"/> in evaluation mode (<c>eval()</c>: no dropout; gradients still flow) until the
    /// returned scope is disposed, which calls <c>train(wasTraining)</c> with the module's flag from before, also when
    /// an exception leaves the block. Like <c>train</c>, the restore sets the flag on every submodule.
    /// </summary>
    public static EvaluationScope Evaluating(this nn.Module module)
    {
        ArgumentNullException.ThrowIfNull(module);
        return new EvaluationScope(module);
    }
}

/// <summary>
/// Evaluation mode for one module, undone on <see cref="Dispose"/>; made by <see cref="ModuleModes.Evaluating"/>.
/// </summary>
public sealed class EvaluationScope : IDisposable
{
    private readonly nn.Module _module;
    private bool _isDisposed;

    /// <summary>The module's training flag before the scope began; restored on dispose.</summary>
    public bool WasTraining { get; }

    internal EvaluationScope(nn.Module module)
    {
        _module = module;
        WasTraining = module.training;
        module.eval();
    }

    /// <summary>Restores the training flag (once; a second call does nothing).</summary>
    public void Dispose()
    {
        if (_isDisposed) return;
        _isDisposed = true;
        _module.train(WasTraining);
    }
}

namespace Palimpsest.Core.Unlearning;

/// <summary>
/// The gradient-based unlearning objectives of the LLM-unlearning literature (TOFU, NPO, MUSE), one family: each is a
/// loss on a batch of forget examples, optionally plus a retain term. Names follow the NPO paper.
/// </summary>
public enum UnlearningMethod
{
    /// <summary>GA: maximise the forget set's cross-entropy (minimise −CE_forget).</summary>
    GradientAscent,
    /// <summary>GA+RT (gradient difference): −CE_forget + CE_retain.</summary>
    GradientDifference,
    /// <summary>GA+KL: −CE_forget + KL(reference ‖ model) on retain tokens.</summary>
    GradientAscentKl,
    /// <summary>IDK+RT: cross-entropy towards an "I don't know" answer on forget prompts + CE_retain.</summary>
    IdkRetain,
    /// <summary>DPO with the "I don't know" answer preferred over the true one (β-scaled, reference = the model before).</summary>
    Dpo,
    /// <summary>NPO: (2/β)·log(1 + (π/π_ref)^β) on forget answers (sequence likelihood ratio to the reference).</summary>
    Npo,
    /// <summary>NPO+RT: NPO + CE_retain.</summary>
    NpoRetain,
    /// <summary>NPO+KL: NPO + KL(reference ‖ model) on retain tokens.</summary>
    NpoKl,
}

/// <summary>Short labels and properties of <see cref="UnlearningMethod"/>.</summary>
public static class UnlearningMethods
{
    /// <summary>Every method, in the order the figures list them.</summary>
    public static IReadOnlyList<UnlearningMethod> All { get; } = Enum.GetValues<UnlearningMethod>();

    /// <summary>The label the papers use: GA, GA+RT, GA+KL, IDK+RT, DPO, NPO, NPO+RT, NPO+KL.</summary>
    public static string Label(this UnlearningMethod m) => m switch
    {
        UnlearningMethod.GradientAscent => "GA",
        UnlearningMethod.GradientDifference => "GA+RT",
        UnlearningMethod.GradientAscentKl => "GA+KL",
        UnlearningMethod.IdkRetain => "IDK+RT",
        UnlearningMethod.Dpo => "DPO",
        UnlearningMethod.Npo => "NPO",
        UnlearningMethod.NpoRetain => "NPO+RT",
        UnlearningMethod.NpoKl => "NPO+KL",
        _ => throw new ArgumentOutOfRangeException(nameof(m), m, null),
    };

    /// <summary>The method with label <paramref name="label"/>; an unknown label throws, naming the allowed ones.</summary>
    public static UnlearningMethod Parse(string label)
    {
        foreach (var m in All)
            if (m.Label().Equals(label, StringComparison.OrdinalIgnoreCase)) return m;
        throw new ArgumentException($"unknown unlearning method '{label}'; allowed: {string.Join(", ", All.Select(x => x.Label()))}");
    }

    /// <summary>True for the NPO family.</summary>
    public static bool IsNpo(this UnlearningMethod m) => m is UnlearningMethod.Npo or UnlearningMethod.NpoRetain or UnlearningMethod.NpoKl;

    /// <summary>True when the objective needs a frozen reference model.</summary>
    public static bool NeedsReference(this UnlearningMethod m) =>
        m is UnlearningMethod.GradientAscentKl or UnlearningMethod.Dpo or UnlearningMethod.Npo or UnlearningMethod.NpoRetain
            or UnlearningMethod.NpoKl;

    /// <summary>True when the objective uses retain examples.</summary>
    public static bool UsesRetain(this UnlearningMethod m) =>
        m is UnlearningMethod.GradientDifference or UnlearningMethod.GradientAscentKl or UnlearningMethod.IdkRetain
            or UnlearningMethod.NpoRetain or UnlearningMethod.NpoKl;

    /// <summary>True when the objective needs an alternative ("I don't know") answer per forget example.</summary>
    public static bool UsesAlternative(this UnlearningMethod m) => m is UnlearningMethod.IdkRetain or UnlearningMethod.Dpo;
}

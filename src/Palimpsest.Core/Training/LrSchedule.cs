namespace Palimpsest.Core.Training;

/// <summary>The shape of the learning rate over training.</summary>
public enum LrScheduleKind
{
    /// <summary>Linear warm-up, then constant.</summary>
    Constant,
    /// <summary>Linear warm-up, then cosine decay to <c>MinLrFraction</c> of the peak.</summary>
    Cosine,
    /// <summary>Warm-up, stable, then a linear decay over the last <c>DecayFraction</c> of steps (WSD).</summary>
    WarmupStableDecay,
}

/// <summary>Learning rate as a function of the step.</summary>
public static class LrSchedule
{
    /// <summary>The learning rate at <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>.</summary>
    public static double At(LrScheduleKind kind, int step, int totalSteps, double peak, int warmupSteps = 0,
        double minLrFraction = 0.1, double decayFraction = 0.2)
    {
        if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be at least 1");
        if (warmupSteps > 0 && step < warmupSteps) return peak * (step + 1) / warmupSteps;
        double min = peak * minLrFraction;
        switch (kind)
        {
            case LrScheduleKind.Constant:
                return peak;
            case LrScheduleKind.Cosine:
            {
                double progress = Math.Clamp((double)(step - warmupSteps) / Math.Max(1, totalSteps - warmupSteps), 0, 1);
                return min + 0.5 * (peak - min) * (1 + Math.Cos(Math.PI * progress));
            }
            case LrScheduleKind.WarmupStableDecay:
            {
                int decaySteps = Math.Max(1, (int)Math.Round(totalSteps * decayFraction));
                int decayStart = totalSteps - decaySteps;
                if (step < decayStart) return peak;
                double progress = Math.Clamp((double)(step - decayStart) / decaySteps, 0, 1);
                return peak + (min - peak) * progress;
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }
}

namespace MalariaML.Training;

/// <summary>
/// Linear warm-up then cosine decay, per batch: the rate at step s (0-based, counted over all epochs) rises linearly
/// to <paramref name="LearningRate"/> over the first <paramref name="WarmupSteps"/> steps, then follows half a cosine
/// down to <paramref name="MinLearningRate"/> at the last step. A pure function of the step, so a resumed run needs no
/// schedule state beyond the epoch it resumes at.
/// </summary>
/// <remarks>
/// Why: Adam at a fixed 1e-3 makes a small network's validation accuracy jump between epochs, and the plateau schedule
/// cannot react in a run of a few epochs (it waits 2 epochs to lower the rate); the decay lands the last epoch's
/// weights in a calmer place, and the warm-up keeps the first batches' large, noisy gradients from throwing the
/// freshly initialised weights far.
/// </remarks>
/// <param name="LearningRate">Peak rate, reached at the end of the warm-up.</param>
/// <param name="MinLearningRate">Rate at the last step.</param>
/// <param name="TotalSteps">Batches over all epochs.</param>
/// <param name="WarmupSteps">Batches of the warm-up (0 for none).</param>
internal sealed record WarmupCosineSchedule(double LearningRate, double MinLearningRate, int TotalSteps, int WarmupSteps)
{
    /// <summary>A schedule over <paramref name="epochs"/> epochs of <paramref name="batchesPerEpoch"/> batches, warming up over <paramref name="warmupFraction"/> of them.</summary>
    public static WarmupCosineSchedule For(double learningRate, double minLearningRate, int epochs, int batchesPerEpoch, double warmupFraction)
    {
        if (warmupFraction is < 0 or >= 1 || double.IsNaN(warmupFraction))
        {
            throw new ArgumentOutOfRangeException(nameof(warmupFraction), warmupFraction, "the warm-up share must be in [0, 1)");
        }

        var total = Math.Max(1, epochs * batchesPerEpoch);
        return new WarmupCosineSchedule(learningRate, Math.Min(minLearningRate, learningRate), total, (int)Math.Round(warmupFraction * total));
    }

    /// <summary>The rate of step <paramref name="step"/>.</summary>
    public double Rate(int step)
    {
        if (step < WarmupSteps)
        {
            return LearningRate * (step + 1) / WarmupSteps;
        }

        var decaySteps = TotalSteps - WarmupSteps;
        // The last step reaches the floor exactly; steps past the end (never taken) stay there.
        var progress = decaySteps <= 1 ? 1 : Math.Min(1, (double)(step - WarmupSteps) / (decaySteps - 1));
        return MinLearningRate + 0.5 * (LearningRate - MinLearningRate) * (1 + Math.Cos(Math.PI * progress));
    }
}

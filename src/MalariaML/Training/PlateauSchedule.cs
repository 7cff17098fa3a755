namespace MalariaML.Training;

/// <summary>
/// Reduce-on-plateau learning-rate schedule (Keras' <c>ReduceLROnPlateau</c>), as an immutable value so it can be
/// checkpointed and resumed exactly.
/// </summary>
/// <param name="LearningRate">Current learning rate.</param>
/// <param name="Best">Best monitored value so far.</param>
/// <param name="BadEpochs">Epochs since the last improvement of <paramref name="Best"/>.</param>
internal sealed record PlateauSchedule(double LearningRate, double Best, int BadEpochs)
{
    /// <summary>Relative improvement needed to count as better (PyTorch's default threshold).</summary>
    public const double Threshold = 1e-4;

    /// <summary>Starts a schedule at <paramref name="learningRate"/>.</summary>
    public static PlateauSchedule Start(double learningRate) => new(learningRate, double.PositiveInfinity, 0);

    /// <summary>Returns the schedule after an epoch whose monitored loss was <paramref name="loss"/>.</summary>
    public PlateauSchedule Step(double loss, double factor, int patience, double minLearningRate)
    {
        if (loss < Best * (1 - Threshold))
        {
            return this with { Best = loss, BadEpochs = 0 };
        }

        var bad = BadEpochs + 1;
        if (bad > patience)
        {
            return new PlateauSchedule(Math.Max(minLearningRate, LearningRate * factor), Best, 0);
        }

        return this with { BadEpochs = bad };
    }
}

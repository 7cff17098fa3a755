namespace MalariaML.Training;

/// <summary>How the learning rate moves during training (see <see cref="ModelTrainingOptions.Schedule"/>).</summary>
public enum LearningRateSchedule
{
    /// <summary>Reduce on plateau: the rate halves after epochs without a better validation loss (Keras' ReduceLROnPlateau).</summary>
    Plateau,

    /// <summary>Linear warm-up from almost zero to the rate, then a cosine decay to the floor, updated every batch.</summary>
    WarmupCosine,
}

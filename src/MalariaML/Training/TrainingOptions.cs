namespace MalariaML.Training;

/// <summary>Every knob of the training loop, with the article's defaults.</summary>
internal sealed record TrainingOptions
{
    /// <summary>Most epochs to run. Default 25, as the article.</summary>
    public int Epochs { get; init; } = 25;

    /// <summary>Images per batch. Default 64, as the article.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Initial learning rate. Default 1e-3 (Adam, as the article's CNN).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// Prepare the next training batch (bytes to floats, augmentation) on another thread while the current one trains.
    /// Default true. Results are identical either way: batches are still prepared one at a time, in order.
    /// </summary>
    public bool PrefetchBatches { get; init; } = true;

    /// <summary>Optimizer name, see <see cref="OptimizerFactory.Names"/>. Default <c>adam</c>.</summary>
    public string Optimizer { get; init; } = "adam";

    /// <summary>Learning rate is multiplied by this when validation loss stops improving. Default 0.5.</summary>
    public double PlateauFactor { get; init; } = 0.5;

    /// <summary>Epochs without improvement before the learning rate drops. Default 2.</summary>
    public int PlateauPatience { get; init; } = 2;

    /// <summary>Floor of the learning rate. Default 1e-6.</summary>
    public double MinLearningRate { get; init; } = 1e-6;

    /// <summary>
    /// Learning-rate schedule. Default <see cref="LearningRateSchedule.Plateau"/> (<see cref="PlateauFactor"/>,
    /// <see cref="PlateauPatience"/>); <see cref="LearningRateSchedule.WarmupCosine"/> ignores those two and decays
    /// per batch to <see cref="MinLearningRate"/> at the last batch of <see cref="Epochs"/>.
    /// </summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Plateau;

    /// <summary>Share of all batches the warm-up of <see cref="LearningRateSchedule.WarmupCosine"/> takes. Default 0.1.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Epochs without validation-loss improvement before training stops. Default 5; 0 disables.</summary>
    public int EarlyStoppingPatience { get; init; } = 5;

    /// <summary>Seed of shuffling, dropout, augmentation and initial weights. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Device name: <c>auto</c>, <c>cpu</c> or <c>cuda</c>. Default <c>auto</c>.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>
    /// File that receives a checkpoint after every epoch (weights, optimizer state, epoch, history, schedule).
    /// Null for none. Default null.
    /// </summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Continue from <see cref="CheckpointPath"/> when it exists. Default false.</summary>
    public bool Resume { get; init; }
}

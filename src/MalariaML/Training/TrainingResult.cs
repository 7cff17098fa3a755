namespace MalariaML.Training;

/// <summary>The outcome of a training run. The model holds the best epoch's weights when this is returned.</summary>
/// <param name="History">Every epoch run, resumed ones included.</param>
/// <param name="BestEpoch">1-based epoch with the lowest validation loss; its weights are the model's.</param>
/// <param name="StoppedEarly">True when early stopping ended the run before the last epoch.</param>
public sealed record TrainingResult(TrainingHistory History, int BestEpoch, bool StoppedEarly);

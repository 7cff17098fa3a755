namespace MalariaML.Training;

/// <summary>What one epoch did, as Keras' per-epoch line.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss.</param>
/// <param name="Accuracy">Training accuracy (threshold 0.5).</param>
/// <param name="ValidationLoss">Mean validation loss (the training loss when there is no validation set).</param>
/// <param name="ValidationAccuracy">Validation accuracy (training accuracy when there is no validation set).</param>
/// <param name="LearningRate">Learning rate used during the epoch.</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
public sealed record EpochRecord(int Epoch, double Loss, double Accuracy, double ValidationLoss, double ValidationAccuracy, double LearningRate, double Seconds);

namespace MalariaML.Evaluation;

/// <summary>What one epoch did, as Keras' per-epoch line.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Loss">Mean training loss.</param>
/// <param name="Accuracy">Training accuracy (threshold 0.5).</param>
/// <param name="ValidationLoss">Mean validation loss (the training loss when there is no validation set).</param>
/// <param name="ValidationAccuracy">Validation accuracy (training accuracy when there is no validation set).</param>
/// <param name="LearningRate">Learning rate the optimizer held at the end of the epoch (under a per-batch schedule, the last batch's).</param>
/// <param name="Seconds">Wall time of the epoch, validation included.</param>
public sealed record EpochRecord(int Epoch, double Loss, double Accuracy, double ValidationLoss, double ValidationAccuracy, double LearningRate, double Seconds)
{
    /// <summary>The epoch as Keras prints it: <c>Epoch 3 - 41s - loss: 0.1234 - accuracy: ... - lr: 1.0e-03</c>.</summary>
    public override string ToString() => string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"Epoch {Epoch} - {Seconds:F0}s - loss: {Loss:F4} - accuracy: {Accuracy:F4} - val_loss: {ValidationLoss:F4} - val_accuracy: {ValidationAccuracy:F4} - lr: {LearningRate:0.0e+00}");
}

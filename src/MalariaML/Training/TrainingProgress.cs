using MalariaML.Evaluation;

namespace MalariaML.Training;

/// <summary>Progress of training, reported after every batch and at the end of every epoch.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Most epochs of the run.</param>
/// <param name="Batch">Batches done in this epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="RunningLoss">Mean loss over the epoch so far.</param>
/// <param name="RunningAccuracy">Accuracy over the epoch so far.</param>
/// <param name="ImagesPerSecond">Training throughput in this epoch.</param>
/// <param name="EpochEta">Estimated time left in this epoch.</param>
/// <param name="Completed">Set when an epoch has finished (with validation); null during the epoch.</param>
public sealed record TrainingProgress(int Epoch, int Epochs, int Batch, int Batches, double RunningLoss, double RunningAccuracy,
    double ImagesPerSecond, TimeSpan EpochEta, EpochRecord? Completed);

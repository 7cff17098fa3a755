namespace MalariaML.Training;

/// <summary>The outcome of a training run. The model holds the best epoch's weights when this is returned.</summary>
/// <param name="History">Every epoch run, resumed ones included.</param>
/// <param name="BestEpoch">1-based epoch with the lowest validation loss; its weights are the model's.</param>
/// <param name="StoppedEarly">True when early stopping ended the run before the last epoch.</param>
/// <param name="ResumedEpochs">Epochs that came from a checkpoint (run by an earlier process) rather than this call.</param>
internal sealed record TrainingResult(TrainingHistory History, int BestEpoch, bool StoppedEarly, int ResumedEpochs = 0)
{
    /// <summary>Wall seconds of the epochs run before this call resumed, so total training time survives interruptions.</summary>
    public double ResumedSeconds => History.Epochs.Take(ResumedEpochs).Sum(e => e.Seconds);
}

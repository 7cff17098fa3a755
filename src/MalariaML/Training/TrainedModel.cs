using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;

namespace MalariaML.Training;

/// <summary>A model fresh from <see cref="ModelTrainer"/>, with how it trained.</summary>
/// <param name="Model">The model, holding its best epoch's weights; save it with <see cref="MalariaModel.Save"/>.</param>
/// <param name="History">Every epoch run, resumed ones included (empty for the ML.NET baseline).</param>
/// <param name="BestEpoch">1-based epoch with the lowest validation loss; its weights are the model's.</param>
/// <param name="StoppedEarly">True when early stopping ended the run before the last epoch.</param>
/// <param name="ResumedEpochs">Epochs that came from a checkpoint written by an earlier run rather than this call.</param>
/// <param name="Validation">Metrics on the validation part at the model's threshold; null without validation cells.</param>
/// <param name="Skipped">Training and validation files that could not be decoded.</param>
public sealed record TrainedModel(MalariaModel Model, TrainingHistory History, int BestEpoch, bool StoppedEarly, int ResumedEpochs,
    BinaryMetrics? Validation, IReadOnlyList<SkippedFile> Skipped);

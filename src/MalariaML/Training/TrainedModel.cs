using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;

namespace MalariaML.Training;

/// <summary>A model fresh from <see cref="ModelTrainer"/>, with how it trained and how it scored.</summary>
/// <param name="Model">The model, holding its best epoch's weights; save it with <see cref="MalariaModel.Save"/>.</param>
/// <param name="Training">History, best epoch, early stopping.</param>
/// <param name="Metrics">Metrics per part name (<c>validation</c>, <c>test</c>) at the model's threshold.</param>
/// <param name="Skipped">Files of the split that could not be decoded.</param>
public sealed record TrainedModel(MalariaModel Model, TrainingResult Training, IReadOnlyDictionary<string, BinaryMetrics> Metrics, IReadOnlyList<SkippedFile> Skipped);

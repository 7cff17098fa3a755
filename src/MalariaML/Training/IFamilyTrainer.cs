using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Preprocessing;

namespace MalariaML.Training;

/// <summary>
/// Trains one family of models (<see cref="ModelFamily"/>) on the training part, choosing its best epoch on the
/// validation part. The test part is never read here: evaluating is its own step (<see cref="MalariaModel.Evaluate"/>).
/// </summary>
internal interface IFamilyTrainer
{
    FamilyTrainingOutcome Train(FamilyTrainingRequest request);
}

/// <summary>What every family trainer is given.</summary>
/// <param name="Definition">The catalogued model.</param>
/// <param name="Loader">Decodes cells at the model's input size.</param>
/// <param name="Train">Training cells.</param>
/// <param name="Validation">Validation cells (may be empty).</param>
/// <param name="IsPositive">Whether a cell is of the positive class.</param>
/// <param name="Options">The caller's options.</param>
/// <param name="Loop">The training loop's options: the model's defaults with the caller's overrides.</param>
/// <param name="Work">Progress of decoding and feature extraction.</param>
/// <param name="Training">Progress of the epochs.</param>
/// <param name="CancellationToken">Stops between batches.</param>
internal sealed record FamilyTrainingRequest(
    ModelDefinition Definition,
    CellImageLoader Loader,
    IReadOnlyList<CellImage> Train,
    IReadOnlyList<CellImage> Validation,
    Func<CellImage, bool> IsPositive,
    ModelTrainingOptions Options,
    TrainingOptions Loop,
    IProgress<WorkProgress>? Work,
    IProgress<TrainingProgress>? Training,
    CancellationToken CancellationToken)
{
    public bool[] Labels(IReadOnlyList<CellImage> cells) => cells.Select(IsPositive).ToArray();
}

/// <summary>A family trainer's result: the scorer holding the best weights, the run, and its validation scores.</summary>
/// <param name="Scorer">Scores decoded cells with the best epoch's weights.</param>
/// <param name="Run">History, best epoch, early stopping.</param>
/// <param name="ValidationCells">Validation cells that decoded, in order.</param>
/// <param name="ValidationProbabilities">The scorer's probabilities for <paramref name="ValidationCells"/>.</param>
/// <param name="Skipped">Training and validation files that could not be decoded.</param>
internal sealed record FamilyTrainingOutcome(
    ICellScorer Scorer,
    TrainingResult Run,
    IReadOnlyList<CellImage> ValidationCells,
    float[] ValidationProbabilities,
    IReadOnlyList<SkippedFile> Skipped);

using MalariaML.Data;

namespace MalariaML.Inference;

/// <summary>Predictions for many files: one per usable image, and the files that could not be decoded.</summary>
public sealed record PredictionBatch(IReadOnlyList<CellPrediction> Predictions, IReadOnlyList<SkippedFile> Skipped);

using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;

namespace MalariaML.Cli.Report;

/// <summary>What the report shows of one model: its metadata and how it scored the selected cells.</summary>
/// <param name="Name">Label in tables and legends (model kind, plus the file name when two models share a kind).</param>
/// <param name="Slug">File-name-safe form of <paramref name="Name"/> for the chart files.</param>
/// <param name="ModelPath">The model file.</param>
/// <param name="Metadata">The model's metadata (threshold, history, classes).</param>
/// <param name="Cells">Scored cells, in the same order as <paramref name="Predictions"/>.</param>
/// <param name="Predictions">Probability of the positive class and the truth, per cell.</param>
/// <param name="Metrics">Metrics at the model's stored threshold.</param>
/// <param name="Roc">ROC curve over <paramref name="Predictions"/>.</param>
/// <param name="History">Per-epoch history: the model's own, else the <c>.history.json</c> that <c>malaria train</c> wrote beside it.</param>
internal sealed record ModelReport(string Name, string Slug, string ModelPath, ModelMetadata Metadata, IReadOnlyList<CellImage> Cells,
    IReadOnlyList<BinaryPrediction> Predictions, BinaryMetrics Metrics, RocCurve Roc, IReadOnlyList<EpochRecord> History)
{
    /// <summary>Training time: the model's own figure, or the sum of its epochs where that is larger (a resumed run
    /// of an older version counted only its last session).</summary>
    public double TrainingSeconds => Math.Max(Metadata.TrainingSeconds, History.Sum(e => e.Seconds));
}

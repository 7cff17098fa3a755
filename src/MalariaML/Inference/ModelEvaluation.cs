using MalariaML.Data;
using MalariaML.Evaluation;

namespace MalariaML.Inference;

/// <summary>A model's metrics on labelled cells, with the per-cell predictions they come from.</summary>
/// <param name="Metrics">Accuracy, precision, recall, F1, AUC, MCC and the confusion matrix at the model's threshold.</param>
/// <param name="Predictions">One prediction per scored cell, in the order of the cells.</param>
/// <param name="Labels">Whether each scored cell is of the positive class, parallel to <paramref name="Predictions"/>.</param>
/// <param name="Skipped">Cells that could not be decoded, with reasons.</param>
public sealed record ModelEvaluation(BinaryMetrics Metrics, IReadOnlyList<CellPrediction> Predictions, IReadOnlyList<bool> Labels,
    IReadOnlyList<SkippedFile> Skipped)
{
    /// <summary>The ROC curve of the predictions.</summary>
    internal RocCurve Roc => BinaryEvaluator.ComputeRocCurve(Pairs());

    /// <summary>
    /// The highest threshold whose recall reaches <paramref name="targetRecall"/>, and the metrics at it: for a screening
    /// tool that must miss few infected cells.
    /// </summary>
    public (double Threshold, BinaryMetrics Metrics) AtRecall(double targetRecall)
    {
        var point = BinaryEvaluator.FindThresholdForRecall(Pairs(), targetRecall);
        return (point.Threshold, BinaryEvaluator.Evaluate(Pairs(), point.Threshold));
    }

    private IEnumerable<BinaryPrediction> Pairs() => Predictions.Select((p, i) => new BinaryPrediction(p.Probability, Labels[i]));
}

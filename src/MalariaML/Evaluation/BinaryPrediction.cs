namespace MalariaML.Evaluation;

/// <summary>
/// One scored cell: the model's probability that the cell is parasitized, paired with the ground truth.
/// </summary>
/// <remarks>
/// The evaluator works on probabilities rather than hard labels so that the same predictions can be
/// re-thresholded (for example to reach a screening recall target) and ranked for ROC AUC without
/// re-running the model.
/// </remarks>
/// <param name="Probability">
/// Probability (or any score where larger means "more likely infected") of the positive class.
/// Must not be NaN, because a NaN cannot be ranked or compared with a threshold.
/// </param>
/// <param name="IsPositive">True when the cell is actually parasitized (the positive class).</param>
internal readonly record struct BinaryPrediction(double Probability, bool IsPositive);

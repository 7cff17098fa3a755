namespace MalariaML.Inference;

/// <summary>A model's call on one cell.</summary>
/// <param name="Source">File path or the name given for in-memory data.</param>
/// <param name="Label">Predicted class name.</param>
/// <param name="Probability">Probability of the positive class.</param>
/// <param name="IsPositive">Whether the probability reached the model's threshold.</param>
public sealed record CellPrediction(string Source, string Label, double Probability, bool IsPositive);

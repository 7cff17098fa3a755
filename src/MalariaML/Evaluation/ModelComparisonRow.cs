namespace MalariaML.Evaluation;

/// <summary>One line of a <see cref="ModelComparison"/>: a model's display name and its test-set metrics.</summary>
/// <param name="Model">Name shown in the first column, e.g. "ResNet18 + LBFGS".</param>
/// <param name="Metrics">Metrics of that model on the shared test set.</param>
internal sealed record ModelComparisonRow(string Model, BinaryMetrics Metrics);

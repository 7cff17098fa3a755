using System.Text.Json.Serialization;

namespace MalariaML.Evaluation;

/// <summary>
/// One operating point of a classifier: the rates obtained by flagging every cell whose probability is
/// at least <see cref="Threshold"/>.
/// </summary>
/// <param name="Fpr">False positive rate (1 - specificity): share of uninfected cells flagged.</param>
/// <param name="Tpr">True positive rate (recall, sensitivity): share of infected cells flagged.</param>
/// <param name="Threshold">
/// Decision threshold producing this point. The first point of a curve uses +∞ ("flag nothing"); it is
/// serialised as the string <c>"Infinity"</c> because JSON numbers cannot hold it.
/// </param>
internal readonly record struct RocPoint(
    double Fpr,
    double Tpr,
    [property: JsonNumberHandling(JsonNumberHandling.AllowNamedFloatingPointLiterals)] double Threshold);

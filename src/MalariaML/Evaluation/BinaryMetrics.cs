using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MalariaML.Evaluation;

/// <summary>
/// Summary of a model's performance on a labelled test set at one decision threshold.
/// </summary>
/// <remarks>
/// The record is deliberately flat (confusion counts sit beside the ratios) and its JSON names are pinned
/// with attributes, so <c>malaria evaluate --json</c> can write it as-is and scripts can rely on the keys
/// <c>count, accuracy, precision, recall, f1, auc, mcc, tp, fp, tn, fn</c> whatever serializer options
/// the caller uses. Ratios with an empty denominator are 0 (see <see cref="ConfusionMatrix"/>); only
/// <see cref="Auc"/> can be NaN, and it is written to JSON as <c>null</c> because JSON has no NaN.
/// </remarks>
public sealed record BinaryMetrics
{
    /// <summary>Number of predictions evaluated.</summary>
    [JsonPropertyName("count"), JsonPropertyOrder(0)]
    public int Count { get; init; }

    /// <summary>Fraction of correct predictions at the threshold.</summary>
    [JsonPropertyName("accuracy"), JsonPropertyOrder(1), JsonConverter(typeof(NonFiniteAsNullJsonConverter))]
    public double Accuracy { get; init; }

    /// <summary>Fraction of cells flagged infected that really are (positive predictive value).</summary>
    [JsonPropertyName("precision"), JsonPropertyOrder(2), JsonConverter(typeof(NonFiniteAsNullJsonConverter))]
    public double Precision { get; init; }

    /// <summary>Fraction of infected cells that were flagged (sensitivity): what a screening tool must keep high.</summary>
    [JsonPropertyName("recall"), JsonPropertyOrder(3), JsonConverter(typeof(NonFiniteAsNullJsonConverter))]
    public double Recall { get; init; }

    /// <summary>Harmonic mean of precision and recall.</summary>
    [JsonPropertyName("f1"), JsonPropertyOrder(4), JsonConverter(typeof(NonFiniteAsNullJsonConverter))]
    public double F1 { get; init; }

    /// <summary>
    /// Area under the ROC curve: the probability that a random infected cell scores higher than a random
    /// uninfected one, ties counting one half. Threshold-independent.
    /// </summary>
    /// <remarks>
    /// <see cref="double.NaN"/> when the test set holds only one class, since the ranking question is then
    /// meaningless; reporting 0 or 0.5 instead would look like a real (bad) result. Serialised as <c>null</c>.
    /// </remarks>
    [JsonPropertyName("auc"), JsonPropertyOrder(5), JsonConverter(typeof(NonFiniteAsNullJsonConverter))]
    public double Auc { get; init; }

    /// <summary>Matthews correlation coefficient in [-1, 1], robust to class imbalance.</summary>
    [JsonPropertyName("mcc"), JsonPropertyOrder(6), JsonConverter(typeof(NonFiniteAsNullJsonConverter))]
    public double Mcc { get; init; }

    /// <summary>True positives: infected cells flagged.</summary>
    [JsonPropertyName("tp"), JsonPropertyOrder(7)]
    public int Tp { get; init; }

    /// <summary>False positives: uninfected cells flagged.</summary>
    [JsonPropertyName("fp"), JsonPropertyOrder(8)]
    public int Fp { get; init; }

    /// <summary>True negatives: uninfected cells cleared.</summary>
    [JsonPropertyName("tn"), JsonPropertyOrder(9)]
    public int Tn { get; init; }

    /// <summary>False negatives: infected cells missed.</summary>
    [JsonPropertyName("fn"), JsonPropertyOrder(10)]
    public int Fn { get; init; }

    /// <summary>The confusion counts as a <see cref="ConfusionMatrix"/>, for further derived ratios.</summary>
    /// <remarks>Not serialised: the counts already appear flat as tp/fp/tn/fn.</remarks>
    [JsonIgnore]
    internal ConfusionMatrix ConfusionMatrix => new(Tp, Fp, Tn, Fn);

    /// <summary>
    /// Builds the metrics from a confusion matrix plus the threshold-independent AUC, so the ratios are
    /// always consistent with the counts.
    /// </summary>
    /// <param name="matrix">Counts at the chosen threshold.</param>
    /// <param name="auc">ROC AUC over the same predictions (NaN when only one class is present).</param>
    internal static BinaryMetrics FromConfusionMatrix(ConfusionMatrix matrix, double auc) => new()
    {
        Count = matrix.Count,
        Accuracy = matrix.Accuracy,
        Precision = matrix.Precision,
        Recall = matrix.Recall,
        F1 = matrix.F1,
        Auc = auc,
        Mcc = matrix.Mcc,
        Tp = matrix.TruePositives,
        Fp = matrix.FalsePositives,
        Tn = matrix.TrueNegatives,
        Fn = matrix.FalseNegatives,
    };

    /// <summary>
    /// Serialises to flat lower-camel-case JSON (<c>{"count":…,"accuracy":…,…,"fn":…}</c>).
    /// </summary>
    /// <param name="indented">Pretty-print for humans; pass false for one-line machine output.</param>
    public string ToJson(bool indented = true) =>
        JsonSerializer.Serialize(this, indented ? IndentedOptions : CompactOptions);

    /// <summary>Reads metrics written by <see cref="ToJson"/>; a <c>null</c> AUC comes back as NaN.</summary>
    /// <param name="json">JSON text of one metrics object.</param>
    /// <exception cref="JsonException">The text is not a metrics object.</exception>
    public static BinaryMetrics FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return JsonSerializer.Deserialize<BinaryMetrics>(json, CompactOptions)
            ?? throw new JsonException("Expected a metrics object, found null.");
    }

    /// <summary>One-line summary with four decimals, independent of the current culture.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"n={Count} accuracy={MetricFormat.Format(Accuracy)} precision={MetricFormat.Format(Precision)} " +
        $"recall={MetricFormat.Format(Recall)} f1={MetricFormat.Format(F1)} auc={MetricFormat.Format(Auc)} " +
        $"mcc={MetricFormat.Format(Mcc)} tp={Tp} fp={Fp} tn={Tn} fn={Fn}");

    // Shared and never mutated after construction, so no mutable static state leaks between callers.
    private static readonly JsonSerializerOptions CompactOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = false,
    };

    private static readonly JsonSerializerOptions IndentedOptions = new(CompactOptions) { WriteIndented = true };
}

using System.Globalization;

namespace MalariaML.Evaluation;

/// <summary>Single place that decides how a metric looks in text, so tables and logs agree.</summary>
internal static class MetricFormat
{
    /// <summary>Text shown for an undefined metric (NaN AUC) instead of the bare "NaN".</summary>
    public const string NotAvailable = "n/a";

    /// <summary>Four decimals with '.' as separator regardless of the machine's culture.</summary>
    public static string Format(double value) =>
        double.IsNaN(value) ? NotAvailable : value.ToString("F4", CultureInfo.InvariantCulture);
}

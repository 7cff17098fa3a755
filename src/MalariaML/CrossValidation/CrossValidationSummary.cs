using System.Globalization;
using System.Text;

namespace MalariaML.CrossValidation;

/// <summary>Per-fold results with mean +- sample standard deviation per column, as Markdown.</summary>
internal static class CrossValidationSummary
{
    /// <summary>Mean and sample standard deviation (NaN values left out; sd NaN for fewer than two values).</summary>
    public static (double Mean, double Sd) MeanSd(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var v = values.Where(x => !double.IsNaN(x)).ToArray();
        if (v.Length == 0)
        {
            return (double.NaN, double.NaN);
        }

        var mean = v.Average();
        return (mean, v.Length < 2 ? double.NaN : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1)));
    }

    /// <summary>A Markdown table: one row per fold, then mean +- sd.</summary>
    public static string ToMarkdown(IReadOnlyList<FoldResult> results, string title)
    {
        ArgumentNullException.ThrowIfNull(results);
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"### {title}\n\n");
        md.Append("| fold | cells | patients (healthy) | epochs (best) | ").Append(string.Join(" | ", FoldResult.Columns.Select(c => c.Name))).Append(" |\n");
        md.Append("| ---: | ---: | ---: | ---: | ").Append(string.Join(" | ", FoldResult.Columns.Select(_ => "---:"))).Append(" |\n");
        foreach (var r in results.OrderBy(r => r.Fold))
        {
            md.Append(CultureInfo.InvariantCulture, $"| {r.Fold} | {r.TestCells:N0} | {r.TestPatients} ({r.HealthyPatients}) | {r.Epochs} ({r.BestEpoch}) | ")
                .Append(string.Join(" | ", FoldResult.Columns.Select(c => Format(c.Value(r), c.Percent)))).Append(" |\n");
        }

        md.Append(CultureInfo.InvariantCulture, $"| mean +- sd ({results.Count} folds) | {results.Sum(r => r.TestCells):N0} | {results.Sum(r => r.TestPatients)} ({results.Sum(r => r.HealthyPatients)}) | | ")
            .Append(string.Join(" | ", FoldResult.Columns.Select(c =>
            {
                var (mean, sd) = MeanSd(results.Select(c.Value));
                return double.IsNaN(sd) ? Format(mean, c.Percent) : $"{Format(mean, c.Percent)} +- {Format(sd, c.Percent)}";
            }))).Append(" |\n");
        return md.ToString();
    }

    private static string Format(double value, bool percent) => double.IsNaN(value)
        ? "n/a"
        : percent ? (value * 100).ToString("F1", CultureInfo.InvariantCulture) + "%" : value.ToString("0.####", CultureInfo.InvariantCulture);
}

using System.Globalization;
using MalariaML.Evaluation.Calibration;
using MalariaML.Plots;

namespace MalariaML.Cli.Report;

/// <summary>The reliability diagram of a report: observed positive rate against mean predicted probability, per bin and model.</summary>
internal static class ReliabilityChart
{
    /// <summary>File of the chart.</summary>
    public const string File = "reliability.png";

    /// <summary>Expected calibration error of one model's scored cells.</summary>
    public static double Ece(ModelReport m) => CalibrationError.Of(Bins(m));

    /// <summary>One line per model through its non-empty bins, and the diagonal of perfect calibration.</summary>
    public static LineChartSpec Build(IReadOnlyList<ModelReport> models)
    {
        var series = models.Select((m, i) =>
        {
            var bins = Bins(m).Where(b => b.Count > 0).ToList();
            var ece = Ece(m).ToString("F4", CultureInfo.InvariantCulture);
            return new LineSeries($"{m.Name} (ECE {ece}, T {TemperatureOf(m)})", [.. bins.Select(b => b.MeanProbability)], [.. bins.Select(b => b.PositiveRate)], ColorIndex: i);
        }).ToList();
        var panel = new LinePanel($"{CalibrationError.DefaultBins} equal-width bins; on the diagonal, a cell given p is positive with probability p",
            "mean predicted probability of the positive class", "observed share of positive cells", series,
            new AxisRange(0, 1), new AxisRange(0, 1), Diagonal: true);
        var cells = models.Count > 0 ? models[0].Predictions.Count : 0;
        return new LineChartSpec(File, $"Reliability on {cells:N0} cells", 760, 680, [panel]);
    }

    /// <summary>The Markdown section.</summary>
    public static string Markdown(IReadOnlyList<ModelReport> models)
    {
        var lines = string.Join("", models.Select(m => FormattableString.Invariant($"| {m.Name.Replace("|", "\\|", StringComparison.Ordinal)} | {Ece(m):F4} | {TemperatureOf(m)} |\n")));
        return $"\n## Calibration\n\nExpected calibration error ({CalibrationError.DefaultBins} bins) of the probabilities the models predict, after the temperature scaling stored in each model (T = 1: none).\n\n| Model | ECE | Temperature |\n| --- | ---: | ---: |\n{lines}\n![reliability diagram]({File})\n";
    }

    private static IReadOnlyList<ReliabilityBin> Bins(ModelReport m)
        => CalibrationError.Bins(m.Predictions.Select(p => p.Probability).ToList(), m.Predictions.Select(p => p.IsPositive).ToList());

    private static string TemperatureOf(ModelReport m) => (m.Metadata.Calibration?.Temperature ?? 1).ToString("0.###", CultureInfo.InvariantCulture);
}

using System.Globalization;
using System.Text;
using MalariaML.Evaluation;

namespace MalariaML.Cli.Report;

/// <summary>Writes <c>report.md</c>: the comparison table, then each model's charts and figures.</summary>
internal static class ReportMarkdown
{
    /// <summary>The Markdown text.</summary>
    /// <param name="models">Scored models.</param>
    /// <param name="comparison">The comparison table of <paramref name="models"/>.</param>
    /// <param name="selection">What was scored, in words (folder, split file and part).</param>
    /// <param name="skipped">Files that could not be decoded, for the note at the end.</param>
    /// <param name="hasGrids">Whether cell grids were drawn.</param>
    public static string Build(IReadOnlyList<ModelReport> models, ModelComparison comparison, string selection, int skipped, bool hasGrids)
    {
        var md = new StringBuilder();
        md.Append("# MalariaML report\n\n");
        md.Append(CultureInfo.InvariantCulture, $"{selection}. Generated {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by `malaria report`.\n\n");
        md.Append("## Comparison\n\n");
        md.Append("Each model at its own stored decision threshold; \"Parasitized\" is the positive class.\n\n");
        md.Append(comparison.ToMarkdown()).Append('\n');
        md.Append("| Model | Cells | TP | FP | TN | FN | Threshold | Epochs (best) | Training time |\n");
        md.Append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
        foreach (var m in models)
        {
            var x = m.Metrics;
            var epochs = m.Metadata.EpochsRun > 0 ? $"{m.Metadata.EpochsRun} ({m.Metadata.BestEpoch})" : "-";
            md.Append(CultureInfo.InvariantCulture,
                $"| {Escape(m.Name)} | {x.Count:N0} | {x.Tp:N0} | {x.Fp:N0} | {x.Tn:N0} | {x.Fn:N0} | {m.Metadata.Threshold:0.###} | {epochs} | {Duration(m.TrainingSeconds)} |\n");
        }

        md.Append(CultureInfo.InvariantCulture, $"\n## ROC\n\n![ROC curves]({ReportCharts.RocFile})\n");
        md.Append(ReliabilityChart.Markdown(models));
        foreach (var m in models)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## {Escape(m.Name)}\n\n");
            md.Append(CultureInfo.InvariantCulture, $"Model file `{m.ModelPath}`: {m.Metadata.ModelKind}, {m.Metadata.InputWidth}x{m.Metadata.InputHeight} input");
            if (m.Metadata.Split is { } split)
            {
                md.Append(CultureInfo.InvariantCulture, $", trained on a {split.Strategy}-level split (seed {split.Seed}, {string.Join(" / ", split.Cells.Select(p => $"{p.Value:N0} {p.Key}"))} cells)");
            }

            md.Append(".\n\n");
            if (m.History.Count > 0)
            {
                md.Append(CultureInfo.InvariantCulture, $"![learning curves of {m.Name}]({ReportCharts.CurvesFile(m)})\n\n");
            }
            else
            {
                md.Append("No learning curves: this model has no per-epoch history (the ML.NET baseline is not trained in epochs).\n\n");
            }

            md.Append(CultureInfo.InvariantCulture, $"![confusion matrix of {m.Name}]({ReportCharts.ConfusionFile(m)})\n\n");
            if (hasGrids)
            {
                md.Append(CultureInfo.InvariantCulture, $"Cells with the predicted class and the probability of {m.Metadata.PositiveClass}: errors first (red frame, with the true class), the most confident first, then a random sample of correct ones (green frame, with the patient).\n\n");
                md.Append(CultureInfo.InvariantCulture, $"![cells as {m.Name} sees them]({ReportCharts.GridFile(m)})\n");
            }
        }

        if (skipped > 0)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n{skipped} file(s) could not be decoded and were left out (listed on the command's error output).\n");
        }

        return md.ToString();
    }

    private static string Duration(double seconds) => seconds <= 0
        ? "-"
        : TimeSpan.FromSeconds(Math.Round(seconds)).ToString(seconds >= 3600 ? @"h\:mm\:ss" : @"m\:ss", CultureInfo.InvariantCulture);

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}

using System.Globalization;
using MalariaML.Evaluation;
using MalariaML.Plots;

namespace MalariaML.Cli.Report;

/// <summary>The charts of a report: learning curves and a confusion matrix per model, one ROC chart, cell grids.</summary>
internal static class ReportCharts
{
    // ROC curves of thousands of cells have thousands of points; a few hundred draw the same line.
    private const int MaxRocPoints = 400;

    /// <summary>Chart file names for one model.</summary>
    public static string CurvesFile(ModelReport m) => $"curves-{m.Slug}.png";

    /// <inheritdoc cref="CurvesFile"/>
    public static string ConfusionFile(ModelReport m) => $"confusion-{m.Slug}.png";

    /// <inheritdoc cref="CurvesFile"/>
    public static string GridFile(ModelReport m) => $"cells-{m.Slug}.png";

    /// <summary>File of the ROC chart of all models.</summary>
    public const string RocFile = "roc.png";

    /// <summary>Builds the charts; models without a training history (the ML.NET baseline) get no learning curves.</summary>
    /// <param name="models">Scored models.</param>
    /// <param name="gridCells">Cells per grid.</param>
    /// <param name="seed">Picks the correctly classified cells that fill a grid after the errors.</param>
    public static ChartBatch Build(IReadOnlyList<ModelReport> models, int gridCells, int seed)
    {
        var charts = new List<ChartSpec>();
        for (var i = 0; i < models.Count; i++)
        {
            var m = models[i];
            if (m.History.Count > 0)
            {
                charts.Add(LearningCurves(m));
            }

            charts.Add(Confusion(m));
            if (gridCells > 0)
            {
                charts.Add(Grid(m, gridCells, seed));
            }
        }

        charts.Add(Roc(models));
        charts.Add(ReliabilityChart.Build(models));
        return new ChartBatch(charts);
    }

    private static LineChartSpec LearningCurves(ModelReport m)
    {
        var h = m.History;
        double[] epochs = [.. h.Select(e => (double)e.Epoch)];
        LinePanel Panel(string title, string metric, Func<EpochRecord, double> train, Func<EpochRecord, double> validation) =>
            new(title, "epoch", metric,
            [
                new LineSeries("train", epochs, [.. h.Select(train)], ColorIndex: 0),
                new LineSeries("validation", epochs, [.. h.Select(validation)], Dashed: true, ColorIndex: 1),
            ],
            IntegerX: true);
        var best = m.Metadata.BestEpoch > 0 ? $", best epoch {m.Metadata.BestEpoch} kept" : "";
        return new LineChartSpec(CurvesFile(m), $"{m.Name}: learning curves ({h.Count} epochs{best})", 1200, 480,
            [Panel("Accuracy", "accuracy", e => e.Accuracy, e => e.ValidationAccuracy), Panel("Loss", "binary cross-entropy", e => e.Loss, e => e.ValidationLoss)]);
    }

    private static ConfusionMatrixSpec Confusion(ModelReport m)
    {
        var c = m.Metrics;
        var threshold = m.Metadata.Threshold.ToString("0.###", CultureInfo.InvariantCulture);
        return new ConfusionMatrixSpec(ConfusionFile(m), $"{m.Name} (threshold {threshold}, {c.Count:N0} cells)", 640, 560,
            m.Metadata.ClassNames, [[c.Tn, c.Fp], [c.Fn, c.Tp]]);
    }

    private static LineChartSpec Roc(IReadOnlyList<ModelReport> models)
    {
        var series = models.Select((m, i) =>
        {
            var points = Thin(m.Roc.Points);
            var auc = double.IsNaN(m.Roc.Auc) ? "n/a" : m.Roc.Auc.ToString("F4", CultureInfo.InvariantCulture);
            return new LineSeries($"{m.Name} (AUC {auc})", [.. points.Select(p => p.Fpr)], [.. points.Select(p => p.Tpr)], Markers: false, ColorIndex: i);
        }).ToList();
        var cells = models.Count > 0 ? models[0].Predictions.Count : 0;
        var panel = new LinePanel("ROC", "false positive rate (1 - specificity)", "true positive rate (recall)", series,
            new AxisRange(0, 1), new AxisRange(0, 1), Diagonal: true);
        return new LineChartSpec(RocFile, $"ROC curves on {cells:N0} cells", 760, 680, [panel]);
    }

    private static GridCell[] Sample(ModelReport m, int count, int seed)
    {
        var threshold = m.Metadata.Threshold;
        var scored = m.Cells.Select((cell, i) => (Cell: cell, P: m.Predictions[i].Probability, Truth: m.Predictions[i].IsPositive))
            .Select(x => (x.Cell, x.P, x.Truth, Wrong: x.P >= threshold != x.Truth))
            .ToList();
        // Errors first, the most confident first: those are the ones a reader should look at.
        var wrong = scored.Where(x => x.Wrong).OrderByDescending(x => Math.Abs(x.P - threshold)).ThenBy(x => x.Cell.Path, StringComparer.Ordinal);
        var right = scored.Where(x => !x.Wrong).OrderBy(x => x.Cell.Path, StringComparer.Ordinal).ToList();
        var random = new Random(seed);
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(right));
        var negative = m.Metadata.ClassNames.First(c => c != m.Metadata.PositiveClass);
        return wrong.Concat(right).Take(count).Select(x =>
        {
            var predicted = x.P >= threshold ? m.Metadata.PositiveClass : negative;
            var truth = x.Truth ? m.Metadata.PositiveClass : negative;
            return new GridCell(x.Cell.Path, FormattableString.Invariant($"{predicted} {x.P:F2}"), x.Wrong, x.Wrong ? $"truth: {truth}" : x.Cell.PatientKey);
        }).ToArray();
    }

    private static ImageGridSpec Grid(ModelReport m, int count, int seed)
    {
        var cells = Sample(m, count, seed);
        var errors = m.Metrics.Fp + m.Metrics.Fn;
        var title = $"{m.Name}: {errors:N0} of {m.Metrics.Count:N0} cells misclassified, most confident errors first";
        return new ImageGridSpec(GridFile(m), title, 1200, 1400, 8, cells);
    }

    private static IReadOnlyList<RocPoint> Thin(IReadOnlyList<RocPoint> points)
    {
        if (points.Count <= MaxRocPoints)
        {
            return points;
        }

        var step = (double)(points.Count - 1) / (MaxRocPoints - 1);
        return Enumerable.Range(0, MaxRocPoints).Select(k => points[(int)Math.Round(k * step)]).ToList();
    }
}

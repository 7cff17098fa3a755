using System.Text.Json;
using System.Text.RegularExpressions;
using MalariaML.Evaluation;
using MalariaML.Inference;
using MalariaML.Plots;
using MalariaML.Splits;
using MalariaML.Tests.Inference;
using MalariaML.Tests.Robustness;
using MalariaML.Tests.Training;
using SkiaSharp;
using Xunit.Abstractions;

namespace MalariaML.Tests.Reporting;

/// <summary>
/// <c>malaria report</c> end to end on the committed cells: two models (the same tiny network saved twice, so names must
/// be told apart), the test part of a patient split. Checks the Markdown against an independent evaluation, the chart
/// list against what the report promises, and that every PNG is a real, non-blank image of the size asked for.
/// </summary>
[Collection("torch")]
public partial class ReportCommandTests(ModelFileTests.SavedModel saved, ITestOutputHelper output) : IClassFixture<ModelFileTests.SavedModel>
{
    [GeneratedRegex(@"^\| basic-cnn \(first\) \| (?<cells>[\d,]+) \| (?<tp>[\d,]+) \| (?<fp>[\d,]+) \| (?<tn>[\d,]+) \| (?<fn>[\d,]+) \|", RegexOptions.Multiline)]
    private static partial Regex CountsRow();

    [Fact]
    public void Report_writes_markdown_and_legible_charts_that_agree_with_an_independent_evaluation()
    {
        using var temp = TestData.NewTempFolder();
        var first = Path.Combine(temp.Path, "first.malaria");
        var second = Path.Combine(temp.Path, "second.malaria");
        File.Copy(saved.Path, first);
        File.Copy(saved.Path, second);
        var splitPath = Path.Combine(temp.Path, "split.json");
        TinyTraining.Split.Save(splitPath, TestData.SampleRoot);
        var outDir = Path.Combine(temp.Path, "report");

        var result = CliProcess.Run(["report", "--model", first, second, "--data", TestData.SampleRoot, "--split", splitPath, "--part", "test",
            "--out", outDir, "--grid", "20"], timeout: TimeSpan.FromMinutes(5));
        output.WriteLine(result.Transcript);
        Assert.True(result.ExitCode == 0, result.Transcript);

        // The same cells scored in this process, with the library, give the confusion counts the report must show.
        using var model = MalariaModel.Load(saved.Path);
        var cells = TinyTraining.Split[SplitPart.Test];
        var batch = model.PredictMany(cells.Select(c => c.Path).ToList());
        var truth = cells.ToDictionary(c => c.Path, c => c.Label == "Parasitized");
        // Counted by hand, not with the evaluator the report itself calls.
        var expected = (
            Count: batch.Predictions.Count,
            Tp: batch.Predictions.Count(p => p.IsPositive && truth[p.Source]),
            Fp: batch.Predictions.Count(p => p.IsPositive && !truth[p.Source]),
            Tn: batch.Predictions.Count(p => !p.IsPositive && !truth[p.Source]),
            Fn: batch.Predictions.Count(p => !p.IsPositive && truth[p.Source]));

        var markdown = File.ReadAllText(Path.Combine(outDir, "report.md"));
        var row = CountsRow().Match(markdown);
        Assert.True(row.Success, markdown);
        Assert.Equal(expected.Count, Parse(row, "cells"));
        Assert.Equal(expected.Tp, Parse(row, "tp"));
        Assert.Equal(expected.Fp, Parse(row, "fp"));
        Assert.Equal(expected.Tn, Parse(row, "tn"));
        Assert.Equal(expected.Fn, Parse(row, "fn"));
        Assert.Contains("basic-cnn (second)", markdown, StringComparison.Ordinal);

        var charts = JsonSerializer.Deserialize<ChartBatch>(File.ReadAllBytes(Path.Combine(outDir, "charts.json")), ChartBatch.JsonOptions)!;
        // Per model: learning curves, confusion matrix, grid; plus one ROC chart and one reliability diagram of both.
        Assert.Equal(8, charts.Charts.Count);
        var roc = Assert.Single(charts.Charts.OfType<LineChartSpec>(), c => c.File == "roc.png");
        Assert.Equal(2, roc.Panels[0].Series.Count);

        // The reliability diagram and the ECE in the text agree with the calibration error computed here.
        var reliability = Assert.Single(charts.Charts.OfType<LineChartSpec>(), c => c.File == "reliability.png");
        Assert.Equal(2, reliability.Panels[0].Series.Count);
        var probabilities = batch.Predictions.Select(p => p.Probability).ToList();
        var labels = batch.Predictions.Select(p => truth[p.Source]).ToList();
        var bins = MalariaML.Evaluation.Calibration.CalibrationError.Bins(probabilities, labels).Where(b => b.Count > 0).ToList();
        Assert.Equal(bins.Select(b => b.PositiveRate), reliability.Panels[0].Series[0].Y);
        var ece = MalariaML.Evaluation.Calibration.CalibrationError.Compute(probabilities, labels);
        Assert.Contains(FormattableString.Invariant($"| {ece:F4} |"), markdown, StringComparison.Ordinal);

        var confusion = charts.Charts.OfType<ConfusionMatrixSpec>().First();
        Assert.Equal(new long[] { expected.Tn, expected.Fp, expected.Fn, expected.Tp }, confusion.Counts.SelectMany(r => r));

        // Errors come first in the grid, then only correct cells.
        var grid = charts.Charts.OfType<ImageGridSpec>().First();
        var errors = Math.Min(20, expected.Fp + expected.Fn);
        Assert.Equal(Math.Min(20, expected.Count), grid.Cells.Count);
        Assert.All(grid.Cells.Take(errors), c => Assert.True(c.Wrong, c.Path));
        Assert.All(grid.Cells.Skip(errors), c => Assert.False(c.Wrong, c.Path));

        foreach (var chart in charts.Charts)
        {
            var png = Path.Combine(outDir, chart.File);
            Assert.True(File.Exists(png), $"{chart.File} was not drawn");
            Assert.Contains($"]({chart.File})", markdown, StringComparison.Ordinal);
            using var image = SKBitmap.Decode(png);
            Assert.NotNull(image);
            Assert.Equal(chart.Width, image.Width);
            if (chart is not ImageGridSpec)
            {
                Assert.Equal(chart.Height, image.Height);
            }

            // A chart has axes, text and lines: many distinct colours, not a blank or single-colour canvas.
            var colours = image.Pixels.Distinct().Count();
            output.WriteLine($"{chart.File}: {image.Width}x{image.Height}, {colours} colours");
            Assert.True(colours >= 16, $"{chart.File} looks blank ({colours} colours)");
        }
    }

    [Fact]
    public void Report_fails_clearly_when_the_renderer_is_missing_but_still_writes_the_markdown()
    {
        using var temp = TestData.NewTempFolder();
        var outDir = Path.Combine(temp.Path, "report");
        var missing = Path.Combine(temp.Path, "nowhere", "MalariaML.Plots.dll");
        var result = CliProcess.Run(["report", "--model", saved.Path, "--data", TestData.SampleRoot, "--out", outDir, "--grid", "0"],
            new Dictionary<string, string> { ["MALARIAML_PLOTS"] = missing }, timeout: TimeSpan.FromMinutes(5));

        Assert.NotEqual(0, result.ExitCode);
        var error = Assert.Single(result.Stderr, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains(missing, error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, "report.md")), result.Transcript);
    }

    private static int Parse(Match match, string group) => int.Parse(match.Groups[group].Value.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
}

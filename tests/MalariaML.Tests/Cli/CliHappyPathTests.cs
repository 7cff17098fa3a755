using System.Globalization;
using System.Text.Json.Nodes;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Splits;
using MalariaML.Tests.Inference;
using MalariaML.Tests.Robustness;
using Xunit.Abstractions;

namespace MalariaML.Tests.Cli;

/// <summary>
/// The commands a user runs first, end to end on the committed sample, each checked against the library called in
/// this process: <c>data summary</c>, <c>data split</c>, <c>predict</c>, <c>evaluate --json --target-recall</c>, <c>compare</c>.
/// </summary>
[Collection("torch")]
public sealed class CliHappyPathTests(ModelFileTests.SavedModel saved, ITestOutputHelper output) : IClassFixture<ModelFileTests.SavedModel>
{
    private CliResult Run(params string[] args)
    {
        var result = CliProcess.Run(args, timeout: TimeSpan.FromMinutes(4));
        output.WriteLine(result.Transcript);
        Assert.True(result.ExitCode == 0, result.Transcript);
        return result;
    }

    [Fact]
    public void Data_summary_prints_and_writes_the_libraries_counts()
    {
        using var temp = TestData.NewTempFolder();
        var json = Path.Combine(temp.Path, "summary.json");
        var result = Run("data", "summary", TestData.SampleRoot, "--json", json);
        var expected = TestData.Sample().Summarize();
        var written = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(expected.Total, (int)written["total"]!);
        Assert.Equal(expected.PatientCount, (int)written["patientCount"]!);
        Assert.Equal(expected.Classes["Parasitized"], (int)written["classes"]!["Parasitized"]!);
        Assert.Contains(result.Stdout, l => l.Contains(expected.Total.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public void Data_split_writes_the_split_the_library_makes_with_the_same_seed()
    {
        using var temp = TestData.NewTempFolder();
        var file = Path.Combine(temp.Path, "split.json");
        Run("data", "split", TestData.SampleRoot, "--by", "patient", "--ratios", "0.6,0.1,0.3", "--seed", "7", "--out", file);
        var dataset = TestData.Sample();
        var written = DataSplit.Load(file, dataset.Root);
        var expected = DatasetSplitter.Split(dataset.Summarize().Usable, SplitStrategy.Patient, new SplitRatios(0.6, 0.1, 0.3), 7);
        foreach (var part in Enum.GetValues<SplitPart>())
        {
            Assert.Equal(expected[part].Select(c => c.Path), written[part].Select(c => c.Path));
        }
    }

    [Fact]
    public void Predict_writes_the_libraries_probabilities_and_parasitemia()
    {
        using var temp = TestData.NewTempFolder();
        var cells = Path.Combine(temp.Path, "cells.csv");
        var patients = Path.Combine(temp.Path, "patients.csv");
        // The library's default engine, so that the probabilities are the same floats, written with six decimals.
        Run("predict", TestData.SampleRoot, "--model", saved.Path, "--engine", "TorchSharp", "--out", cells, "--summary", patients);

        using var model = MalariaModel.Load(saved.Path);
        var files = CellDataset.ImageFiles(TestData.SampleRoot);
        var expected = model.PredictMany(files).Predictions.ToDictionary(p => p.Source);
        var rows = File.ReadAllLines(cells).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(files.Count, rows.Count);
        foreach (var row in rows)
        {
            var p = expected[row[0]];
            Assert.Equal(PatientKey.Parse(row[0]), row[1]);
            Assert.Equal(p.Label, row[2]);
            Assert.Equal(p.Probability.ToString("F6", CultureInfo.InvariantCulture), row[3]);
        }

        var byPatient = PatientParasitemia.Summarise(expected.Values).ToDictionary(p => p.Patient);
        var summary = File.ReadAllLines(patients).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(byPatient.Count, summary.Count);
        Assert.All(summary, row => Assert.Equal(byPatient[row[0]].Parasitized, int.Parse(row[2], CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Evaluate_writes_the_libraries_metrics_and_the_threshold_for_a_target_recall()
    {
        using var temp = TestData.NewTempFolder();
        var split = Path.Combine(temp.Path, "split.json");
        Training.TinyTraining.Split.Save(split, TestData.SampleRoot);
        var json = Path.Combine(temp.Path, "metrics.json");
        Run("evaluate", "--model", saved.Path, "--data", TestData.SampleRoot, "--split", split, "--part", "test", "--json", json, "--target-recall", "0.9");

        using var model = MalariaModel.Load(saved.Path);
        var expected = model.Evaluate(Training.TinyTraining.Split.Test);
        var written = JsonNode.Parse(File.ReadAllText(json))!;
        Assert.Equal(expected.Metrics.Accuracy, (double)written["accuracy"]!, 12);
        Assert.Equal(expected.Metrics.Tp, (int)written["tp"]!);
        Assert.Equal(expected.Metrics.Auc, (double)written["auc"]!, 12);
        var (threshold, atRecall) = expected.AtRecall(0.9);
        Assert.Equal(threshold, (double)written["thresholdForTargetRecall"]!, 12);
        Assert.True(atRecall.Recall >= 0.9);
    }

    [Fact]
    public void Compare_prints_one_row_per_model_with_the_libraries_accuracy()
    {
        using var temp = TestData.NewTempFolder();
        var split = Path.Combine(temp.Path, "split.json");
        Training.TinyTraining.Split.Save(split, TestData.SampleRoot);
        var second = Path.Combine(temp.Path, "second.malaria");
        File.Copy(saved.Path, second);
        var markdown = Path.Combine(temp.Path, "compare.md");
        Run("compare", saved.Path, second, "--data", TestData.SampleRoot, "--split", split, "--part", "test", "--markdown", markdown);

        using var model = MalariaModel.Load(saved.Path);
        var accuracy = model.Evaluate(Training.TinyTraining.Split.Test).Metrics.Accuracy.ToString("F4", CultureInfo.InvariantCulture);
        var rows = File.ReadAllLines(markdown).Where(l => l.StartsWith("| basic-cnn", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Contains(accuracy, r, StringComparison.Ordinal));
    }
}

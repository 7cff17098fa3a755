using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Tests.Robustness;
using MalariaML.Tests.Training;

namespace MalariaML.Tests.Explanations;

/// <summary><c>malaria explain</c> as users run it: overlays named with label and probability, a CSV, bad files skipped.</summary>
public sealed class ExplainCommandTests
{
    [Fact]
    public void Writes_one_overlay_per_cell_named_with_label_and_probability_and_skips_bad_files()
    {
        using var work = TestData.NewTempFolder();
        var modelPath = Path.Combine(work.Path, "tiny.malaria");
        using (var model = TinyTraining.Train(TinyTraining.Options(epochs: 1)).Model)
        {
            model.Save(modelPath);
        }

        var cells = TestData.SampleCells(2).Select(c => c.Path).ToList();
        var bad = Path.Combine(work.Path, "broken.png");
        File.WriteAllText(bad, "not a cell");
        var output = Path.Combine(work.Path, "heatmaps");
        var run = CliProcess.Run(["explain", "--model", modelPath, "--out", output, .. cells, bad], timeout: TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.Transcript);
        Assert.Contains(run.Stderr, l => l.StartsWith($"skipped {bad}:", StringComparison.Ordinal));
        var overlays = Directory.GetFiles(output, "*.gradcam.png");
        Assert.Equal(cells.Count, overlays.Length);
        var rows = File.ReadAllLines(Path.Combine(output, "explanations.csv"));
        Assert.Equal("path,patient,label,probability,explained_class,overlay", rows[0]);
        foreach (var row in rows.Skip(1))
        {
            var f = row.Split(',');
            var probability = double.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal($"{Path.GetFileNameWithoutExtension(f[0])}.{f[2]}.{probability.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)}.gradcam.png", f[5]);
            var overlay = ImageDecoder.DecodeFile(Path.Combine(output, f[5]));
            var cell = ImageDecoder.DecodeFile(f[0]);
            Assert.Equal((cell.Width, cell.Height), (overlay.Width, overlay.Height));
        }
    }

    [Fact]
    public void The_mlnet_baseline_is_refused_with_a_clear_reason()
    {
        using var model = new MalariaML.Inference.MalariaModel(new NoGradientScorer(), new MalariaML.Inference.ModelMetadata
        {
            ModelKind = "resnet18-mlnet",
            InputWidth = 32,
            InputHeight = 32,
            ClassNames = ["Parasitized", "Uninfected"],
            PositiveClass = "Parasitized",
        });
        var error = Assert.Throws<MalariaML.Explanations.ExplanationNotSupportedException>(() => new MalariaML.Explanations.GradCamExplainer(model));
        Assert.Contains("ML.NET model", error.Message, StringComparison.Ordinal);
        Assert.Contains("no gradients", error.Message, StringComparison.Ordinal);
    }

    private sealed class NoGradientScorer : MalariaML.Models.ICellScorer
    {
        public float[] Score(IReadOnlyList<RgbImage> images) => new float[images.Count];

        public IReadOnlyDictionary<string, byte[]> Save() => new Dictionary<string, byte[]>();

        public void Dispose()
        {
        }
    }
}

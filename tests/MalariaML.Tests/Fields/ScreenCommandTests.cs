using System.Globalization;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Tests.Inference;
using MalariaML.Tests.Robustness;
using Xunit.Abstractions;

namespace MalariaML.Tests.Fields;

[Collection("torch")]
public class ScreenCommandTests(ModelFileTests.SavedModel saved, ITestOutputHelper output) : IClassFixture<ModelFileTests.SavedModel>
{
    private static string FieldsRoot => Path.Combine(TestData.RepoRoot, "data", "fields");

    [Fact]
    public void Screen_writes_cells_fields_patients_overlays_and_crops_that_score_the_same_as_cell_files()
    {
        using var temp = TestData.NewTempFolder();
        var outDir = Path.Combine(temp.Path, "screen");
        var bad = Path.Combine(temp.Path, "extra", "broken.jpg");
        Directory.CreateDirectory(Path.GetDirectoryName(bad)!);
        File.WriteAllText(bad, "not a photograph");

        var result = CliProcess.Run(["screen", "--model", saved.Path, FieldsRoot, bad, "--out", outDir, "--save-crops",
            "--annotations", Path.Combine(FieldsRoot, "annotations.json")], timeout: TimeSpan.FromMinutes(5));
        output.WriteLine(result.Transcript);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains(result.Stderr, l => l.Contains("broken.jpg") && l.Contains("not a decodable image"));
        var cells = Rows(Path.Combine(outDir, "cells.csv"));
        var fields = Rows(Path.Combine(outDir, "fields.csv"));
        var patients = Rows(Path.Combine(outDir, "patients.csv"));
        Assert.Equal(["A-field-1.jpg", "A-field-2.jpg", "B-field-1.jpg"], fields.Select(f => f["field"]).Order());
        Assert.Equal(["patient-A", "patient-B"], patients.Select(p => p["patient"]));
        Assert.Equal("2", patients[0]["fields"]);
        foreach (var field in fields)
        {
            var own = cells.Where(c => c["field"] == field["field"]).ToList();
            Assert.Equal(own.Count(c => c["label"] != "excluded"), int.Parse(field["cells"], CultureInfo.InvariantCulture));
            Assert.Equal(own.Count(c => c["label"] == "Parasitized"), int.Parse(field["parasitized"], CultureInfo.InvariantCulture));
            var overlay = ImageDecoder.DecodeFile(Path.Combine(outDir, "overlays", Path.ChangeExtension(field["field"], ".png")));
            Assert.Equal((1280, 960), (overlay.Width, overlay.Height));
        }

        Assert.Equal(cells.Count(c => c["label"] != "excluded"), patients.Sum(p => int.Parse(p["cells"], CultureInfo.InvariantCulture)));
        Assert.Contains(cells, c => c["label"] == "excluded" && c["reason"] == "white blood cell");

        // A saved crop is what the model scored: predicting the file gives the probability in cells.csv.
        var crops = Directory.GetFiles(Path.Combine(outDir, "crops"), "*.png", SearchOption.AllDirectories);
        Assert.Equal(cells.Count(c => c["label"] != "excluded"), crops.Length);
        using var model = MalariaModel.Load(saved.Path);
        foreach (var crop in crops.Take(20))
        {
            var name = Path.GetFileNameWithoutExtension(crop);
            var id = name[(name.LastIndexOf('_') + 1)..];
            var field = name[..name.IndexOf("_cell_", StringComparison.Ordinal)] + ".jpg";
            var row = cells.Single(c => c["field"] == field && c["cell"] == id);
            Assert.InRange(model.Predict(crop).Probability - double.Parse(row["probability"], CultureInfo.InvariantCulture), -1e-6, 1e-6);
            Assert.Equal(row["label"], Path.GetFileName(Path.GetDirectoryName(crop)));
        }

        // The composed fields' boxes are exhaustive: nearly all of them are found.
        var comparison = Rows(Path.Combine(outDir, "annotations.csv"));
        var boxes = comparison.Sum(c => int.Parse(c["boxes"], CultureInfo.InvariantCulture));
        var matched = comparison.Sum(c => int.Parse(c["matched"], CultureInfo.InvariantCulture));
        Assert.True(matched >= 0.95 * boxes, $"{matched} of {boxes} boxes matched");
    }

    [Fact]
    public void Screen_fails_with_one_line_when_no_field_is_usable()
    {
        using var temp = TestData.NewTempFolder();
        var empty = Path.Combine(temp.Path, "empty.jpg");
        File.WriteAllBytes(empty, []);

        var result = CliProcess.Run(["screen", "--model", saved.Path, empty, "--out", Path.Combine(temp.Path, "out")], timeout: TimeSpan.FromMinutes(2));

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(result.Stderr, l => l.Contains("empty.jpg") && l.Contains("empty file"));
        Assert.Contains(result.Stderr, l => l.StartsWith("error: no field could be screened"));
    }

    private static List<Dictionary<string, string>> Rows(string csv)
    {
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }
}

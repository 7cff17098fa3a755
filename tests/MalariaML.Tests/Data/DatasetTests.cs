using MalariaML.Data;

namespace MalariaML.Tests.Data;

public class DatasetTests
{
    [Fact]
    public void Loads_the_committed_sample_with_classes_from_folder_names()
    {
        var dataset = TestData.Sample();
        Assert.Equal(["Parasitized", "Uninfected"], dataset.Classes);
        Assert.Equal("Parasitized", dataset.PositiveClass);
        Assert.Equal(155, dataset.Cells.Count(c => c.Label == "Parasitized"));
        Assert.Equal(134, dataset.Cells.Count(c => c.Label == "Uninfected"));
        Assert.True(dataset.IsPositive(dataset.Cells.First(c => c.Label == "Parasitized")));
    }

    [Fact]
    public void Summary_counts_usable_cells_patients_and_sizes()
    {
        var scan = DatasetScanner.Scan(TestData.Sample());
        var summary = DatasetSummary.From(scan);
        Assert.Empty(summary.Skipped);
        Assert.Equal(289, summary.Total);
        Assert.Equal(155, summary.Classes["Parasitized"]);
        Assert.Equal(16, summary.Patients["Parasitized"]);
        Assert.Equal(23, summary.Patients["Uninfected"]);
        Assert.Equal(23, summary.PatientCount);
        Assert.InRange(summary.Width.Min, 40, 200);
        Assert.InRange(summary.Width.Max, summary.Width.Min, 400);
        Assert.InRange(summary.Width.Median, summary.Width.Min, summary.Width.Max);
    }

    [Fact]
    public void A_corrupt_an_empty_and_a_fake_png_are_skipped_with_reasons()
    {
        using var temp = TestData.NewTempFolder();
        var good = TestData.SampleCells(5);
        foreach (var label in new[] { "Parasitized", "Uninfected" })
        {
            Directory.CreateDirectory(Path.Combine(temp.Path, label));
        }

        foreach (var c in good)
        {
            File.Copy(c.Path, Path.Combine(temp.Path, c.Label, Path.GetFileName(c.Path)));
        }

        var real = File.ReadAllBytes(good[0].Path);
        var truncated = Path.Combine(temp.Path, "Parasitized", "C1P1thinF_truncated.png");
        File.WriteAllBytes(truncated, real[..(real.Length / 2)]);
        var empty = Path.Combine(temp.Path, "Uninfected", "C2P2thinF_empty.png");
        File.WriteAllBytes(empty, []);
        var text = Path.Combine(temp.Path, "Uninfected", "C3P3thinF_text.png");
        File.WriteAllText(text, "this is not an image");

        var scan = DatasetScanner.Scan(CellDataset.Load(temp.Path));
        Assert.Equal(good.Count, scan.Usable.Count);
        var reasons = scan.Skipped.ToDictionary(s => s.Path, s => s.Reason);
        Assert.Equal(3, reasons.Count);
        Assert.Contains("truncated", reasons[truncated]);
        Assert.Contains("empty", reasons[empty]);
        Assert.Contains("not a decodable image", reasons[text]);
        Assert.Equal(good.Count, DatasetSummary.From(scan).Total);
    }

    [Fact]
    public void A_folder_without_class_folders_is_a_clear_error()
    {
        using var temp = TestData.NewTempFolder();
        var e = Assert.Throws<DatasetException>(() => CellDataset.Load(temp.Path));
        Assert.Contains("sub-folder per class", e.Message);
        Assert.Throws<DatasetException>(() => CellDataset.Load(Path.Combine(temp.Path, "missing")));
    }

    [SkippableFact]
    public void Summary_of_the_shared_development_set_matches_its_readme()
    {
        var shared = TestData.SharedRoot;
        Skip.If(shared is null, "../shared/data/cell_images is not present");
        var dataset = CellDataset.Load(shared!);
        // Listing only (decoding 14,000 files belongs to the CLI check, not to every test run).
        Assert.Equal(8001, dataset.Cells.Count(c => c.Label == "Parasitized"));
        Assert.Equal(6031, dataset.Cells.Count(c => c.Label == "Uninfected"));
        Assert.Equal(88, dataset.Cells.Select(c => c.PatientKey).Distinct().Count());
        Assert.Equal(66, dataset.Cells.Where(c => c.Label == "Parasitized").Select(c => c.PatientKey).Distinct().Count());
    }
}

using MalariaML.Data;
using MalariaML.Splits;

namespace MalariaML.Tests.Splits;

public class SplitTests
{
    [Fact]
    public void Patient_split_keeps_every_patient_in_one_part_and_covers_all_cells()
    {
        var dataset = TestData.Sample();
        var split = DatasetSplitter.Split(dataset, SplitStrategy.Patient, SplitRatios.Default, seed: 42);
        AssertNoPatientLeak(split);
        Assert.Equal(dataset.Cells.Count, split.Train.Count + split.Validation.Count + split.Test.Count);
        Assert.Equal(dataset.Cells.Select(c => c.Path).Order(), split.Train.Concat(split.Validation).Concat(split.Test).Select(c => c.Path).Order());
        Assert.All(new[] { split.Train, split.Validation, split.Test }, part =>
            Assert.Contains(part, c => c.Label == "Parasitized"));
    }

    [Theory]
    [InlineData(42)]
    [InlineData(7)]
    public void Patient_split_of_the_committed_sample_is_seed_stable_and_near_its_ratios(int seed)
    {
        var dataset = TestData.Sample();
        var ratios = SplitRatios.Default;
        var a = DatasetSplitter.Split(dataset, SplitStrategy.Patient, ratios, seed);
        var b = DatasetSplitter.Split(dataset, SplitStrategy.Patient, ratios, seed);
        var other = DatasetSplitter.Split(dataset, SplitStrategy.Patient, ratios, seed + 1);
        foreach (var part in Enum.GetValues<SplitPart>())
        {
            Assert.Equal(a[part].Select(c => c.Path), b[part].Select(c => c.Path));
        }

        Assert.NotEqual(a.Test.Select(c => c.Path).Order(), other.Test.Select(c => c.Path).Order());
        AssertNoPatientLeak(a);
        // Whole patients move between parts, so on 289 cells the shares can only come near the ratios.
        var n = (double)dataset.Cells.Count;
        Assert.InRange(a.Train.Count / n, ratios.Train - 0.1, ratios.Train + 0.1);
        Assert.InRange(a.Validation.Count / n, ratios.Validation - 0.07, ratios.Validation + 0.07);
        Assert.InRange(a.Test.Count / n, ratios.Test - 0.1, ratios.Test + 0.1);
    }

    [SkippableFact]
    public void Patient_split_of_the_shared_set_has_no_patient_in_two_parts_and_near_requested_ratios()
    {
        var shared = TestData.SharedRoot;
        Skip.If(shared is null, "../shared/data/cell_images is not present");
        var dataset = CellDataset.Load(shared!);
        var split = DatasetSplitter.Split(dataset, SplitStrategy.Patient, SplitRatios.Default, seed: 42);
        AssertNoPatientLeak(split);
        var n = (double)dataset.Cells.Count;
        Assert.InRange(split.Train.Count / n, 0.55, 0.65);
        Assert.InRange(split.Validation.Count / n, 0.07, 0.13);
        Assert.InRange(split.Test.Count / n, 0.25, 0.35);
        var overall = dataset.Cells.Count(c => c.Label == "Parasitized") / n;
        foreach (var part in new[] { split.Train, split.Validation, split.Test })
        {
            Assert.InRange(part.Count(c => c.Label == "Parasitized") / (double)part.Count, overall - 0.08, overall + 0.08);
        }
    }

    [Fact]
    public void Cell_split_is_stratified_seeded_and_follows_the_article_protocol()
    {
        var dataset = TestData.Sample();
        var a = DatasetSplitter.Split(dataset, SplitStrategy.Cell, SplitRatios.Article, seed: 7);
        var b = DatasetSplitter.Split(dataset, SplitStrategy.Cell, SplitRatios.Article, seed: 7);
        var c = DatasetSplitter.Split(dataset, SplitStrategy.Cell, SplitRatios.Article, seed: 8);
        Assert.Equal(a.Test.Select(x => x.Path), b.Test.Select(x => x.Path));
        Assert.NotEqual(a.Test.Select(x => x.Path), c.Test.Select(x => x.Path));
        // 155 parasitized: round(46.5)=46 test, round(7.07... of 155)=11 validation
        Assert.Equal((int)Math.Round(155 * 0.30), a.Test.Count(x => x.Label == "Parasitized"));
        Assert.Equal((int)Math.Round(134 * 0.30), a.Test.Count(x => x.Label == "Uninfected"));
        Assert.Equal((int)Math.Round(155 * 0.07), a.Validation.Count(x => x.Label == "Parasitized"));
    }

    [Fact]
    public void A_split_survives_a_round_trip_through_json_with_relative_paths()
    {
        var dataset = TestData.Sample();
        var split = DatasetSplitter.Split(dataset, SplitStrategy.Patient, new SplitRatios(0.7, 0.3, 0), seed: 1);
        Assert.Empty(split.Test);
        using var temp = TestData.NewTempFolder();
        var file = Path.Combine(temp.Path, "split.json");
        split.Save(file, dataset.Root);
        Assert.DoesNotContain(dataset.Root, File.ReadAllText(file));
        var loaded = DataSplit.Load(file, dataset.Root);
        Assert.Equal(split.Strategy, loaded.Strategy);
        Assert.Equal(split.Seed, loaded.Seed);
        Assert.Equal(split.Train, loaded.Train);
        Assert.Equal(split.Validation, loaded.Validation);
        Assert.Empty(loaded.Test);
    }

    [Fact]
    public void Ratios_parse_and_reject_bad_input()
    {
        Assert.Equal(new SplitRatios(0.6, 0.1, 0.3).ToString(), SplitRatios.Parse("0.6, 0.1, 0.3").ToString());
        Assert.Throws<FormatException>(() => SplitRatios.Parse("0.6,0.4"));
        Assert.Throws<ArgumentException>(() => SplitRatios.Parse("0.6,0.3,0.3"));
    }

    [Fact]
    public void Loading_a_file_that_is_not_a_split_is_a_clear_error()
    {
        using var temp = TestData.NewTempFolder();
        var file = Path.Combine(temp.Path, "bad.json");
        File.WriteAllText(file, "{\"hello\": 1}");
        var e = Assert.Throws<DatasetException>(() => DataSplit.Load(file, temp.Path));
        Assert.Contains("not a split file", e.Message);
    }

    private static void AssertNoPatientLeak(DataSplit split)
    {
        var train = split.Train.Select(c => c.PatientKey).ToHashSet();
        var validation = split.Validation.Select(c => c.PatientKey).ToHashSet();
        var test = split.Test.Select(c => c.PatientKey).ToHashSet();
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(validation.Intersect(test));
    }
}

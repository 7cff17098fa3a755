using System.IO.Compression;
using MalariaML.Inference;
using MalariaML.Inference.Ensemble;
using MalariaML.Models;

namespace MalariaML.Tests.Trust;

[Collection("torch")]
public class EnsembleTests
{
    [Fact]
    public void An_ensemble_of_one_saved_and_loaded_equals_its_member()
    {
        using var temp = TestData.NewTempFolder();
        var images = TrustFixtures.Cells();
        var memberPath = Path.Combine(temp.Path, "a.malaria");
        using (var member = TrustFixtures.BasicCnn(seed: 1))
        {
            member.UpdateMetadata(m => m with { Calibration = new MalariaML.Evaluation.Calibration.ModelCalibration(1.7, 10, 0.1, 0.05) });
            member.Save(memberPath);
        }

        using var loadedMember = MalariaModel.Load(memberPath);
        var expected = loadedMember.PredictProbabilities(images);
        var ensemblePath = Path.Combine(temp.Path, "e.malaria");
        using (var ensemble = EnsembleBuilder.Create([MalariaModel.Load(memberPath)]))
        {
            ensemble.Save(ensemblePath);
        }

        using var loaded = MalariaModel.Load(ensemblePath);
        Assert.Equal(EnsembleScorer.Kind, loaded.Metadata.ModelKind);
        Assert.Equal(expected, loaded.PredictProbabilities(images));
        Assert.Contains(expected, p => Math.Abs(p - 0.5) > 1e-4);
    }

    [Fact]
    public void An_ensemble_of_two_averages_its_members_and_its_file_checksums_cover_the_members()
    {
        using var temp = TestData.NewTempFolder();
        var images = TrustFixtures.Cells();
        var paths = new[] { 2, 3 }.Select(seed =>
        {
            var path = Path.Combine(temp.Path, $"m{seed}.malaria");
            using var m = TrustFixtures.BasicCnn(seed);
            m.Save(path);
            return path;
        }).ToList();
        float[] a, b;
        using (var ma = MalariaModel.Load(paths[0]))
        using (var mb = MalariaModel.Load(paths[1]))
        {
            (a, b) = (ma.PredictProbabilities(images), mb.PredictProbabilities(images));
        }

        var ensemblePath = Path.Combine(temp.Path, "e.malaria");
        using (var ensemble = EnsembleBuilder.Create(paths.Select(p => MalariaModel.Load(p)).ToList()))
        {
            ensemble.Save(ensemblePath);
        }

        using (var loaded = MalariaModel.Load(ensemblePath))
        {
            var mean = loaded.PredictProbabilities(images);
            for (var i = 0; i < mean.Length; i++)
            {
                Assert.Equal((a[i] + b[i]) / 2, mean[i], 6);
            }
        }

        // A member's metadata (its temperature) is covered like its weights.
        using (var zip = ZipFile.Open(ensemblePath, ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("member-1/metadata.json")!;
            string text;
            using (var reader = new StreamReader(entry.Open()))
            {
                text = reader.ReadToEnd();
            }

            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("member-1/metadata.json").Open());
            writer.Write(text.Replace("\"threshold\": 0.5", "\"threshold\": 0.1", StringComparison.Ordinal));
        }

        var error = Assert.Throws<ModelFileException>(() => MalariaModel.Load(ensemblePath));
        Assert.Contains("member-1/metadata.json", error.Message);
    }

    [Fact]
    public void Members_of_different_input_sizes_are_refused()
    {
        using var small = TrustFixtures.BasicCnn(seed: 1);
        using var other = new MalariaModel(new TrustFixtures.TopRowScorer(), TrustFixtures.Metadata(48));
        Assert.Throws<MalariaMLException>(() => EnsembleBuilder.Create([small, other]));
    }

    [Fact]
    public void An_ensembles_own_temperature_and_rule_are_fitted_on_validation_cells_and_applied_over_the_average()
    {
        using var temp = TestData.NewTempFolder();
        var dataset = TestData.Sample();
        var validation = dataset.Cells;
        var images = TrustFixtures.Cells();
        using var ensemble = EnsembleBuilder.Create([TrustFixtures.BasicCnn(seed: 4), TrustFixtures.BasicCnn(seed: 5)]);
        var average = ensemble.PredictProbabilities(images);

        var metadata = MalariaML.Training.ValidationFitting.RefitEnsemble(ensemble, validation, targetSensitivity: 0.98);

        Assert.NotNull(metadata.Calibration);
        Assert.Equal(validation.Count, metadata.Calibration!.Cells);
        Assert.NotEqual(1.0, metadata.Calibration.Temperature, 3);
        Assert.NotNull(metadata.PatientRule?.Fit);
        var expected = MalariaML.Evaluation.Calibration.TemperatureScaling.Apply(average, metadata.Calibration.Temperature);
        Assert.Equal(expected, ensemble.PredictProbabilities(images));
        var path = Path.Combine(temp.Path, "e.malaria");
        ensemble.Save(path);
        using var loaded = MalariaModel.Load(path);
        Assert.Equal(metadata.Calibration.Temperature, loaded.Temperature);
        Assert.Equal(expected, loaded.PredictProbabilities(images));
    }
}

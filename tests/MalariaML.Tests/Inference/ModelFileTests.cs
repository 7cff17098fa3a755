using System.IO.Compression;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Tests.Training;

namespace MalariaML.Tests.Inference;

[Collection("torch")]
public class ModelFileTests : IClassFixture<ModelFileTests.SavedModel>
{
    private readonly SavedModel _saved;

    public ModelFileTests(SavedModel saved) => _saved = saved;

    [Fact]
    public void A_saved_model_loads_and_predicts_exactly_as_before()
    {
        using var loaded = MalariaModel.Load(_saved.Path);
        Assert.Equal("basic-cnn", loaded.Metadata.ModelKind);
        Assert.Equal(ModelFile.CurrentFormatVersion, loaded.Metadata.FormatVersion);
        Assert.Equal(["Uninfected", "Parasitized"], loaded.Metadata.ClassNames);
        Assert.Equal(_saved.Model.Validation, loaded.Metadata.Metrics["validation"]);
        var files = TinyTraining.Split.Test.Take(20).Select(c => c.Path).ToList();
        var before = _saved.Model.Model.PredictMany(files).Predictions;
        var after = loaded.PredictMany(files).Predictions;
        Assert.Equal(before, after);
        var single = loaded.Predict(files[0]);
        Assert.Equal(before[0].Probability, single.Probability, 6);
        Assert.Equal(single.Probability, loaded.Predict(File.ReadAllBytes(files[0]), files[0]).Probability, 6);
    }

    [Fact]
    public void A_truncated_file_is_refused()
    {
        var bytes = File.ReadAllBytes(_saved.Path);
        var path = Write("truncated.malaria", bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void A_file_that_is_not_a_zip_is_refused()
    {
        var path = Write("text.malaria", "hello, I am not a model"u8.ToArray());
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Contains("not a MalariaML model", e.Reason);
    }

    [Fact]
    public void A_zip_with_a_missing_entry_is_refused()
    {
        var path = Rewrite("missing.malaria", zip => zip.GetEntry(TorchCellScorer.WeightsEntry)!.Delete());
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Contains($"missing entry '{TorchCellScorer.WeightsEntry}'", e.Reason);
    }

    [Fact]
    public void A_tampered_weight_byte_fails_the_checksum()
    {
        var path = Rewrite("tampered.malaria", ModelFileEdits.TamperWeights);
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Contains("checksum", e.Reason);
    }

    [Fact]
    public void Metadata_from_a_newer_format_version_is_refused()
    {
        var path = Rewrite("newer.malaria", zip => ModelFileEdits.EditMetadata(zip, m => m["formatVersion"] = ModelFile.CurrentFormatVersion + 1));
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Contains("newer", e.Reason);
    }

    [Fact]
    public void Weights_of_the_wrong_shape_are_refused_even_with_a_matching_checksum()
    {
        // A file claiming 64x64 input holds weights of a 32x32 network: the dense layer's shape differs.
        var path = Rewrite("shape.malaria", zip => ModelFileEdits.EditMetadata(zip, m => { m["inputWidth"] = 64; m["inputHeight"] = 64; }, reseal: true));
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Contains("do not fit", e.Reason);
    }

    public static TheoryData<string> MetadataEdits => ["threshold", "positiveClass", "className", "checksumList", "addedField"];

    [Theory]
    [MemberData(nameof(MetadataEdits))]
    public void An_edited_metadata_field_fails_the_checksum(string field)
    {
        // Each edit leaves a file the loader would otherwise accept: the positive class stays one of the two classes.
        var path = Rewrite($"edited-{field}.malaria", zip => ModelFileEdits.EditMetadata(zip, m =>
        {
            switch (field)
            {
                case "threshold": m["threshold"] = 0.9; break;
                case "positiveClass": m["positiveClass"] = "Uninfected"; break;
                case "className": m["classNames"]![0] = "Healthy"; break;
                case "checksumList": m["checksums"]!.AsObject()["extra.bin"] = new string('0', 64); break;
                case "addedField": m["note"] = "edited"; break;
            }
        }));
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("metadata.json fails its checksum", e.Reason);
    }

    [Fact]
    public void Rewriting_the_metadata_without_changing_a_value_still_loads()
    {
        // The control for the edits above: the helper re-serialises compactly, which alone must not break the seal.
        var path = Rewrite("reformatted.malaria", zip => ModelFileEdits.EditMetadata(zip, _ => { }));
        using var loaded = MalariaModel.Load(path);
        Assert.Equal(0.5, loaded.Metadata.Threshold);
        Assert.NotNull(loaded.Metadata.MetadataChecksum);
    }

    [Fact]
    public void Metadata_with_a_duplicated_property_is_refused_as_invalid()
    {
        // A JSON reader that kept the last of two "threshold" keys would see another threshold than the one sealed.
        var path = Rewrite("duplicate.malaria", zip =>
        {
            var entry = zip.GetEntry(ModelFile.MetadataEntry)!;
            string json;
            using (var reader = new StreamReader(entry.Open()))
            {
                json = reader.ReadToEnd();
            }

            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(ModelFile.MetadataEntry).Open());
            writer.Write(json.Replace("\"threshold\":", "\"threshold\": 0.9, \"threshold\":", StringComparison.Ordinal));
        });
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Contains("metadata is not valid", e.Reason);
    }

    [Fact]
    public void Metadata_of_the_current_format_without_its_checksum_is_refused()
    {
        var path = Rewrite("unsealed.malaria", zip => ModelFileEdits.EditMetadata(zip, m => m.Remove("metadataChecksum")));
        var e = Assert.Throws<ModelFileException>(() => MalariaModel.Load(path));
        Assert.Contains("lacks its checksum", e.Reason);
    }

    [Fact]
    public void A_format_1_file_loads_unverified_and_is_sealed_when_saved_again()
    {
        // What MalariaML 0.1 wrote: format 1, weights checksummed, metadata not.
        var path = Rewrite("format1.malaria", zip => ModelFileEdits.EditMetadata(zip, m =>
        {
            m.Remove("metadataChecksum");
            m["formatVersion"] = 1;
        }));
        using var old = MalariaModel.Load(path);
        Assert.Equal(1, old.Metadata.FormatVersion);
        Assert.Null(old.Metadata.MetadataChecksum);
        var file = TinyTraining.Split.Test[0].Path;
        Assert.Equal(_saved.Model.Model.Predict(file).Probability, old.Predict(file).Probability, 6);

        var resaved = System.IO.Path.Combine(_saved.Folder.Path, "format1-resaved.malaria");
        old.Save(resaved);
        using var sealedModel = MalariaModel.Load(resaved);
        Assert.Equal(ModelFile.CurrentFormatVersion, sealedModel.Metadata.FormatVersion);
        Assert.NotNull(sealedModel.Metadata.MetadataChecksum);
    }

    private string Write(string name, byte[] bytes)
    {
        var path = System.IO.Path.Combine(_saved.Folder.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Rewrite(string name, Action<ZipArchive> change)
    {
        var path = Write(name, File.ReadAllBytes(_saved.Path));
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            change(zip);
        }

        return path;
    }

    /// <summary>One tiny trained model saved once for all tests of this class.</summary>
    public sealed class SavedModel : IDisposable
    {
        public SavedModel()
        {
            Model = TinyTraining.Train(TinyTraining.Options(epochs: 1));
            Path = System.IO.Path.Combine(Folder.Path, "tiny.malaria");
            Model.Model.Save(Path);
        }

        public TempFolder Folder { get; } = TestData.NewTempFolder();

        public MalariaML.Training.TrainedModel Model { get; }

        public string Path { get; }

        public void Dispose()
        {
            Model.Model.Dispose();
            Folder.Dispose();
        }
    }
}

using System.IO.Compression;
using System.Text;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Splits;
using MalariaML.Training;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace MalariaML.Tests.Models;

/// <summary>
/// Random VGG-19 weights written under torchvision's key names, with PyBridge, as .safetensors and .pth, once for the
/// whole class (about 80 MB each): VGG-19 weights cannot be downloaded in tests.
/// </summary>
public sealed class Vgg19WeightFiles : IDisposable
{
    public Vgg19WeightFiles()
    {
        MalariaML.Runtime.TorchRuntime.EnsureInitialized();
        torch.manual_seed(1234);
        Original = new Vgg19Backbone();
        Folder = TestData.NewTempFolder();
        Safetensors = Path.Combine(Folder.Path, "vgg19.safetensors");
        Pth = Path.Combine(Folder.Path, "vgg19.pth");
        Write(Safetensors, TorchVisionStateDict());
        Write(Pth, TorchVisionStateDict());
    }

    internal Vgg19Backbone Original { get; }

    public TempFolder Folder { get; }

    public string Safetensors { get; }

    public string Pth { get; }

    /// <summary>The original weights under torchvision keys, plus a <c>classifier.*</c> key the import must ignore.</summary>
    public Dictionary<string, Tensor> TorchVisionStateDict()
    {
        var state = Original.named_parameters().ToDictionary(p => Vgg19LayerNames.TorchVisionKey(p.name), p => p.parameter.detach());
        state["classifier.6.bias"] = torch.zeros(1000);
        return state;
    }

    /// <summary>Writes a state_dict with PyBridge, in the format the extension names.</summary>
    public static void Write(string path, Dictionary<string, Tensor> state)
    {
        if (path.EndsWith(".safetensors", StringComparison.Ordinal))
        {
            using var stream = File.Create(path);
            TorchSharp.PyBridge.Safetensors.SaveStateDict(stream, state);
        }
        else
        {
            using var stream = File.Create(path);
            PyTorchPickler.PickleStateDict(stream, state);
        }
    }

    public void Dispose()
    {
        Original.Dispose();
        Folder.Dispose();
    }
}

[Collection("torch")]
public sealed class Vgg19Tests : IClassFixture<Vgg19WeightFiles>
{
    private readonly Vgg19WeightFiles _files;

    public Vgg19Tests(Vgg19WeightFiles files) => _files = files;

    [Fact]
    public void Layer_names_map_to_torchvision_features_indices()
    {
        // torchvision's vgg19 (configuration E): conv+ReLU pairs, a max pooling after each block.
        Assert.Equal("features.0", Vgg19LayerNames.TorchVisionConv(0, 0));
        Assert.Equal("features.5", Vgg19LayerNames.TorchVisionConv(1, 0));
        Assert.Equal("features.16", Vgg19LayerNames.TorchVisionConv(2, 3));
        Assert.Equal("features.19", Vgg19LayerNames.TorchVisionConv(3, 0));
        Assert.Equal("features.34", Vgg19LayerNames.TorchVisionConv(4, 3));
        Assert.Equal("features.23.weight", Vgg19LayerNames.TorchVisionKey("block4.2.weight"));
        Assert.Throws<InvalidOperationException>(() => Vgg19LayerNames.TorchVisionKey("block6.0.weight"));

        var keys = _files.Original.named_parameters().Select(p => Vgg19LayerNames.TorchVisionKey(p.name)).ToList();
        Assert.Equal(32, keys.Count);
        Assert.Equal(keys.Count, keys.Distinct().Count());
        Assert.Equal(20_024_384, _files.Original.parameters().Sum(p => p.numel())); // torchvision's vgg19.features
    }

    [Theory]
    [InlineData("safetensors")]
    [InlineData("pth")]
    public void Weights_load_from_safetensors_and_pth_and_classifier_keys_are_ignored(string format)
    {
        var path = format == "pth" ? _files.Pth : _files.Safetensors;
        Assert.Equal(format == "pth" ? StateDictFormat.TorchZip : StateDictFormat.Safetensors, StateDictFile.DetectFormat(path));
        using var classifier = new Vgg19Classifier(path, pretrained: true, trainableBlocks: 0);
        var loaded = classifier.Backbone.named_parameters().ToList();
        var original = _files.Original.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(original.Count, loaded.Count);
        Assert.All(loaded, p => Assert.True(p.parameter.shape.SequenceEqual(original[p.name].shape) && p.parameter.eq(original[p.name]).all().item<bool>(), p.name));
        Assert.Equal(ScalarType.Float32, loaded[0].parameter.dtype);
    }

    [Fact]
    public void Features_are_512_wide_and_forward_gives_one_logit_per_image()
    {
        using var classifier = new Vgg19Classifier(null, pretrained: false, trainableBlocks: 0);
        classifier.eval();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var images = rand(2, 3, 32, 32);
        var features = classifier.Features(images);
        Assert.Equal(new long[] { 2, Vgg19Backbone.FeatureCount }, features.shape);
        Assert.True(features.isfinite().all().item<bool>());
        Assert.Equal(new long[] { 2 }, classifier.call(images).shape);

        // Normalisation is torchvision's: an image equal to the ImageNet mean enters the backbone as zeros.
        var mean = tensor(Vgg19Classifier.ImageNetMean.ToArray()).view(1, 3, 1, 1).expand(1, 3, 32, 32);
        Assert.True(classifier.Features(mean).allclose(classifier.Backbone.call(zeros(1, 3, 32, 32))));

        var error = Assert.Throws<ArgumentException>(() => classifier.call(rand(1, 3, 16, 16)));
        Assert.Contains("32", error.Message);
    }

    [Fact]
    public void A_missing_key_is_named_in_the_error()
    {
        var path = Path.Combine(_files.Folder.Path, "missing.safetensors");
        var state = _files.TorchVisionStateDict();
        state.Remove("features.34.bias");
        Vgg19WeightFiles.Write(path, state);

        var error = Assert.Throws<WeightsFileException>(() => new Vgg19Classifier(path, pretrained: true, trainableBlocks: 0));
        Assert.Contains("missing key features.34.bias", error.Message);
        Assert.Contains(path, error.Message);
        File.Delete(path);
    }

    [Fact]
    public void A_wrong_shape_is_named_in_the_error()
    {
        var path = Path.Combine(_files.Folder.Path, "shape.pth");
        var state = _files.TorchVisionStateDict();
        state["features.0.weight"] = zeros(64, 3, 5, 5);
        Vgg19WeightFiles.Write(path, state);

        var error = Assert.Throws<WeightsFileException>(() => new Vgg19Classifier(path, pretrained: true, trainableBlocks: 0));
        Assert.Contains("features.0.weight has shape [64, 3, 5, 5], expected [64, 3, 3, 3]", error.Message);
        Assert.Contains(path, error.Message);
        File.Delete(path);
    }

    [Fact]
    public void Vgg19_without_weights_says_how_to_supply_them()
    {
        foreach (var name in new[] { ModelCatalog.Vgg19Frozen, ModelCatalog.Vgg19FineTune })
        {
            var error = Assert.Throws<MalariaMLException>(() => ModelCatalog.Get(name).CreateNetwork!(new ModelBuildOptions(125)));
            Assert.StartsWith("vgg19-* needs --weights FILE: a PyTorch state_dict (.pth or .safetensors) of torchvision's vgg19; no weights ship with MalariaML", error.Message);
        }

        var notFound = Assert.Throws<WeightsFileException>(() => new Vgg19Classifier(Path.Combine(_files.Folder.Path, "nope.pth"), true, 0));
        Assert.Contains("file not found", notFound.Message);
    }

    [Fact]
    public void Unsupported_or_hostile_files_fail_with_a_typed_error_and_run_no_code()
    {
        // A legacy (pre-1.6) torch.save file is a bare pickle: refused with a re-save hint.
        var legacy = Path.Combine(_files.Folder.Path, "legacy.pth");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, (byte)'.']);
        Assert.Contains("legacy", Assert.Throws<WeightsFileException>(() => StateDictFile.DetectFormat(legacy)).Message);

        var junk = Path.Combine(_files.Folder.Path, "junk.safetensors");
        File.WriteAllText(junk, "not weights at all");
        Assert.Throws<WeightsFileException>(() => new Vgg19Classifier(junk, true, 0));

        // A torch.save archive whose pickle calls os.system, as a malicious .pth would under Python's torch.load.
        var marker = Path.Combine(_files.Folder.Path, "pwned");
        var hostile = Path.Combine(_files.Folder.Path, "hostile.pth");
        using (var zip = ZipFile.Open(hostile, ZipArchiveMode.Create))
        using (var pickle = zip.CreateEntry("archive/data.pkl").Open())
        {
            var command = Encoding.UTF8.GetBytes($"touch {marker}");
            pickle.Write([0x80, 0x02]); // PROTO 2
            pickle.Write(Encoding.ASCII.GetBytes("cos\nsystem\n")); // GLOBAL os.system
            pickle.WriteByte((byte)'X'); // BINUNICODE
            pickle.Write(BitConverter.GetBytes(command.Length));
            pickle.Write(command);
            pickle.Write([0x85, (byte)'R', (byte)'.']); // TUPLE1, REDUCE, STOP
        }

        Assert.Equal(StateDictFormat.TorchZip, StateDictFile.DetectFormat(hostile));
        var error = Assert.Throws<WeightsFileException>(() => StateDictFile.Read(hostile, ["features.0.weight"]));
        Assert.Contains("malformed", error.Message);
        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void Fine_tuning_trains_blocks_4_and_5_and_the_head_and_a_model_file_needs_no_weights_file()
    {
        // Pretrained: false is how a .malaria file rebuilds the network before loading its own weights.
        using var network = ModelCatalog.Get(ModelCatalog.Vgg19FineTune).CreateNetwork!(new ModelBuildOptions(125, Pretrained: false));
        var trainable = network.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.All(trainable, n => Assert.True(n.StartsWith("backbone.block4.") || n.StartsWith("backbone.block5.") || n.StartsWith("head."), n));
        Assert.Contains("backbone.block4.0.weight", trainable);
        Assert.Contains("backbone.block5.3.bias", trainable);
        Assert.DoesNotContain("backbone.block3.3.weight", trainable);
    }

    [Fact]
    public void Frozen_vgg19_trains_on_features_cached_per_weights_and_reloads_from_its_model_file()
    {
        using var folder = TestData.NewTempFolder();
        var split = new DataSplit(SplitStrategy.Cell, 1, SplitRatios.Default, TestData.SampleCells(3), TestData.SampleCells(1), TestData.SampleCells(1));
        var options = new ModelTrainingOptions
        {
            Model = ModelCatalog.Vgg19Frozen,
            ImageSize = 32,
            Epochs = 1,
            BatchSize = 8,
            Seed = 5,
            Device = "cpu",
            EarlyStoppingPatience = 0,
            WeightsPath = _files.Pth,
            CacheDirectory = folder.Path,
        };
        var trained = ModelTrainer.Train(split, ["Parasitized", "Uninfected"], "Parasitized", options);
        using var model = trained.Model;

        // The cache is named by the weights loaded (equal from either format), and other weights get another name.
        var expectedId = $"vgg19-{_files.Original.WeightsFingerprint()}";
        var cacheFile = Path.GetFileName(Directory.GetFiles(folder.Path).Single());
        Assert.StartsWith(expectedId + "-32-512", cacheFile);
        using (var other = new Vgg19Classifier(null, false, 0))
        {
            Assert.NotEqual(expectedId, other.FeatureExtractorId);
        }

        var file = Path.Combine(folder.Path, "vgg.malaria");
        model.Save(file);
        using var reloaded = MalariaModel.Load(file);
        foreach (var cell in split.Test)
        {
            Assert.Equal(model.Predict(cell.Path).Probability, reloaded.Predict(cell.Path).Probability, 6);
        }
    }
}

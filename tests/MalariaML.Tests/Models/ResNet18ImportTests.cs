using MalariaML.Models;
using MalariaML.Models.Onnx;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MalariaML.Tests.Models;

/// <summary>
/// Checks the TorchSharp rebuild of the DnnImageFeaturizer ResNet18 against ONNX Runtime running the
/// shipped ONNX files, on real cell images, and checks that imports fail loudly.
/// </summary>
[Collection("torch")]
public sealed class ResNet18ImportTests
{
    // Measured on 8 real cells (4 per class) at 224x224, libtorch 2.10 CPU vs ONNX Runtime 1.31.1 CPU:
    // max |diff| 2.0e-5 on features up to 12.5 (relative 1.6e-6); the preprocessing matches exactly.
    // The bounds leave 50x headroom for other CPUs and kernels yet still catch mapping mistakes, which
    // move features by far more (swapping two BN variances: 26; a one-pixel misalignment: 1.5).
    private const double MaxAbsTolerance = 1e-3;
    private const double MaxRelativeTolerance = 1e-4;
    private const int CellsPerClass = 4;
    private const int Size = ResNet18Backbone.NativeInputSize;

    private static readonly Lazy<OnnxModel> ResNetOnnx = new(() => OnnxModelReader.Read(ResNet18ModelFiles.LocateResNet18()));

    private readonly ITestOutputHelper _output;

    public ResNet18ImportTests(ITestOutputHelper output)
    {
        _output = output;
        MalariaML.Runtime.TorchRuntime.EnsureInitialized();
    }

    [Fact]
    public void ImportedBackboneMatchesOnnxRuntimeOnRealCells()
    {
        var images = LoadCells(Size);
        int n = images.Count;

        // (a) ONNX Runtime, one image at a time as ML.NET does (the ONNX graphs have batch size 1).
        var expectedFeatures = new float[n][];
        var expectedPreprocessed = new float[n][];
        using (var prep = new InferenceSession(ResNet18ModelFiles.LocatePreprocessing()))
        using (var net = new InferenceSession(ResNet18ModelFiles.LocateResNet18()))
        {
            for (int i = 0; i < n; i++)
            {
                expectedPreprocessed[i] = RunSingle(prep, "OriginalInput", images[i], [1, 3, Size, Size], "PreprocessedInput");
                expectedFeatures[i] = RunSingle(net, "Input247", expectedPreprocessed[i], [1, 3, Size, Size], "Pooling395_Output_0");
            }
        }

        // (b) The imported TorchSharp modules, the whole batch at once.
        using var preprocessing = ResNet18Preprocessing.Load();
        using var backbone = new ResNet18Backbone();
        ResNet18OnnxImporter.Import(backbone, ResNetOnnx.Value);
        backbone.eval();
        float[] preprocessed, features;
        using (no_grad())
        using (var batch = torch.tensor(images.SelectMany(x => x).ToArray(), new long[] { n, 3, Size, Size }))
        using (var input = preprocessing.call(batch))
        using (var output = backbone.call(input))
        {
            Assert.Equal(new long[] { n, ResNet18Backbone.FeatureCount }, output.shape);
            preprocessed = input.data<float>().ToArray();
            features = output.data<float>().ToArray();
        }

        var (prepAbs, _) = Compare(expectedPreprocessed, preprocessed);
        var (maxAbs, maxRef) = Compare(expectedFeatures, features);
        double relative = maxAbs / maxRef;
        _output.WriteLine($"{n} cells at {Size}x{Size}: preprocessing max |diff| {prepAbs:E2}; " +
            $"features max |diff| {maxAbs:E2}, max |feature| {maxRef:F3}, relative (max |diff| / max |feature|) {relative:E2} " +
            $"(tolerances {MaxAbsTolerance:E0} / {MaxRelativeTolerance:E0})");

        Assert.True(prepAbs < 1e-4, $"preprocessing differs from ResNetPreprocess.onnx by {prepAbs}");
        Assert.True(maxRef > 0.1, "features are suspiciously small; the comparison would be vacuous");
        Assert.True(maxAbs < MaxAbsTolerance, $"max |diff| {maxAbs} exceeds {MaxAbsTolerance}");
        Assert.True(relative < MaxRelativeTolerance, $"relative diff {relative} exceeds {MaxRelativeTolerance}");
    }

    [Fact]
    public void ImporterThrowsAndLeavesModuleUntouchedWhenAnInitializerIsMissing()
    {
        var model = ResNetOnnx.Value;

        // The variance of the very last batch norm (layer4.2.bn2): found by following the graph, not by name.
        var lastBn = model.Graph.Nodes.Last(nd => nd.OpType == "BatchNormalization");
        string removed = lastBn.Inputs[4];
        var initializers = model.Graph.Initializers.Where(kv => kv.Key != removed).ToDictionary();
        var broken = model with { Graph = model.Graph with { Initializers = initializers } };

        using var backbone = new ResNet18Backbone();
        var before = backbone.named_parameters().ToDictionary(p => p.name, p => p.parameter.clone());

        var ex = Assert.Throws<ModelImportException>(() => ResNet18OnnxImporter.Import(backbone, broken));
        _output.WriteLine(ex.Message);
        Assert.Contains(removed, ex.Message);
        Assert.Equal(model.SourceName, ex.SourceName);
        foreach (var (name, parameter) in backbone.named_parameters())
        {
            Assert.True(parameter.eq(before[name]).all().item<bool>(), $"{name} was modified by a failed import");
        }
    }

    [Fact]
    public void ImporterRefusesAGraphWhosePaddingDiffersFromTheModule()
    {
        var model = ResNetOnnx.Value;
        var stem = model.Graph.Nodes.First(nd => nd.OpType == "Conv");
        var pads = stem.Attributes["pads"] with { Ints = [3, 3, 3, 3] };
        var symmetricStem = stem with { Attributes = new Dictionary<string, OnnxAttribute>(stem.Attributes) { ["pads"] = pads } };
        var nodes = model.Graph.Nodes.Select(nd => ReferenceEquals(nd, stem) ? symmetricStem : nd).ToList();
        var altered = model with { Graph = model.Graph with { Nodes = nodes } };

        using var backbone = new ResNet18Backbone();
        var ex = Assert.Throws<ModelImportException>(() => ResNet18OnnxImporter.Import(backbone, altered));
        _output.WriteLine(ex.Message);
        Assert.Contains("pads [3, 3, 3, 3]", ex.Message);
    }

    [Fact]
    public void ImporterMapsEveryParameterAndBufferExactlyOnce()
    {
        using var backbone = new ResNet18Backbone();
        var state = ResNet18OnnxImporter.MapInitializers(backbone, ResNetOnnx.Value);

        // 22 convolutions, 22 batch norms with 4 tensors each, and every initializer used exactly once.
        Assert.Equal(22 + (22 * 4), state.Count);
        Assert.Equal(ResNetOnnx.Value.Graph.Initializers.Count, state.Values.Select(t => t.Name).Distinct().Count());
        Assert.Equal(22, backbone.named_parameters().Count(p => p.parameter.dim() == 4));
        Assert.Equal(ResNetOnnx.Value.Graph.Nodes.Last(nd => nd.OpType == "BatchNormalization").Inputs[4], state["layer4.2.bn2.running_var"].Name);
        Assert.Equal(ResNetOnnx.Value.Graph.Nodes.First(nd => nd.OpType == "Conv").Inputs[1], state["stem_conv.weight"].Name);
    }

    [Fact]
    public void ReaderRefusesMalformedFilesWithTheirName()
    {
        byte[] bytes = File.ReadAllBytes(ResNet18ModelFiles.LocatePreprocessing());

        var truncated = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Parse(bytes.AsSpan(0, bytes.Length / 2), "half.onnx"));
        Assert.Equal("half.onnx", truncated.SourceName);
        Assert.Contains("half.onnx", truncated.Message);
        _output.WriteLine(truncated.Message);

        var text = Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Parse("not a model"u8, "text.onnx"));
        _output.WriteLine(text.Message);
        Assert.Throws<OnnxFormatException>(() => OnnxModelReader.Parse([], "empty.onnx"));
    }

    [Fact]
    public void BackboneAcceptsOtherSizesAndBatchSizes()
    {
        using var preprocessing = ResNet18Preprocessing.Load();
        using var backbone = ResNet18Backbone.LoadPretrained();
        var cells = LoadCells(125).Take(3).ToList();
        using var _ = no_grad();
        using var batch = torch.tensor(cells.SelectMany(x => x).ToArray(), new long[] { cells.Count, 3, 125, 125 });
        using var input = preprocessing.call(batch);
        using var features = backbone.call(input);

        Assert.Equal(new long[] { cells.Count, ResNet18Backbone.FeatureCount }, features.shape);
        Assert.True(features.isfinite().all().item<bool>());
        Assert.Equal(3, preprocessing.ChannelMeansBgr.Count);
        Assert.InRange(preprocessing.ChannelMeansBgr[0], 102.5f, 103.5f);
        Assert.InRange(preprocessing.ChannelMeansBgr[2], 122.5f, 123.5f);
    }

    [Fact]
    public void FreezeExceptLastStagesTrainsOnlyTheLastStages()
    {
        using var backbone = new ResNet18Backbone();
        backbone.FreezeExceptLastStages(2);
        backbone.train();

        foreach (var (name, parameter) in backbone.named_parameters())
        {
            bool trainable = name.StartsWith(ResNet18LayerNames.Stage3 + ".", StringComparison.Ordinal)
                || name.StartsWith(ResNet18LayerNames.Stage4 + ".", StringComparison.Ordinal);
            Assert.True(parameter.requires_grad == trainable, $"{name}: requires_grad {parameter.requires_grad}");
        }

        Assert.False(backbone.Stages[1][0].training, "frozen stages must keep their batch-norm statistics");
        Assert.True(backbone.Stages[2][0].training);
        backbone.FreezeExceptLastStages(4);
        Assert.All(backbone.parameters(), p => Assert.True(p.requires_grad));
    }

    private static float[] RunSingle(InferenceSession session, string inputName, float[] data, long[] shape, string outputName)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(data, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [inputName], [input], [outputName]);
        return outputs[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static (double MaxAbsDiff, double MaxAbsReference) Compare(float[][] expected, float[] actual)
    {
        double maxAbs = 0, maxRef = 0;
        int offset = 0;
        foreach (var row in expected)
        {
            for (int j = 0; j < row.Length; j++)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(row[j] - actual[offset + j]));
                maxRef = Math.Max(maxRef, Math.Abs(row[j]));
            }

            offset += row.Length;
        }

        Assert.Equal(offset, actual.Length);
        return (maxAbs, maxRef);
    }

    /// <summary>The first cells of each class (sorted by name), resized, as RGB 0..255 CHW floats.</summary>
    private static List<float[]> LoadCells(int size)
    {
        var files = new[] { "Parasitized", "Uninfected" }
            .SelectMany(label => Directory.GetFiles(Path.Combine(TestData.SampleRoot, label), "*.png")
                .Order(StringComparer.Ordinal).Take(CellsPerClass))
            .ToList();
        Assert.Equal(2 * CellsPerClass, files.Count);

        var images = files.Select(f => TestData.PlanarPixels(f, size, 1f)).ToList();
        return images;
    }
}

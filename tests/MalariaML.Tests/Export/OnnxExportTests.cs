using MalariaML.Data;
using MalariaML.Export;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Runtime;
using Microsoft.ML.OnnxRuntime;
using ModelMetadata = MalariaML.Inference.ModelMetadata;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MalariaML.Tests.Export;

/// <summary>
/// Every TorchSharp model kind, exported to ONNX, gives in ONNX Runtime the outputs TorchSharp gives, on real sample
/// cells, at batch 1 and batch 6. ResNet18 carries the shipped ImageNet weights (and at 224 px the mean image); VGG-19 and
/// basic-cnn have seeded random weights (no VGG-19 weights ship).
/// </summary>
[Collection("torch")]
public class OnnxExportTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    public static TheoryData<string, int> Kinds => new()
    {
        { ModelCatalog.BasicCnn, 64 },
        { ModelCatalog.ResNet18Frozen, 224 },    // the mean-image path
        { ModelCatalog.ResNet18FineTune, 125 },  // odd size: asymmetric "same" pads in every stride-2 layer
        { ModelCatalog.Vgg19Frozen, 64 },
        { ModelCatalog.Vgg19FineTune, 125 },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Onnx_runtime_gives_the_outputs_of_torchsharp(string kind, int size)
    {
        TorchRuntime.EnsureInitialized();
        manual_seed(7);
        var definition = ModelCatalog.Get(kind);
        var pretrained = kind.StartsWith("resnet18", StringComparison.Ordinal);
        using var model = new MalariaModel(new TorchCellScorer(definition.CreateNetwork!(new ModelBuildOptions(size, Pretrained: pretrained))), Metadata(kind, size));
        var network = ((TorchCellScorer)model.Scorer).Network;
        network.eval();
        Enliven(network, keepBackbone: pretrained);

        var images = SampleImages(size, perClass: 3);
        using var temp = TestData.NewTempFolder();
        var path = Path.Combine(temp.Path, kind + ".onnx");
        model.ExportOnnx(path);
        using var session = new InferenceSession(path);

        float[] torchLogits;
        using (inference_mode())
        using (var scope = NewDisposeScope())
        {
            torchLogits = network.call(CellImageLoader.ToTensor(images)).data<float>().ToArray();
        }

        var (logits, probabilities) = Run(session, images, size);
        var single = images.Select(i => Run(session, [i], size)).ToList();
        var worst = 0.0;
        for (var i = 0; i < images.Count; i++)
        {
            var probability = 1 / (1 + Math.Exp(-torchLogits[i]));
            worst = Math.Max(worst, Math.Abs(logits[i] - torchLogits[i]));
            Assert.Equal(torchLogits[i], logits[i], Tolerance);
            Assert.Equal(probability, probabilities[i], Tolerance);
            Assert.Equal(torchLogits[i], single[i].Logits[0], Tolerance);
            Assert.Equal(probability, single[i].Probabilities[0], Tolerance);
        }

        output.WriteLine($"{kind} {size}px: logits {string.Join(", ", torchLogits.Select(l => l.ToString("F4")))}; max |ONNX - TorchSharp| {worst:E2}");
        // The outputs depend on the cells, so an exported graph that ignored its input could not match.
        Assert.True(torchLogits.Max() - torchLogits.Min() > 100 * Tolerance, $"logits barely differ between cells: {string.Join(", ", torchLogits)}");
    }

    [Fact]
    public void The_onnx_file_says_how_to_feed_it()
    {
        TorchRuntime.EnsureInitialized();
        using var model = new MalariaModel(new TorchCellScorer(new BasicCnn(40)), Metadata(ModelCatalog.BasicCnn, 40) with { Threshold = 0.37, Sampling = "Nearest" });
        using var session = new InferenceSession(ModelOnnxExport.ToBytes(model));
        var props = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("NCHW", props["layout"]);
        Assert.Equal("RGB", props["channel_order"]);
        Assert.Equal(1.0 / 255, double.Parse(props["scale"], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.Equal("", props["mean"]);
        Assert.Equal("", props["std"]);
        Assert.Equal("nearest", props["resize"]);
        Assert.Equal("40x40", props["input_size"]);
        Assert.Equal("Parasitized", props["positive_class"]);
        Assert.Equal("0.37", props["threshold"]);
        Assert.Equal("probability", props["output"]);
        Assert.Equal("Uninfected,Parasitized", props["class_names"]);
        var input = session.InputMetadata[OnnxExporter.InputName];
        Assert.Equal([-1, 3, 40, 40], input.Dimensions);
        Assert.Equal("batch", input.SymbolicDimensions[0]);
        Assert.Equal([-1], session.OutputMetadata[OnnxExporter.ProbabilityOutput].Dimensions);
    }

    [Fact]
    public void The_ml_net_baseline_is_refused_with_a_clear_message()
    {
        using var model = new MalariaModel(new ConstantScorer(), Metadata(ModelCatalog.ResNet18MlNet, 224));
        var e = Assert.Throws<OnnxExportException>(() => ModelOnnxExport.ToBytes(model));
        Assert.Contains("ML.NET", e.Message);
        Assert.Contains("basic-cnn", e.Message);
    }

    /// <summary>
    /// Seeded He-normal weights, so that a random network's logits depend on its input: the default initialisation shrinks
    /// activations layer by layer until VGG-19's output is one constant, which a broken graph could match too. The shipped
    /// ResNet18 backbone is kept.
    /// </summary>
    private static void Enliven(nn.Module network, bool keepBackbone)
    {
        using var noGrad = no_grad();
        var generator = new TorchSharp.torch.Generator(seed: 5);
        foreach (var (name, parameter) in network.named_parameters())
        {
            if (keepBackbone && name.StartsWith("backbone.", StringComparison.Ordinal))
            {
                continue;
            }

            if (parameter.dim() >= 2)
            {
                var fanIn = parameter.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                parameter.normal_(0, Math.Sqrt(2.0 / fanIn) * (name.StartsWith("head.output", StringComparison.Ordinal) ? 0.2 : 1), generator);
            }
            else
            {
                parameter.uniform_(-0.05, 0.05, generator);
            }
        }
    }

    internal static ModelMetadata Metadata(string kind, int size) => new()
    {
        ModelKind = kind,
        InputWidth = size,
        InputHeight = size,
        ClassNames = ["Uninfected", "Parasitized"],
        PositiveClass = "Parasitized",
    };

    internal static IReadOnlyList<RgbImage> SampleImages(int size, int perClass)
        => TestData.SampleCells(perClass).Select(c => ImageDecoder.DecodeFile(c.Path, ImageLoadOptions.Square(size))).ToList();

    private static (float[] Logits, float[] Probabilities) Run(InferenceSession session, IReadOnlyList<RgbImage> images, int size)
    {
        // Fed the way the metadata says, independently of the library's scorer: planar RGB times 1/255.
        var input = images.SelectMany(i => TestData.Planar(i, 1f / 255f)).ToArray();
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [images.Count, 3, size, size]);
        using var options = new RunOptions();
        using var results = session.Run(options, [OnnxExporter.InputName], [tensor], [OnnxExporter.LogitOutput, OnnxExporter.ProbabilityOutput]);
        return (results[0].GetTensorDataAsSpan<float>().ToArray(), results[1].GetTensorDataAsSpan<float>().ToArray());
    }

    private sealed class ConstantScorer : ICellScorer
    {
        public float[] Score(IReadOnlyList<RgbImage> images) => new float[images.Count];

        public IReadOnlyDictionary<string, byte[]> Save() => new Dictionary<string, byte[]>();

        public void Dispose()
        {
        }
    }
}

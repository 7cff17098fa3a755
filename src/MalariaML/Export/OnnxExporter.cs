using System.Globalization;
using MalariaML.Models;
using static TorchSharp.torch;

namespace MalariaML.Export;

/// <summary>
/// Writes a TorchSharp network (<c>basic-cnn</c>, <c>resnet18-*</c>, <c>vgg19-*</c>) as an ONNX model that ONNX
/// Runtime (or any ONNX runtime with opset 17) runs without MalariaML: dynamic batch size, and the preprocessing written
/// into <c>metadata_props</c> (see <see cref="OnnxMetadataKeys"/>) so the <c>.onnx</c> file alone says how to feed it.
/// Export a trained model with <c>MalariaModel.ExportOnnx</c>.
/// </summary>
/// <remarks>
/// TorchSharp has no exporter, so each network's graph is written operator by operator (<c>NetworkGraphs</c>) from its
/// parameters and buffers, and serialised by a small protobuf writer. The graph's input is what the network takes:
/// <c>image</c>, float (N, 3, H, W), RGB bytes times 1/255; its outputs are <c>probability</c> (N) of the positive
/// class and <c>logit</c> (N).
/// </remarks>
public static class OnnxExporter
{
    /// <summary>Name of the graph input.</summary>
    public const string InputName = "image";

    /// <summary>Name of the output holding the probability of the positive class.</summary>
    public const string ProbabilityOutput = "probability";

    /// <summary>Name of the output holding the logit (before the sigmoid).</summary>
    public const string LogitOutput = "logit";

    /// <summary>The model kinds that export.</summary>
    public static IReadOnlyList<string> ExportableKinds { get; } =
        [ModelCatalog.BasicCnn, ModelCatalog.ResNet18Frozen, ModelCatalog.ResNet18FineTune, ModelCatalog.Vgg19Frozen, ModelCatalog.Vgg19FineTune];

    /// <summary>The ONNX model of a TorchSharp network described by <paramref name="info"/>.</summary>
    internal static byte[] ToBytes(nn.Module<Tensor, Tensor> network, OnnxModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(info);
        var graph = new OnnxGraphBuilder();
        var weights = new NetworkWeights(network, graph);
        var (height, width) = (info.InputHeight, info.InputWidth);
        var logits = network switch
        {
            BasicCnn => NetworkGraphs.BasicCnn(graph, weights, InputName),
            ResNet18Classifier resnet => NetworkGraphs.ResNet18(graph, weights, resnet, InputName, height, width),
            Vgg19Classifier => NetworkGraphs.Vgg19(graph, weights, InputName),
            _ => throw new OnnxExportException($"no ONNX graph writer for the {network.GetType().Name} network of {info.ModelKind}"),
        };
        var logit = graph.Node("Reshape", [logits, graph.Constant("flat_shape", [-1L], 1)], LogitOutput);
        graph.Node("Sigmoid", [logit], ProbabilityOutput);
        return graph.ToModel(InputName, [3, height, width], [ProbabilityOutput, LogitOutput], MetadataProps(network, info), info.LibraryVersion);
    }

    private static Dictionary<string, string> MetadataProps(nn.Module network, OnnxModelInfo info)
    {
        var c = CultureInfo.InvariantCulture;
        return new Dictionary<string, string>
        {
            [OnnxMetadataKeys.Layout] = "NCHW",
            [OnnxMetadataKeys.ChannelOrder] = "RGB",
            [OnnxMetadataKeys.Scale] = (1.0 / 255).ToString("R", c),
            // Each network normalises inside its graph (VGG-19's ImageNet mean and std, ResNet18's BGR mean image), so a
            // feeder has nothing to subtract: see normalization.
            [OnnxMetadataKeys.Mean] = "",
            [OnnxMetadataKeys.Std] = "",
            [OnnxMetadataKeys.Normalization] = network switch
            {
                ResNet18Classifier => "in-graph: x*255, RGB to BGR, minus the ImageNet mean image at 224x224 or its channel means (B, G, R) at other sizes",
                Vgg19Classifier => "in-graph: (x - mean) / std with ImageNet mean 0.485,0.456,0.406 and std 0.229,0.224,0.225 (RGB)",
                _ => "none",
            },
            [OnnxMetadataKeys.Resize] = info.Sampling.ToLowerInvariant(),
            [OnnxMetadataKeys.InputSize] = $"{info.InputWidth.ToString(c)}x{info.InputHeight.ToString(c)}",
            [OnnxMetadataKeys.InputName] = InputName,
            [OnnxMetadataKeys.Output] = ProbabilityOutput,
            [OnnxMetadataKeys.LogitOutput] = LogitOutput,
            [OnnxMetadataKeys.ClassNames] = string.Join(",", info.ClassNames),
            [OnnxMetadataKeys.PositiveClass] = info.PositiveClass,
            [OnnxMetadataKeys.Threshold] = info.Threshold.ToString("R", c),
            [OnnxMetadataKeys.ModelKind] = info.ModelKind,
            [OnnxMetadataKeys.LibraryVersion] = info.LibraryVersion,
        };
    }
}

using System.Globalization;
using MalariaML.Models.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// Copies the weights of the package's <c>ResNet18.onnx</c> into a <see cref="ResNet18Backbone"/>.
/// </summary>
/// <remarks>
/// CNTK names initializers by creation counter (<c>Parameter91</c>, <c>Constant98</c>, ...) and does not
/// store nodes in block order, so the mapping is found by following the data flow from the graph input:
/// stem conv, BN, ReLU, max pool; then per block the 3x3 conv chain, the Add that joins it with the
/// shortcut (identity or 1x1 projection), and the ReLU after it. Every step checks operator type, kernel,
/// stride and pads (at the traced spatial size) against the module, so a model that differs from the one mirrored here is refused
/// instead of being loaded into the wrong layers.
/// </remarks>
internal static class ResNet18OnnxImporter
{
    private const string Weight = "weight", Bias = "bias", RunningMean = "running_mean", RunningVar = "running_var";

    /// <summary>Buffers that ONNX has no counterpart for and that inference does not read.</summary>
    private const string NumBatchesTracked = "num_batches_tracked";

    /// <summary>Reads <paramref name="onnxPath"/> and loads its weights into <paramref name="backbone"/>.</summary>
    /// <param name="backbone">Module to fill; left unchanged if the import fails.</param>
    /// <param name="onnxPath">Path of ResNet18.onnx.</param>
    /// <exception cref="OnnxFormatException">The file is not a well-formed ONNX model.</exception>
    /// <exception cref="ModelImportException">The graph does not match the module.</exception>
    public static void Import(ResNet18Backbone backbone, string onnxPath) =>
        Import(backbone, OnnxModelReader.Read(onnxPath));

    /// <summary>Loads the weights of an already parsed model into <paramref name="backbone"/>.</summary>
    /// <param name="backbone">Module to fill; left unchanged if the import fails.</param>
    /// <param name="model">The parsed ResNet18 ONNX model.</param>
    /// <exception cref="ModelImportException">The graph does not match the module, an initializer is missing
    /// or misshapen, or some module parameter or buffer would stay unassigned.</exception>
    public static void Import(ResNet18Backbone backbone, OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(model);
        var state = MapInitializers(backbone, model);
        Assign(backbone, state, model.SourceName);
    }

    /// <summary>
    /// Maps the model's initializers to the backbone's parameter and buffer names
    /// (e.g. <c>layer4.2.bn2.running_var</c>) without modifying the backbone.
    /// </summary>
    /// <param name="backbone">The module whose structure (stage layout and geometry) the graph must match.</param>
    /// <param name="model">The parsed ResNet18 ONNX model.</param>
    /// <returns>Initializers keyed by module parameter/buffer name.</returns>
    /// <exception cref="ModelImportException">The graph does not match the module.</exception>
    public static IReadOnlyDictionary<string, OnnxTensor> MapInitializers(ResNet18Backbone backbone, OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentNullException.ThrowIfNull(model);
        var graph = new OnnxGraphIndex(model);
        var state = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);

        string x = graph.DataInput();
        long size = InputSize(model, x);

        var conv = graph.SingleConsumer(x, "Conv");
        size = MapConvBn(graph, state, conv, ResNet18LayerNames.StemConv, ResNet18LayerNames.StemBn, ResNet18Backbone.StemConvGeometry, size, out string y);
        var relu = graph.SingleConsumer(y, "Relu");
        var pool = graph.SingleConsumer(relu.Outputs[0], "MaxPool");
        size = CheckGeometry(graph, pool, ResNet18Backbone.StemPoolGeometry, size);
        x = pool.Outputs[0];

        for (int s = 0; s < ResNet18Backbone.StageCount; s++)
        {
            for (int b = 0; b < ResNet18Backbone.BlocksPerStage[s]; b++)
            {
                (x, size) = MapBlock(graph, state, backbone.Stages[s][b], ResNet18LayerNames.Block(s, b), x, size);
            }
        }

        var avg = graph.SingleConsumer(x, "AveragePool");
        var kernel = avg.GetInts("kernel_shape", []);
        if (kernel.Count != 2 || kernel.Any(k => k != size) || avg.GetInts("pads", [0, 0, 0, 0]).Any(p => p != 0))
        {
            graph.Fail($"{avg.DisplayName} is not a global {size}x{size} average pool (kernel [{string.Join(", ", kernel)}])");
        }

        return state;
    }

    private static long InputSize(OnnxModel model, string input)
    {
        var info = model.Graph.Inputs.First(i => i.Name == input);
        bool ok = info.Shape.Count == 4 && info.Shape[1] == 3 && info.Shape[2] > 0 && info.Shape[2] == info.Shape[3];
        if (!ok)
        {
            throw new ModelImportException(model.SourceName, $"input '{input}' has shape [{string.Join(", ", info.Shape)}], expected [N, 3, S, S]");
        }

        return info.Shape[2];
    }

    private static (string Output, long Size) MapBlock(
        OnnxGraphIndex graph, Dictionary<string, OnnxTensor> state, ResNetBasicBlock block, string prefix, string x, long size)
    {
        var convs = graph.Consumers(x).Where(n => n.OpType == "Conv").ToList();
        int expected = block.HasProjection ? 2 : 1;
        if (convs.Count != expected)
        {
            graph.Fail($"block {prefix}: expected {expected} Conv node(s) reading '{x}', found {convs.Count}");
        }

        // The main branch starts with the 3x3 conv; the projection (when present) is the 1x1 one.
        var mains = convs.Where(c => KernelOf(c) == block.Conv1Geometry.Kernel).ToList();
        if (mains.Count != 1) graph.Fail($"block {prefix}: cannot tell the main-branch Conv from the shortcut projection");
        var main = mains[0];
        long mainSize = MapConvBn(graph, state, main, $"{prefix}.{ResNet18LayerNames.Conv1}", $"{prefix}.{ResNet18LayerNames.Bn1}", block.Conv1Geometry, size, out string y);
        var relu = graph.SingleConsumer(y, "Relu");
        var conv2 = graph.SingleConsumer(relu.Outputs[0], "Conv");
        mainSize = MapConvBn(graph, state, conv2, $"{prefix}.{ResNet18LayerNames.Conv2}", $"{prefix}.{ResNet18LayerNames.Bn2}", block.Conv2Geometry, mainSize, out y);

        string shortcut = x;
        if (block.DownsampleGeometry is { } dg)
        {
            var projection = convs.Single(c => c != main);
            long projectedSize = MapConvBn(graph, state, projection, $"{prefix}.{ResNet18LayerNames.DownsampleConv}", $"{prefix}.{ResNet18LayerNames.DownsampleBn}", dg, size, out shortcut);
            if (projectedSize != mainSize) graph.Fail($"block {prefix}: shortcut is {projectedSize} wide but the main branch is {mainSize}");
        }

        var add = graph.SingleConsumer(y, "Add");
        if (add.Inputs.Count != 2 || !add.Inputs.Contains(shortcut))
        {
            graph.Fail($"block {prefix}: {add.DisplayName} adds [{string.Join(", ", add.Inputs)}], expected '{y}' and the shortcut '{shortcut}'");
        }

        var out_ = graph.SingleConsumer(add.Outputs[0], "Relu");
        return (out_.Outputs[0], mainSize);
    }

    /// <summary>Maps a Conv (no bias) and the BatchNormalization that reads it; returns the output size.</summary>
    private static long MapConvBn(
        OnnxGraphIndex graph, Dictionary<string, OnnxTensor> state, OnnxNode conv,
        string convName, string bnName, ConvGeometry geometry, long size, out string output)
    {
        size = CheckGeometry(graph, conv, geometry, size);
        if (conv.GetInt("group", 1) != 1 || conv.GetInts("dilations", [1, 1]).Any(d => d != 1))
        {
            graph.Fail($"{conv.DisplayName} uses groups or dilation, which {convName} does not");
        }

        if (conv.Inputs.Count > 2 && conv.Inputs[2].Length > 0)
        {
            graph.Fail($"{conv.DisplayName} has a bias but {convName} has none");
        }

        Add(graph, state, $"{convName}.{Weight}", graph.Initializer(conv, 1, "weight"));

        var bn = graph.SingleConsumer(conv.Outputs[0], "BatchNormalization");
        graph.RequireInput(bn, 0, conv.Outputs[0]);
        float epsilon = bn.GetFloat("epsilon", 1e-5f);
        if (Math.Abs(epsilon - ResNet18Backbone.BatchNormEpsilon) > 1e-9)
        {
            graph.Fail($"{bn.DisplayName} has epsilon {epsilon.ToString(CultureInfo.InvariantCulture)}, expected {ResNet18Backbone.BatchNormEpsilon}");
        }

        if (bn.GetInt("spatial", 1) != 1) graph.Fail($"{bn.DisplayName} is not spatial batch normalization");

        // ONNX BatchNormalization inputs: X, scale, B, mean, var.
        Add(graph, state, $"{bnName}.{Weight}", graph.Initializer(bn, 1, "scale"));
        Add(graph, state, $"{bnName}.{Bias}", graph.Initializer(bn, 2, "bias"));
        Add(graph, state, $"{bnName}.{RunningMean}", graph.Initializer(bn, 3, "mean"));
        Add(graph, state, $"{bnName}.{RunningVar}", graph.Initializer(bn, 4, "variance"));
        output = bn.Outputs[0];
        return size;
    }

    private static long CheckGeometry(OnnxGraphIndex graph, OnnxNode node, ConvGeometry expected, long size)
    {
        var kernel = node.GetInts("kernel_shape", []);
        var strides = node.GetInts("strides", [1, 1]);
        var pads = node.GetInts("pads", [0, 0, 0, 0]);
        string autoPad = node.Attributes.TryGetValue("auto_pad", out var a) ? a.String ?? "NOTSET" : "NOTSET";
        var expectedPads = expected.OnnxPadsFor(size, size);
        bool ok = autoPad == "NOTSET"
            && kernel.SequenceEqual([expected.Kernel, expected.Kernel])
            && strides.SequenceEqual([expected.Stride, expected.Stride])
            && pads.SequenceEqual(expectedPads);
        if (!ok)
        {
            graph.Fail($"{node.DisplayName} has kernel [{string.Join(", ", kernel)}], strides [{string.Join(", ", strides)}], " +
                $"pads [{string.Join(", ", pads)}], auto_pad {autoPad}; for {size}x{size} input the module computes " +
                $"{expected} with pads [{string.Join(", ", expectedPads)}]");
        }

        return expected.OutputSize(size);
    }

    private static long KernelOf(OnnxNode conv) => conv.GetInts("kernel_shape", [0]).FirstOrDefault();

    private static void Add(OnnxGraphIndex graph, Dictionary<string, OnnxTensor> state, string name, OnnxTensor tensor)
    {
        if (!state.TryAdd(name, tensor))
        {
            graph.Fail($"'{name}' would be assigned twice ('{state[name].Name}' and '{tensor.Name}')");
        }
    }

    /// <summary>Validates the whole mapping first, then copies, so a failed import leaves the module untouched.</summary>
    private static void Assign(ResNet18Backbone backbone, IReadOnlyDictionary<string, OnnxTensor> state, string source)
    {
        var targets = backbone.named_parameters().Select(p => (p.name, tensor: (Tensor)p.parameter))
            .Concat(backbone.named_buffers().Where(b => !b.name.EndsWith("." + NumBatchesTracked, StringComparison.Ordinal)))
            .ToList();

        var problems = new List<string>();
        foreach (var (name, tensor) in targets)
        {
            if (!state.TryGetValue(name, out var value))
            {
                problems.Add($"no initializer for module tensor '{name}'");
            }
            else if (!tensor.shape.SequenceEqual(value.Dims))
            {
                problems.Add($"'{name}' has shape [{string.Join(", ", tensor.shape)}] but initializer '{value.Name}' has {value.ShapeText}");
            }
        }

        var targetNames = targets.Select(t => t.name).ToHashSet(StringComparer.Ordinal);
        problems.AddRange(state.Keys.Where(k => !targetNames.Contains(k)).Select(k => $"module has no tensor named '{k}' (initializer '{state[k].Name}')"));
        if (targets.Count != targetNames.Count) problems.Add("module reports duplicate tensor names");
        if (problems.Count > 0)
        {
            throw new ModelImportException(source, string.Join("; ", problems));
        }

        using var noGrad = no_grad();
        foreach (var (name, tensor) in targets)
        {
            var value = state[name];
            using var source_ = torch.tensor(value.FloatData!, value.Dims.ToArray(), tensor.dtype);
            tensor.copy_(source_);
        }
    }
}

using MalariaML.Models;

namespace MalariaML.Export;

/// <summary>
/// The ONNX graphs of the TorchSharp networks, written operator by operator from their forward passes. Every graph
/// takes RGB in [0, 1] in NCHW, as the networks do, and does the network's own input normalisation inside.
/// </summary>
internal static class NetworkGraphs
{
    private static readonly long[] NoPads = [0, 0, 0, 0];
    private static readonly long[] SamePads3x3 = [1, 1, 1, 1];

    /// <summary><see cref="BasicCnn"/>: three blocks of conv 3x3 (same) + ReLU + max-pool 2x2, flatten, dense head.</summary>
    public static string BasicCnn(OnnxGraphBuilder g, NetworkWeights w, string image)
    {
        var x = image;
        foreach (var conv in new[] { "conv1", "conv2", "conv3" })
        {
            x = g.Unary("Relu", g.Conv(x, w[$"{conv}.weight"], w[$"{conv}.bias"], 3, 1, SamePads3x3));
            x = g.MaxPool(x, 2, 2, NoPads);
        }

        // Flatten of NCHW matches torch's flatten(1): the channels-last strides inside the network change no values.
        return DenseHead(g, w, "head", g.Node("Flatten", [x], OnnxAttribute.Of("axis", 1L)));
    }

    /// <summary>
    /// <see cref="ResNet18Classifier"/>: x255, RGB to BGR, minus the mean image (224x224) or the channel means (other
    /// sizes), then the CNTK ResNet18 with its asymmetric "same" pads computed for this input size, then the head.
    /// </summary>
    public static string ResNet18(OnnxGraphBuilder g, NetworkWeights w, Models.ResNet18Classifier network, string image, int height, int width)
    {
        var native = height == ResNet18Preprocessing.MeanImageSize && width == ResNet18Preprocessing.MeanImageSize;
        var x = g.Binary("Mul", image, g.Constant("pixel_scale", [255f]));
        x = g.Node("Gather", [x, g.Constant("rgb_to_bgr", [2L, 1, 0], 3)], OnnxAttribute.Of("axis", 1L));
        x = g.Binary("Sub", x, w[native ? "preprocessing.mean_image" : "preprocessing.channel_mean"]);

        long h = height, wd = width;
        const string stem = "backbone.";
        var stemConv = ResNet18Backbone.StemConvGeometry;
        x = g.Conv(x, w[$"{stem}{ResNet18LayerNames.StemConv}.weight"], null, stemConv.Kernel, stemConv.Stride, stemConv.OnnxPadsFor(h, wd));
        x = g.Unary("Relu", BatchNorm(g, w, $"{stem}{ResNet18LayerNames.StemBn}", x));
        (h, wd) = (stemConv.OutputSize(h), stemConv.OutputSize(wd));
        var pool = ResNet18Backbone.StemPoolGeometry;
        x = g.MaxPool(x, pool.Kernel, pool.Stride, pool.OnnxPadsFor(h, wd));
        (h, wd) = (pool.OutputSize(h), pool.OutputSize(wd));

        // Blocks in forward order (registration order), with the geometry each block itself uses.
        foreach (var (name, module) in network.named_modules())
        {
            if (module is not ResNetBasicBlock block)
            {
                continue;
            }

            var prefix = name + ".";
            var y = g.Conv(x, w[prefix + ResNet18LayerNames.Conv1 + ".weight"], null, 3, block.Conv1Geometry.Stride, Pads(block.Conv1Geometry, h, wd));
            y = g.Unary("Relu", BatchNorm(g, w, prefix + ResNet18LayerNames.Bn1, y));
            var (h2, w2) = (block.Conv1Geometry.OutputSize(h), block.Conv1Geometry.OutputSize(wd));
            y = g.Conv(y, w[prefix + ResNet18LayerNames.Conv2 + ".weight"], null, 3, 1, Pads(block.Conv2Geometry, h2, w2));
            y = BatchNorm(g, w, prefix + ResNet18LayerNames.Bn2, y);
            var shortcut = x;
            if (block.DownsampleGeometry is { } down)
            {
                shortcut = g.Conv(x, w[prefix + ResNet18LayerNames.DownsampleConv + ".weight"], null, down.Kernel, down.Stride, Pads(down, h, wd));
                shortcut = BatchNorm(g, w, prefix + ResNet18LayerNames.DownsampleBn, shortcut);
            }

            x = g.Unary("Relu", g.Binary("Add", y, shortcut));
            (h, wd) = (h2, w2);
        }

        return DenseHead(g, w, "head", GlobalPool(g, x));
    }

    /// <summary><see cref="Vgg19Classifier"/>: ImageNet mean/std normalisation, 16 conv 3x3 + ReLU in five max-pooled blocks, global average, head.</summary>
    public static string Vgg19(OnnxGraphBuilder g, NetworkWeights w, string image)
    {
        var x = g.Binary("Div", g.Binary("Sub", image, w["input_mean"]), w["input_std"]);
        for (var b = 0; b < Vgg19Backbone.BlockCount; b++)
        {
            for (var c = 0; c < Vgg19Backbone.ConvsPerBlock[b]; c++)
            {
                var conv = $"backbone.{Vgg19LayerNames.Conv(b, c)}";
                x = g.Unary("Relu", g.Conv(x, w[conv + ".weight"], w[conv + ".bias"], 3, 1, SamePads3x3));
            }

            x = g.MaxPool(x, 2, 2, NoPads);
        }

        return DenseHead(g, w, "head", GlobalPool(g, x));
    }

    /// <summary><see cref="Models.DenseHead"/> in evaluation mode (dropout is the identity): (N, features) to (N, 1) logits.</summary>
    private static string DenseHead(OnnxGraphBuilder g, NetworkWeights w, string prefix, string features)
    {
        var x = g.Unary("Relu", g.Linear(features, w[$"{prefix}.fc1.weight"], w[$"{prefix}.fc1.bias"]));
        x = g.Unary("Relu", g.Linear(x, w[$"{prefix}.fc2.weight"], w[$"{prefix}.fc2.bias"]));
        return g.Linear(x, w[$"{prefix}.output.weight"], w[$"{prefix}.output.bias"]);
    }

    private static string GlobalPool(OnnxGraphBuilder g, string x)
        => g.Node("Flatten", [g.Unary("GlobalAveragePool", x)], OnnxAttribute.Of("axis", 1L));

    private static string BatchNorm(OnnxGraphBuilder g, NetworkWeights w, string prefix, string x)
        => g.BatchNorm(x, w[prefix + ".weight"], w[prefix + ".bias"], w[prefix + ".running_mean"], w[prefix + ".running_var"], ResNet18Backbone.BatchNormEpsilon);

    private static long[] Pads(ConvGeometry geometry, long height, long width)
        => geometry.IsAlwaysSymmetric ? Enumerable.Repeat((long)(geometry.Kernel / 2), 4).ToArray() : geometry.OnnxPadsFor(height, width);
}

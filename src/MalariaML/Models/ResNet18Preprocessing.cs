using MalariaML.Models.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// Turns RGB images in 0..255 into the input space of <see cref="ResNet18Backbone"/>: channels reordered
/// to BGR and the ImageNet mean image subtracted (no scaling to 0..1 and no division by a standard
/// deviation), as <c>ResNetPreprocess.onnx</c> in the DnnImageFeaturizer package does.
/// </summary>
/// <remarks>
/// <para>Input (N, 3, H, W) float RGB in 0..255; output (N, 3, H, W) float.</para>
/// <para>The shipped mean is a full 224x224 image (per-pixel means between about 95 and 130). At exactly
/// 224x224 it is subtracted as is, so the result equals the ONNX preprocessing. For any other size the
/// per-channel means of that image (B, G, R about 103.06, 115.90, 123.15) are subtracted instead:
/// resizing the mean image would impose an ImageNet-crop spatial pattern on unrelated framings such as
/// 125x125 cell crops, whereas the channel means keep the input statistics the network was trained on.</para>
/// </remarks>
internal sealed class ResNet18Preprocessing : nn.Module<Tensor, Tensor>
{
    /// <summary>Side of the square mean image shipped with the model.</summary>
    public const int MeanImageSize = 224;

    // Tensor fields are registered as buffers, so .to(device) moves them with the module.
    private readonly Tensor mean_image;
    private readonly Tensor channel_mean;

    /// <summary>Creates the preprocessing from a BGR mean image of shape (1, 3, 224, 224).</summary>
    /// <param name="meanImageBgr">Mean image in BGR channel order, row-major (3 x 224 x 224 values).</param>
    public ResNet18Preprocessing(float[] meanImageBgr) : base("resnet18_preprocessing")
    {
        ArgumentNullException.ThrowIfNull(meanImageBgr);
        if (meanImageBgr.Length != 3 * MeanImageSize * MeanImageSize)
        {
            throw new ArgumentException($"Expected {3 * MeanImageSize * MeanImageSize} values, got {meanImageBgr.Length}.", nameof(meanImageBgr));
        }

        mean_image = torch.tensor(meanImageBgr, new long[] { 1, 3, MeanImageSize, MeanImageSize });
        using (var exact = mean_image.mean(new long[] { 2, 3 }, keepdim: true, type: ScalarType.Float64))
        {
            channel_mean = exact.to_type(ScalarType.Float32);
        }

        ChannelMeansBgr = channel_mean.data<float>().ToArray();
        RegisterComponents();
    }

    /// <summary>Per-channel means of the mean image, in B, G, R order; subtracted for inputs that are not 224x224.</summary>
    public IReadOnlyList<float> ChannelMeansBgr { get; }

    /// <summary>Loads the mean image from the package's <c>ResNetPreprocess.onnx</c>.</summary>
    /// <param name="onnxPath">Path of ResNetPreprocess.onnx; null to locate it with <see cref="ResNet18ModelFiles.LocatePreprocessing"/>.</param>
    /// <returns>The preprocessing module.</returns>
    /// <exception cref="OnnxFormatException">The file is not a well-formed ONNX model.</exception>
    /// <exception cref="ModelImportException">The graph is not the expected RGB-to-BGR and mean subtraction.</exception>
    public static ResNet18Preprocessing Load(string? onnxPath = null) =>
        FromOnnx(OnnxModelReader.Read(onnxPath ?? ResNet18ModelFiles.LocatePreprocessing()));

    /// <summary>Builds the preprocessing from a parsed <c>ResNetPreprocess.onnx</c>.</summary>
    /// <remarks>
    /// The graph is checked to be exactly Split(axis 1) into three channels, Concat of them in reverse order
    /// (RGB to BGR), and Sub of a constant; any other graph would mean this module computes something else.
    /// </remarks>
    /// <param name="model">The parsed model.</param>
    /// <returns>The preprocessing module.</returns>
    /// <exception cref="ModelImportException">The graph is not the expected RGB-to-BGR and mean subtraction.</exception>
    public static ResNet18Preprocessing FromOnnx(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var graph = new OnnxGraphIndex(model);
        var split = graph.SingleConsumer(graph.DataInput(), "Split");
        if (split.GetInt("axis", 0) != 1 || split.Outputs.Count != 3)
        {
            graph.Fail($"{split.DisplayName} does not split the input into its 3 channels");
        }

        var concat = graph.SingleConsumer(split.Outputs[2], "Concat");
        if (concat.GetInt("axis", -1) != 1 || !concat.Inputs.SequenceEqual([split.Outputs[2], split.Outputs[1], split.Outputs[0]]))
        {
            graph.Fail($"{concat.DisplayName} does not reorder the channels from RGB to BGR");
        }

        var sub = graph.SingleConsumer(concat.Outputs[0], "Sub");
        graph.RequireInput(sub, 0, concat.Outputs[0]);
        var mean = graph.Initializer(sub, 1, "mean image");
        if (!mean.Dims.SequenceEqual([1L, 3, MeanImageSize, MeanImageSize]))
        {
            graph.Fail($"mean image '{mean.Name}' has shape {mean.ShapeText}, expected [1, 3, {MeanImageSize}, {MeanImageSize}]");
        }

        if (!model.Graph.Outputs.Any(o => o.Name == sub.Outputs[0]))
        {
            graph.Fail($"{sub.DisplayName} is not the graph output; the graph does more than BGR mean subtraction");
        }

        return new ResNet18Preprocessing(mean.FloatData!);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor rgb)
    {
        if (rgb.dim() != 4 || rgb.shape[1] != 3)
        {
            throw new ArgumentException($"Expected an (N, 3, H, W) RGB tensor, got [{string.Join(", ", rgb.shape)}].", nameof(rgb));
        }

        using var bgr = rgb.flip(1);
        bool native = rgb.shape[2] == MeanImageSize && rgb.shape[3] == MeanImageSize;
        return bgr - (native ? mean_image : channel_mean);
    }
}

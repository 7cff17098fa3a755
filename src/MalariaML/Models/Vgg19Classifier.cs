using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// The article's VGG-19 with its dense head: input (N, 3, H, W) RGB in [0, 1] with H, W &gt;= 32, output (N) logits.
/// Used frozen (only the head learns, on cached features) or fine-tuned (blocks 4 and 5 and the head learn).
/// </summary>
/// <remarks>
/// <para>No weights ship with MalariaML and nothing is downloaded: the user supplies torchvision's <c>vgg19</c> ImageNet
/// weights as a state_dict file, e.g. saved in Python with
/// <c>safetensors.torch.save_file(torchvision.models.vgg19(weights="IMAGENET1K_V1").state_dict(), "vgg19.safetensors")</c>
/// or <c>torch.save(....state_dict(), "vgg19.pth")</c>. Only <c>features.*</c> is used. <c>.safetensors</c> is
/// data only; <c>.pth</c> is also read without executing code; see <see cref="StateDictFile"/> for both. The file that
/// torchvision itself downloads (<c>vgg19-dcbb9e9d.pth</c>, from 2017) is in PyTorch's legacy pre-1.6 format, which is
/// not supported: re-save it as above.</para>
/// <para>Inputs are normalised as torchvision's ImageNet models expect: (x - mean) / std per channel, with
/// mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225).</para>
/// </remarks>
internal sealed class Vgg19Classifier : nn.Module<Tensor, Tensor>, IFeatureClassifier, IGradCamNetwork
{
    /// <summary>The error when pretrained weights are asked for but no file is given.</summary>
    public const string MissingWeightsMessage =
        "vgg19-* needs --weights FILE: a PyTorch state_dict (.pth or .safetensors) of torchvision's vgg19; no weights ship with MalariaML " +
        "(in code: ModelTrainingOptions.WeightsPath)";

    /// <summary>ImageNet channel means (R, G, B) that torchvision's VGG-19 was trained with.</summary>
    public static IReadOnlyList<float> ImageNetMean { get; } = [0.485f, 0.456f, 0.406f];

    /// <summary>ImageNet channel standard deviations (R, G, B) that torchvision's VGG-19 was trained with.</summary>
    public static IReadOnlyList<float> ImageNetStd { get; } = [0.229f, 0.224f, 0.225f];

    // Tensor fields are registered as buffers, so .to(device) moves them with the module.
    private readonly Tensor input_mean;
    private readonly Tensor input_std;
    private readonly Vgg19Backbone backbone;
    private readonly DenseHead head;

    /// <summary>Builds the network.</summary>
    /// <param name="weightsPath">torchvision <c>vgg19</c> state_dict (<c>.safetensors</c> or <c>.pth</c>); read only when <paramref name="pretrained"/>.</param>
    /// <param name="pretrained">Import the weights file; false to build the architecture only (weights then come from a model file).</param>
    /// <param name="trainableBlocks">Backbone blocks that learn: 0 (frozen feature extractor) to 5.</param>
    /// <exception cref="MalariaMLException"><paramref name="pretrained"/> without a weights file.</exception>
    /// <exception cref="WeightsFileException">The weights file cannot be read or does not fit.</exception>
    public Vgg19Classifier(string? weightsPath, bool pretrained, int trainableBlocks) : base(nameof(Vgg19Classifier))
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainableBlocks);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(trainableBlocks, Vgg19Backbone.BlockCount);
        if (pretrained && string.IsNullOrWhiteSpace(weightsPath))
        {
            throw new MalariaMLException(MissingWeightsMessage);
        }

        backbone = pretrained ? Vgg19Backbone.LoadPretrained(weightsPath!) : new Vgg19Backbone();
        backbone.FreezeExceptLastBlocks(trainableBlocks);
        input_mean = tensor(ImageNetMean.ToArray(), new long[] { 1, 3, 1, 1 });
        input_std = tensor(ImageNetStd.ToArray(), new long[] { 1, 3, 1, 1 });
        head = new DenseHead(Vgg19Backbone.FeatureCount);
        RegisterComponents();
    }

    /// <summary>The classifier head (trained alone on cached features when the backbone is frozen).</summary>
    public DenseHead Head => head;

    /// <summary>The convolutional backbone.</summary>
    public Vgg19Backbone Backbone => backbone;

    /// <inheritdoc/>
    public int FeatureCount => Vgg19Backbone.FeatureCount;

    /// <summary>
    /// <c>vgg19-</c> and the <see cref="Vgg19Backbone.WeightsFingerprint"/> of the current backbone weights, so features
    /// from different weight files never share a cache (the same weights saved as .pth and .safetensors do).
    /// Computed on each read (hashes the backbone's 80 MB).
    /// </summary>
    public string FeatureExtractorId => $"vgg19-{backbone.WeightsFingerprint()}";

    /// <summary>Pooled 512-d VGG-19 features of RGB images in [0, 1].</summary>
    public Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        return backbone.call((images - input_mean) / input_std).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return head.call(Features(images)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public string TargetLayer => "conv 5_4 (the last convolution, after ReLU, before its pooling)";

    /// <inheritdoc/>
    public Tensor TargetActivation(Tensor images)
    {
        using var scope = NewDisposeScope();
        return backbone.LastConvolution((images - input_mean) / input_std).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Tensor FromTargetActivation(Tensor activation)
    {
        using var scope = NewDisposeScope();
        return head.call(Vgg19Backbone.Pool(activation)).MoveToOuterDisposeScope();
    }
}

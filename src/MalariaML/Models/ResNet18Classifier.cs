using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// The shipped ImageNet ResNet18 with the article's dense head: input (N, 3, H, W) RGB in [0, 1], output (N) logits.
/// Used frozen (only the head learns, on cached features) or fine-tuned (the last stages and the head learn).
/// </summary>
internal sealed class ResNet18Classifier : nn.Module<Tensor, Tensor>, IFeatureClassifier, IGradCamNetwork
{
    private readonly ResNet18Preprocessing preprocessing;
    private readonly ResNet18Backbone backbone;
    private readonly DenseHead head;

    /// <summary>Builds the network.</summary>
    /// <param name="pretrained">Import ImageNet weights from the shipped ONNX files; false to build the architecture only (weights then come from a model file).</param>
    /// <param name="trainableStages">Backbone stages that learn: 0 (frozen feature extractor) to 4.</param>
    public ResNet18Classifier(bool pretrained, int trainableStages) : base(nameof(ResNet18Classifier))
    {
        preprocessing = pretrained ? ResNet18Preprocessing.Load() : new ResNet18Preprocessing(new float[3 * ResNet18Preprocessing.MeanImageSize * ResNet18Preprocessing.MeanImageSize]);
        backbone = pretrained ? ResNet18Backbone.LoadPretrained() : new ResNet18Backbone();
        backbone.FreezeExceptLastStages(trainableStages);
        head = new DenseHead(ResNet18Backbone.FeatureCount);
        RegisterComponents();
        // The mean image is a constant of the pretrained network, never learned.
        foreach (var p in preprocessing.parameters())
        {
            p.requires_grad = false;
        }
    }

    /// <summary>The classifier head (trained alone on cached features when the backbone is frozen).</summary>
    public DenseHead Head => head;

    /// <inheritdoc/>
    public int FeatureCount => ResNet18Backbone.FeatureCount;

    /// <summary>The shipped weights never change, so their package version names them: <see cref="ExtractorId"/>.</summary>
    public string FeatureExtractorId => ExtractorId;

    /// <summary>
    /// Identifies the shipped ResNet18 weights, and the forward pass computing features from them, in feature-cache file
    /// names. <c>-p2</c>: features cached before stage 4's projection ran in NCHW (see <see cref="ResNetBasicBlock"/>)
    /// hold libtorch's wrong channels-last values and must not be reused.
    /// </summary>
    internal const string ExtractorId = "resnet18-onnx-0.23.1-p2";

    /// <summary>Pooled 512-d ResNet18 features of RGB images in [0, 1].</summary>
    public Tensor Features(Tensor images)
    {
        using var scope = NewDisposeScope();
        return backbone.call(preprocessing.call(images * 255f)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        return head.call(Features(images)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public string TargetLayer => "stage 4 (the last residual stage, 512 filters, before global pooling)";

    /// <inheritdoc/>
    public Tensor TargetActivation(Tensor images)
    {
        using var scope = NewDisposeScope();
        return backbone.LastStage(preprocessing.call(images * 255f)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public Tensor FromTargetActivation(Tensor activation)
    {
        using var scope = NewDisposeScope();
        return head.call(ResNet18Backbone.Pool(activation)).MoveToOuterDisposeScope();
    }
}

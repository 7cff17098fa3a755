using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// The ResNet18 shipped in the <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package (a CNTK 2.6 export),
/// rebuilt as a TorchSharp module so it can run batched, on other input sizes, and be fine-tuned.
/// </summary>
/// <remarks>
/// <para>This is not torchvision's resnet18: stage 4 has three blocks, stride-2 layers use CNTK's "same"
/// padding with the odd row/column at the top/left (see <see cref="ConvGeometry"/>), and the expected input is BGR with a mean image subtracted and no division by a
/// standard deviation (see <see cref="ResNet18Preprocessing"/>).</para>
/// <para>Input: (N, 3, H, W) float in the preprocessed space. Output: (N, 512) globally average-pooled
/// features; at 224x224 this equals the ONNX model's <c>Pooling395_Output_0</c>. Adaptive pooling makes
/// other sizes (for example 125x125 cell crops) work too.</para>
/// <para>A new instance has random weights; use <see cref="LoadPretrained"/> or <see cref="ResNet18OnnxImporter"/>.</para>
/// </remarks>
internal sealed class ResNet18Backbone : nn.Module<Tensor, Tensor>
{
    /// <summary>Length of the output feature vector.</summary>
    public const int FeatureCount = 512;

    /// <summary>Number of residual stages.</summary>
    public const int StageCount = 4;

    /// <summary>Batch-norm epsilon used by the exported graph.</summary>
    public const double BatchNormEpsilon = 1e-5;

    /// <summary>Input size the ONNX model was exported for.</summary>
    public const int NativeInputSize = 224;

    /// <summary>Filters per stage.</summary>
    public static IReadOnlyList<int> StageWidths { get; } = [64, 128, 256, 512];

    /// <summary>Basic blocks per stage (note the third block in stage 4).</summary>
    public static IReadOnlyList<int> BlocksPerStage { get; } = [2, 2, 2, 3];

    /// <summary>Stem convolution: 7x7/2 (pads [3, 3, 2, 2] at 224x224).</summary>
    public static ConvGeometry StemConvGeometry { get; } = new(7, 2);

    /// <summary>Stem max pooling: 3x3/2 (pads [1, 1, 0, 0] at 224x224).</summary>
    public static ConvGeometry StemPoolGeometry { get; } = new(3, 2);

    [ComponentName(Name = ResNet18LayerNames.StemConv)]
    private readonly Conv2d _stemConv;

    [ComponentName(Name = ResNet18LayerNames.StemBn)]
    private readonly BatchNorm2d _stemBn;

    [ComponentName(Name = ResNet18LayerNames.Stage1)]
    private readonly ModuleList<ResNetBasicBlock> _stage1;

    [ComponentName(Name = ResNet18LayerNames.Stage2)]
    private readonly ModuleList<ResNetBasicBlock> _stage2;

    [ComponentName(Name = ResNet18LayerNames.Stage3)]
    private readonly ModuleList<ResNetBasicBlock> _stage3;

    [ComponentName(Name = ResNet18LayerNames.Stage4)]
    private readonly ModuleList<ResNetBasicBlock> _stage4;

    private readonly ModuleList<ResNetBasicBlock>[] _stages;

    /// <summary>Creates the module with randomly initialized weights.</summary>
    /// <param name="name">Module name (informational).</param>
    public ResNet18Backbone(string name = "resnet18_backbone") : base(name)
    {
        _stemConv = CreateConv(3, StageWidths[0], StemConvGeometry);
        _stemBn = CreateBatchNorm(StageWidths[0]);
        _stages = new ModuleList<ResNetBasicBlock>[StageCount];
        int inChannels = StageWidths[0];
        for (int s = 0; s < StageCount; s++)
        {
            var blocks = new ResNetBasicBlock[BlocksPerStage[s]];
            for (int b = 0; b < blocks.Length; b++)
            {
                int stride = s > 0 && b == 0 ? 2 : 1;
                blocks[b] = new ResNetBasicBlock(ResNet18LayerNames.Block(s, b), inChannels, StageWidths[s], stride);
                inChannels = StageWidths[s];
            }

            _stages[s] = new ModuleList<ResNetBasicBlock>(blocks);
        }

        (_stage1, _stage2, _stage3, _stage4) = (_stages[0], _stages[1], _stages[2], _stages[3]);
        RegisterComponents();
    }

    /// <summary>The four residual stages in forward order; useful for per-stage optimizer groups.</summary>
    public IReadOnlyList<ModuleList<ResNetBasicBlock>> Stages => _stages;

    /// <summary>The stem (conv + batch norm) modules, which <see cref="FreezeExceptLastStages"/> freezes with stage 1.</summary>
    public IReadOnlyList<nn.Module> Stem => [_stemConv, _stemBn];

    /// <summary>How many leading stages are frozen (0 = none); the stem is frozen whenever this is not 0.</summary>
    public int FrozenStageCount { get; private set; }

    /// <summary>
    /// Loads the pretrained weights shipped with the <c>Microsoft.ML.DnnImageFeaturizer.ResNet18</c> package
    /// and returns the module in evaluation mode.
    /// </summary>
    /// <param name="onnxPath">Path of ResNet18.onnx; null to locate it with <see cref="ResNet18ModelFiles.LocateResNet18"/>.</param>
    /// <returns>A pretrained backbone.</returns>
    public static ResNet18Backbone LoadPretrained(string? onnxPath = null)
        => PretrainedModule.Load(() => new ResNet18Backbone(),
            backbone => ResNet18OnnxImporter.Import(backbone, onnxPath ?? ResNet18ModelFiles.LocateResNet18()));

    /// <summary>
    /// Freezes the stem and all stages except the last <paramref name="trainableStages"/>, for fine-tuning
    /// (e.g. 2 trains only the 256- and 512-filter stages).
    /// </summary>
    /// <remarks>
    /// Frozen parameters get <c>requires_grad = false</c>, and the batch norms of frozen stages stay in
    /// evaluation mode even when <see cref="train(bool)"/> is called, so a small fine-tuning set cannot
    /// overwrite their ImageNet running statistics.
    /// </remarks>
    /// <param name="trainableStages">0 (everything frozen) to 4 (everything trainable, stem included).</param>
    public void FreezeExceptLastStages(int trainableStages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainableStages);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(trainableStages, StageCount);
        FrozenStageCount = StageCount - trainableStages;
        SetRequiresGrad(_stemConv, FrozenStageCount == 0);
        SetRequiresGrad(_stemBn, FrozenStageCount == 0);
        for (int s = 0; s < StageCount; s++)
        {
            SetRequiresGrad(_stages[s], s >= FrozenStageCount);
        }

        train(training);
    }

    /// <inheritdoc/>
    /// <remarks>Batch norms in stages frozen by <see cref="FreezeExceptLastStages"/> remain in evaluation mode.</remarks>
    public override void train(bool train = true)
    {
        base.train(train);
        if (!train || FrozenStageCount == 0) return;

        _stemBn.eval();
        for (int s = 0; s < FrozenStageCount; s++)
        {
            foreach (var block in _stages[s]) block.eval();
        }
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Pool(LastStage(input)).MoveToOuterDisposeScope();
    }

    /// <summary>The output of the last residual stage, (N, 512, h, w) before global pooling: Grad-CAM's target.</summary>
    public Tensor LastStage(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != 3)
        {
            throw new ArgumentException($"Expected an (N, 3, H, W) tensor, got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        using var scope = NewDisposeScope();
        var x = ConvBn(_stemConv, _stemBn, StemConvGeometry, MemoryFormat.ChannelsLast(input)).relu_();

        // -inf so the padding never wins the max, matching ONNX MaxPool which ignores pads.
        x = StemPoolGeometry.PadExplicitly(x, double.NegativeInfinity);
        x = nn.functional.max_pool2d(x, new long[] { StemPoolGeometry.Kernel, StemPoolGeometry.Kernel }, new long[] { StemPoolGeometry.Stride, StemPoolGeometry.Stride });
        foreach (var stage in _stages)
        {
            foreach (var block in stage) x = block.call(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Global average pooling of <see cref="LastStage"/>'s output into (N, 512) features.</summary>
    public static Tensor Pool(Tensor lastStage) => nn.functional.adaptive_avg_pool2d(lastStage, 1).flatten(1);

    internal static Conv2d CreateConv(int inChannels, int outChannels, ConvGeometry g) =>
        nn.Conv2d(inChannels, outChannels, g.Kernel, stride: g.Stride, padding: g.IsAlwaysSymmetric ? g.Kernel / 2 : 0, bias: false);

    internal static BatchNorm2d CreateBatchNorm(int channels) => nn.BatchNorm2d(channels, eps: BatchNormEpsilon);

    /// <summary>Convolution (padded explicitly unless its own symmetric padding suffices) followed by batch norm.</summary>
    internal static Tensor ConvBn(Conv2d conv, BatchNorm2d bn, ConvGeometry g, Tensor x) =>
        bn.call(conv.call(g.IsAlwaysSymmetric ? x : g.PadExplicitly(x)));

    private static void SetRequiresGrad(nn.Module module, bool requiresGrad)
    {
        foreach (var p in module.parameters()) p.requires_grad = requiresGrad;
    }
}

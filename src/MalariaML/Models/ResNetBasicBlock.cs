using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// A ResNet basic block as exported by CNTK: conv3x3-BN-ReLU-conv3x3-BN, plus the shortcut
/// (identity, or a 1x1 stride-2 projection with BN when the block downsamples), then ReLU.
/// </summary>
internal sealed class ResNetBasicBlock : nn.Module<Tensor, Tensor>
{
    [ComponentName(Name = ResNet18LayerNames.Conv1)]
    private readonly Conv2d _conv1;

    [ComponentName(Name = ResNet18LayerNames.Bn1)]
    private readonly BatchNorm2d _bn1;

    [ComponentName(Name = ResNet18LayerNames.Conv2)]
    private readonly Conv2d _conv2;

    [ComponentName(Name = ResNet18LayerNames.Bn2)]
    private readonly BatchNorm2d _bn2;

    [ComponentName(Name = ResNet18LayerNames.DownsampleConv)]
    private readonly Conv2d? _downsampleConv;

    [ComponentName(Name = ResNet18LayerNames.DownsampleBn)]
    private readonly BatchNorm2d? _downsampleBn;

    // See forward: the smallest projection width at which libtorch's channels-last 1x1 stride-2 convolution is wrong.
    private const int AffectedProjectionChannels = 512;

    private readonly bool _projectInNchw;

    /// <summary>Creates a block.</summary>
    /// <param name="name">Module name (informational).</param>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (filters).</param>
    /// <param name="stride">1, or 2 for the first block of stages 2-4 (which also gets the projection shortcut).</param>
    public ResNetBasicBlock(string name, int inChannels, int outChannels, int stride) : base(name)
    {
        if (stride is not (1 or 2)) throw new ArgumentOutOfRangeException(nameof(stride), stride, "Stride must be 1 or 2.");

        Conv1Geometry = new ConvGeometry(3, stride);
        Conv2Geometry = new ConvGeometry(3, 1);
        _conv1 = ResNet18Backbone.CreateConv(inChannels, outChannels, Conv1Geometry);
        _bn1 = ResNet18Backbone.CreateBatchNorm(outChannels);
        _conv2 = ResNet18Backbone.CreateConv(outChannels, outChannels, Conv2Geometry);
        _bn2 = ResNet18Backbone.CreateBatchNorm(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            DownsampleGeometry = new ConvGeometry(1, stride);
            _downsampleConv = ResNet18Backbone.CreateConv(inChannels, outChannels, DownsampleGeometry.Value);
            _downsampleBn = ResNet18Backbone.CreateBatchNorm(outChannels);
            _projectInNchw = outChannels >= AffectedProjectionChannels;
        }

        RegisterComponents();
    }

    /// <summary>Geometry of the first convolution.</summary>
    public ConvGeometry Conv1Geometry { get; }

    /// <summary>Geometry of the second convolution.</summary>
    public ConvGeometry Conv2Geometry { get; }

    /// <summary>Geometry of the shortcut projection, or null when the shortcut is the identity.</summary>
    public ConvGeometry? DownsampleGeometry { get; }

    /// <summary>True when the shortcut is a 1x1 projection rather than the identity.</summary>
    public bool HasProjection => _downsampleConv is not null;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var y = ResNet18Backbone.ConvBn(_conv1, _bn1, Conv1Geometry, input).relu_();
        y = ResNet18Backbone.ConvBn(_conv2, _bn2, Conv2Geometry, y);
        // Stage 4's projection runs on an NCHW copy: libtorch 2.10's CPU 1x1 stride-2 convolution returns wrong values for
        // channels-last input with 512 output channels (off by about 1 on unit-variance inputs at most batch sizes), found
        // by comparing the ONNX export in ONNX Runtime with this module. 128 and 256 channels are unaffected (the export
        // test passes with them in channels-last and fails if stage 4 is not copied), so only stage 4 pays for the copy.
        var shortcut = _downsampleConv is null
            ? input
            : ResNet18Backbone.ConvBn(_downsampleConv, _downsampleBn!, DownsampleGeometry!.Value, _projectInNchw ? input.contiguous() : input);
        return y.add_(shortcut).relu_().MoveToOuterDisposeScope();
    }
}

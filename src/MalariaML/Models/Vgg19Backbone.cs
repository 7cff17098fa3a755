using System.Security.Cryptography;
using System.Text;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// torchvision's VGG-19 <c>features</c> (configuration E: 16 convolutions 3x3 with ReLU, a 2x2 max pooling after each
/// of the five blocks) followed by global average pooling, so any input of at least 32x32 pixels gives 512 features.
/// </summary>
/// <remarks>
/// <para>Input: (N, 3, H, W) normalised as torchvision expects (see <see cref="Vgg19Classifier"/>). Output: (N, 512).
/// torchvision's own head (a 7x7 average pooling and <c>classifier.*</c>) is not part of this module.</para>
/// <para>A new instance has random weights; <see cref="LoadPretrained"/> or <see cref="LoadTorchVisionWeights"/> import
/// a user-supplied torchvision state_dict. Parameter names and their torchvision keys are in <see cref="Vgg19LayerNames"/>.</para>
/// </remarks>
internal sealed class Vgg19Backbone : nn.Module<Tensor, Tensor>
{
    /// <summary>Length of the output feature vector.</summary>
    public const int FeatureCount = 512;

    /// <summary>Number of convolution blocks (each ends with a 2x2 max pooling).</summary>
    public const int BlockCount = 5;

    /// <summary>Smallest input side: five poolings halve 32 pixels down to one.</summary>
    public const int MinimumInputSize = 32;

    /// <summary>Filters of the convolutions of each block.</summary>
    public static IReadOnlyList<int> BlockWidths { get; } = [64, 128, 256, 512, 512];

    /// <summary>Convolutions per block (VGG-19; VGG-16 would have 2, 2, 3, 3, 3).</summary>
    public static IReadOnlyList<int> ConvsPerBlock { get; } = [2, 2, 4, 4, 4];

    [ComponentName(Name = Vgg19LayerNames.Block1)]
    private readonly ModuleList<Conv2d> _block1;

    [ComponentName(Name = Vgg19LayerNames.Block2)]
    private readonly ModuleList<Conv2d> _block2;

    [ComponentName(Name = Vgg19LayerNames.Block3)]
    private readonly ModuleList<Conv2d> _block3;

    [ComponentName(Name = Vgg19LayerNames.Block4)]
    private readonly ModuleList<Conv2d> _block4;

    [ComponentName(Name = Vgg19LayerNames.Block5)]
    private readonly ModuleList<Conv2d> _block5;

    private readonly ModuleList<Conv2d>[] _blocks;

    /// <summary>Creates the module with randomly initialized weights.</summary>
    /// <param name="name">Module name (informational).</param>
    public Vgg19Backbone(string name = "vgg19_backbone") : base(name)
    {
        _blocks = new ModuleList<Conv2d>[BlockCount];
        var inChannels = 3;
        for (var b = 0; b < BlockCount; b++)
        {
            var convs = new Conv2d[ConvsPerBlock[b]];
            for (var c = 0; c < convs.Length; c++)
            {
                convs[c] = nn.Conv2d(inChannels, BlockWidths[b], 3, padding: 1);
                inChannels = BlockWidths[b];
            }

            _blocks[b] = new ModuleList<Conv2d>(convs);
        }

        (_block1, _block2, _block3, _block4, _block5) = (_blocks[0], _blocks[1], _blocks[2], _blocks[3], _blocks[4]);
        RegisterComponents();
    }

    /// <summary>The five blocks in forward order.</summary>
    public IReadOnlyList<ModuleList<Conv2d>> Blocks => _blocks;

    /// <summary>How many leading blocks are frozen (0 = none).</summary>
    public int FrozenBlockCount { get; private set; }

    /// <summary>Builds a backbone with the weights of a torchvision <c>vgg19</c> state_dict file.</summary>
    /// <param name="weightsPath">A <c>.safetensors</c> or <c>.pth</c> file, see <see cref="LoadTorchVisionWeights"/>.</param>
    /// <returns>The backbone in evaluation mode.</returns>
    /// <exception cref="WeightsFileException">The file cannot be read or does not fit.</exception>
    public static Vgg19Backbone LoadPretrained(string weightsPath)
        => PretrainedModule.Load(() => new Vgg19Backbone(), backbone => backbone.LoadTorchVisionWeights(weightsPath));

    /// <summary>
    /// Copies the convolution weights from a torchvision <c>vgg19</c> state_dict (keys <c>features.0.weight</c> to
    /// <c>features.34.bias</c>); other keys such as <c>classifier.*</c> are ignored.
    /// </summary>
    /// <remarks>
    /// Every parameter of this module must be found with its exact shape and a floating-point dtype (converted to
    /// float32) and finite values; otherwise nothing is copied and the error lists every offending key. For which
    /// formats are safe to load, see <see cref="StateDictFile"/>.
    /// </remarks>
    /// <param name="weightsPath">A <c>.safetensors</c> or PyTorch zip <c>.pth</c> file (recognised by content).</param>
    /// <exception cref="WeightsFileException">The file cannot be read, or a key is missing or does not fit.</exception>
    public void LoadTorchVisionWeights(string weightsPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(weightsPath);
        var targets = named_parameters().Select(p => (Key: Vgg19LayerNames.TorchVisionKey(p.name), Parameter: p.parameter)).ToList();
        var tensors = StateDictFile.Read(weightsPath, targets.Select(t => t.Key).ToList());
        try
        {
            var problems = new List<string>();
            var missing = targets.Where(t => !tensors.ContainsKey(t.Key)).Select(t => t.Key).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"missing {(missing.Count == 1 ? "key" : $"{missing.Count} keys")} {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", ..." : "")}");
            }

            foreach (var (key, parameter) in targets.Where(t => tensors.ContainsKey(t.Key)))
            {
                var tensor = tensors[key];
                if (!tensor.shape.SequenceEqual(parameter.shape))
                {
                    problems.Add($"key {key} has shape [{string.Join(", ", tensor.shape)}], expected [{string.Join(", ", parameter.shape)}]");
                }
                else if (!tensor.is_floating_point())
                {
                    problems.Add($"key {key} has dtype {tensor.dtype}, expected a floating-point type");
                }
                else if (!AllFinite(tensor))
                {
                    problems.Add($"key {key} holds NaN or infinite values");
                }
            }

            if (problems.Count > 0)
            {
                throw new WeightsFileException(weightsPath, $"not torchvision vgg19 weights: {string.Join("; ", problems)}");
            }

            using var noGrad = no_grad();
            foreach (var (key, parameter) in targets)
            {
                parameter.copy_(tensors[key]);
            }
        }
        finally
        {
            foreach (var tensor in tensors.Values)
            {
                tensor.Dispose();
            }
        }
    }

    /// <summary>
    /// Freezes every block except the last <paramref name="trainableBlocks"/>, for fine-tuning; the article trains
    /// blocks 4 and 5 (<paramref name="trainableBlocks"/> = 2). Frozen parameters get <c>requires_grad = false</c>.
    /// </summary>
    /// <param name="trainableBlocks">0 (everything frozen) to 5 (everything trainable).</param>
    public void FreezeExceptLastBlocks(int trainableBlocks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trainableBlocks);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(trainableBlocks, BlockCount);
        FrozenBlockCount = BlockCount - trainableBlocks;
        for (var b = 0; b < BlockCount; b++)
        {
            foreach (var p in _blocks[b].parameters())
            {
                p.requires_grad = b >= FrozenBlockCount;
            }
        }
    }

    /// <summary>
    /// A short SHA-256 of every parameter's name, shape and value (hexadecimal, 16 characters): equal for equal weights
    /// whatever file they came from, different for different weights. Hashes all 20 million weights on each call.
    /// </summary>
    public string WeightsFingerprint()
    {
        using var scope = NewDisposeScope();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, parameter) in named_parameters())
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}[{string.Join(",", parameter.shape)}]"));
            using var values = parameter.detach().cpu().contiguous();
            hash.AppendData(values.bytes);
        }

        return Convert.ToHexString(hash.GetHashAndReset(), 0, 8).ToLowerInvariant();
    }

    private static bool AllFinite(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return tensor.isfinite().all().item<bool>();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return Pool(LastConvolution(input)).MoveToOuterDisposeScope();
    }

    /// <summary>The output of the last convolution (conv 5_4, after its ReLU, before block 5's pooling): Grad-CAM's target.</summary>
    public Tensor LastConvolution(Tensor input)
    {
        if (input.dim() != 4 || input.shape[1] != 3 || input.shape[2] < MinimumInputSize || input.shape[3] < MinimumInputSize)
        {
            throw new ArgumentException($"Expected an (N, 3, H, W) tensor with H, W >= {MinimumInputSize}, got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        using var scope = NewDisposeScope();
        var x = MemoryFormat.ChannelsLast(input);
        for (var b = 0; b < _blocks.Length; b++)
        {
            foreach (var conv in _blocks[b]) x = conv.call(x).relu_();
            if (b < _blocks.Length - 1) x = nn.functional.max_pool2d(x, 2);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Block 5's max pooling and global average pooling of <see cref="LastConvolution"/>'s output into (N, 512) features.</summary>
    public static Tensor Pool(Tensor lastConvolution)
        => nn.functional.adaptive_avg_pool2d(nn.functional.max_pool2d(lastConvolution, 2), 1).flatten(1);
}

namespace MalariaML.Models;

/// <summary>
/// The registered names of every submodule of <see cref="ResNet18Backbone"/> and
/// <see cref="ResNetBasicBlock"/>: the single source for both the modules (through
/// <c>[ComponentName]</c>) and the weight importer.
/// </summary>
/// <remarks>
/// Weights are assigned by parameter name (for example <c>layer3.0.downsample_bn.running_var</c>).
/// Because the modules and the importer read the same constants, a misspelt name cannot make the two
/// disagree; and the importer still checks that every parameter and buffer was assigned exactly once.
/// </remarks>
internal static class ResNet18LayerNames
{
    /// <summary>The 7x7 stem convolution.</summary>
    public const string StemConv = "stem_conv";

    /// <summary>The stem's batch normalization.</summary>
    public const string StemBn = "stem_bn";

    /// <summary>Stage 1 (64 filters).</summary>
    public const string Stage1 = "layer1";

    /// <summary>Stage 2 (128 filters).</summary>
    public const string Stage2 = "layer2";

    /// <summary>Stage 3 (256 filters).</summary>
    public const string Stage3 = "layer3";

    /// <summary>Stage 4 (512 filters).</summary>
    public const string Stage4 = "layer4";

    /// <summary>First 3x3 convolution of a basic block.</summary>
    public const string Conv1 = "conv1";

    /// <summary>Batch normalization after <see cref="Conv1"/>.</summary>
    public const string Bn1 = "bn1";

    /// <summary>Second 3x3 convolution of a basic block.</summary>
    public const string Conv2 = "conv2";

    /// <summary>Batch normalization after <see cref="Conv2"/>.</summary>
    public const string Bn2 = "bn2";

    /// <summary>1x1 stride-2 projection on the shortcut of a stage's first block (stages 2-4).</summary>
    public const string DownsampleConv = "downsample_conv";

    /// <summary>Batch normalization after <see cref="DownsampleConv"/>.</summary>
    public const string DownsampleBn = "downsample_bn";

    /// <summary>Stage names in forward order.</summary>
    public static IReadOnlyList<string> Stages { get; } = [Stage1, Stage2, Stage3, Stage4];

    /// <summary>The prefix of block <paramref name="block"/> in stage <paramref name="stage"/> (both zero-based), e.g. <c>layer3.0</c>.</summary>
    /// <param name="stage">Zero-based stage index (0-3).</param>
    /// <param name="block">Zero-based block index within the stage.</param>
    /// <returns>The dotted module path of the block.</returns>
    public static string Block(int stage, int block) => $"{Stages[stage]}.{block}";
}

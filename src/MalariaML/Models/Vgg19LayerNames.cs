namespace MalariaML.Models;

/// <summary>
/// The registered names of the submodules of <see cref="Vgg19Backbone"/> and their torchvision state_dict names: the
/// single source for both the module (through <c>[ComponentName]</c>) and the weight import.
/// </summary>
/// <remarks>
/// <para>Each block is a list of 3x3 convolutions, so a parameter is named like <c>block4.2.weight</c> (block 4, third
/// convolution), after Keras' <c>block4_conv3</c> that the article unfreezes. torchvision keeps VGG-19's layers in one
/// <c>features</c> sequence in which every convolution is followed by a ReLU and every block by a max pooling, so the
/// same parameter is <c>features.23.weight</c> there; <see cref="TorchVisionKey"/> does that translation.</para>
/// <para>The import walks the module's own parameters and asks this table for each name, so a renamed field fails
/// loudly (no torchvision name) instead of silently keeping random weights.</para>
/// </remarks>
internal static class Vgg19LayerNames
{
    /// <summary>Block 1 (two convolutions, 64 filters).</summary>
    public const string Block1 = "block1";

    /// <summary>Block 2 (two convolutions, 128 filters).</summary>
    public const string Block2 = "block2";

    /// <summary>Block 3 (four convolutions, 256 filters).</summary>
    public const string Block3 = "block3";

    /// <summary>Block 4 (four convolutions, 512 filters).</summary>
    public const string Block4 = "block4";

    /// <summary>Block 5 (four convolutions, 512 filters).</summary>
    public const string Block5 = "block5";

    /// <summary>The torchvision submodule that holds the convolutions; its other keys (<c>classifier.*</c>) are not used.</summary>
    public const string TorchVisionFeatures = "features";

    /// <summary>Block names in forward order.</summary>
    public static IReadOnlyList<string> Blocks { get; } = [Block1, Block2, Block3, Block4, Block5];

    private static readonly IReadOnlyDictionary<string, string> ToTorchVision = BuildTorchVisionNames();

    /// <summary>The module path of convolution <paramref name="conv"/> of block <paramref name="block"/> (both zero-based), e.g. <c>block4.2</c>.</summary>
    /// <param name="block">Zero-based block index (0-4).</param>
    /// <param name="conv">Zero-based convolution index within the block.</param>
    public static string Conv(int block, int conv) => $"{Blocks[block]}.{conv}";

    /// <summary>The torchvision module path of the same convolution, e.g. <c>features.23</c> for <c>block4.2</c>.</summary>
    /// <param name="block">Zero-based block index (0-4).</param>
    /// <param name="conv">Zero-based convolution index within the block.</param>
    /// <exception cref="ArgumentOutOfRangeException">No such convolution.</exception>
    public static string TorchVisionConv(int block, int conv)
        => ToTorchVision.TryGetValue(Conv(block, conv), out var name) ? name : throw new ArgumentOutOfRangeException(nameof(conv), conv, $"block {block} has no such convolution");

    /// <summary>
    /// Translates a parameter name of <see cref="Vgg19Backbone"/> (e.g. <c>block1.0.bias</c>) into its torchvision
    /// state_dict key (<c>features.0.bias</c>).
    /// </summary>
    /// <param name="parameterName">A name from the backbone's <c>named_parameters()</c>.</param>
    /// <exception cref="InvalidOperationException">The name belongs to no known convolution (a renamed field).</exception>
    public static string TorchVisionKey(string parameterName)
    {
        ArgumentNullException.ThrowIfNull(parameterName);
        var dot = parameterName.LastIndexOf('.');
        if (dot > 0 && ToTorchVision.TryGetValue(parameterName[..dot], out var module))
        {
            return module + parameterName[dot..];
        }

        throw new InvalidOperationException($"VGG-19 parameter '{parameterName}' has no torchvision name; {nameof(Vgg19LayerNames)} and {nameof(Vgg19Backbone)} disagree");
    }

    private static Dictionary<string, string> BuildTorchVisionNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        var index = 0;
        for (var b = 0; b < Vgg19Backbone.ConvsPerBlock.Count; b++)
        {
            for (var c = 0; c < Vgg19Backbone.ConvsPerBlock[b]; c++)
            {
                names[Conv(b, c)] = $"{TorchVisionFeatures}.{index}";
                index += 2; // the convolution and its ReLU
            }

            index++; // the block's max pooling
        }

        return names;
    }
}

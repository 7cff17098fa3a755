using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>Memory layouts of image batches inside the networks.</summary>
internal static class MemoryFormat
{
    /// <summary>
    /// The same (N, C, H, W) tensor with channels-last (NHWC) strides, which oneDNN's CPU convolutions prefer. Whole
    /// networks at batch 64 on the 2-core development VM (short exploratory runs): basic-cnn inference 1.5-1.6x and a
    /// training step 1.4x faster, ResNet18 inference 1.2x, its training step about equal. The committed
    /// <c>MemoryFormatBenchmarks</c> (one basic-cnn convolution) shows 1.2-1.7x for the forward pass and no gain for
    /// forward + backward of that layer alone. Values, shapes and the order <c>flatten</c> sees are
    /// unchanged. A tensor already in that layout is returned as is, without a copy. (TorchSharp 0.107 has no
    /// <c>memory_format</c> argument; libtorch recognises the layout from the strides.)
    /// </summary>
    public static Tensor ChannelsLast(Tensor images)
        => images.dim() == 4 ? images.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : images;
}

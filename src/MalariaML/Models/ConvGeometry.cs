using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Models;

/// <summary>
/// Kernel and stride of one convolution or pooling window, padded the way CNTK's auto-padding does:
/// "same" padding (output size = ceil(input / stride)) with any odd padding row/column at the top/left.
/// </summary>
/// <remarks>
/// The ONNX export freezes these pads for 224x224 input, e.g. [3, 3, 2, 2] for the 7x7/2 stem and
/// [1, 1, 0, 0] for stride-2 3x3 layers, which torch's symmetric <c>padding</c> argument cannot express.
/// Computing them from the actual input size reproduces the exported pads exactly at 224 (the importer
/// checks this layer by layer) and keeps the main branch and the shortcut the same size at other sizes,
/// where the frozen pads would not (a 125x125 input would give 15x15 against 16x16 in stage 2).
/// </remarks>
/// <param name="Kernel">Square kernel size.</param>
/// <param name="Stride">Stride in both directions.</param>
internal readonly record struct ConvGeometry(int Kernel, int Stride)
{
    /// <summary>True when the padding is the same on every side for every input size (stride 1, odd kernel),
    /// so the operator's own symmetric padding can be used instead of an explicit pad.</summary>
    public bool IsAlwaysSymmetric => Stride == 1 && Kernel % 2 == 1;

    /// <summary>Padding before and after one spatial dimension of length <paramref name="size"/>.</summary>
    /// <param name="size">Input length along that dimension.</param>
    /// <returns>Rows (or columns) to add before and after.</returns>
    public (long Before, long After) PadsFor(long size)
    {
        long total = Math.Max(0, ((OutputSize(size) - 1) * Stride) + Kernel - size);
        long before = (total + 1) / 2;
        return (before, total - before);
    }

    /// <summary>Output length for an input length: ceil(size / stride).</summary>
    /// <param name="size">Input length along one dimension.</param>
    /// <returns>Output length.</returns>
    public long OutputSize(long size) => (size + Stride - 1) / Stride;

    /// <summary>The pads in ONNX attribute order (top, left, bottom, right) for a height x width input.</summary>
    /// <param name="height">Input height.</param>
    /// <param name="width">Input width.</param>
    /// <returns>Four pads.</returns>
    public long[] OnnxPadsFor(long height, long width)
    {
        var (top, bottom) = PadsFor(height);
        var (left, right) = PadsFor(width);
        return [top, left, bottom, right];
    }

    /// <summary>Pads an (N, C, H, W) tensor for this window with <paramref name="value"/>.</summary>
    /// <param name="input">The tensor to pad.</param>
    /// <param name="value">Fill value: 0 before convolutions, negative infinity before max pooling.</param>
    /// <returns>The padded tensor, or <paramref name="input"/> itself when no padding is needed.</returns>
    public Tensor PadExplicitly(Tensor input, double value = 0)
    {
        var (top, bottom) = PadsFor(input.shape[2]);
        var (left, right) = PadsFor(input.shape[3]);
        if (top == 0 && bottom == 0 && left == 0 && right == 0) return input;
        return nn.functional.pad(input, [left, right, top, bottom], PaddingModes.Constant, value);
    }

    /// <summary>Readable form for error messages.</summary>
    /// <returns>For example <c>3x3/2 same</c>.</returns>
    public override string ToString() => $"{Kernel}x{Kernel}/{Stride} same";
}

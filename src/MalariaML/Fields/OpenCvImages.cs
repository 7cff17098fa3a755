using MalariaML.Data;
using System.Runtime.InteropServices;
using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>Copies between the library's <see cref="RgbImage"/> and OpenCV matrices (RGB order, 8 bits per channel).</summary>
internal static class OpenCvImages
{
    public static Mat ToMat(RgbImage image)
    {
        var mat = new Mat(image.Height, image.Width, MatType.CV_8UC3);
        Marshal.Copy(image.Pixels, 0, mat.Data, image.Pixels.Length);
        return mat;
    }

    /// <summary>Copies only <paramref name="box"/> of the image: a crop must not copy the whole field.</summary>
    public static Mat ToMat(RgbImage image, Rect box)
    {
        var mat = new Mat(box.Height, box.Width, MatType.CV_8UC3);
        var row = box.Width * 3;
        for (var y = 0; y < box.Height; y++)
        {
            Marshal.Copy(image.Pixels, ((box.Y + y) * image.Width + box.X) * 3, mat.Data + y * row, row);
        }

        return mat;
    }

    public static RgbImage ToRgbImage(Mat mat)
    {
        if (mat.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"expected an 8-bit 3-channel matrix, got {mat.Type()}", nameof(mat));
        }

        using var continuous = mat.IsContinuous() ? null : mat.Clone();
        var source = continuous ?? mat;
        var pixels = new byte[RgbImage.ByteCount(mat.Width, mat.Height)];
        Marshal.Copy(source.Data, pixels, 0, pixels.Length);
        return new RgbImage(mat.Width, mat.Height, pixels);
    }
}

using System.Runtime.InteropServices;
using MalariaML.Runtime;
using OpenCvSharp;

namespace MalariaML.Preprocessing;

/// <summary>
/// Lab statistics of cell pixels and Reinhard's colour transfer between them, with OpenCV's float Lab conversion.
/// Black pixels (the surround of a cut-out cell) are left out of both.
/// </summary>
internal static class LabColor
{
    /// <summary>Pixels darker than this sum of R, G and B are the black surround, not the cell.</summary>
    private const int SurroundMaxSum = 30;

    public static ColorStatistics Statistics(IEnumerable<RgbImage> images)
    {
        var sum = new double[3];
        var sumSquares = new double[3];
        long n = 0;
        foreach (var image in images)
        {
            using var lab = ToLab(image, out var keep, out var values);
            for (var i = 0; i < keep.Length; i++)
            {
                if (!keep[i])
                {
                    continue;
                }

                n++;
                for (var c = 0; c < 3; c++)
                {
                    double v = values[3 * i + c];
                    sum[c] += v;
                    sumSquares[c] += v * v;
                }
            }
        }

        if (n == 0)
        {
            return new ColorStatistics([0, 0, 0], [1, 1, 1]);
        }

        var mean = sum.Select(s => s / n).ToArray();
        var std = sumSquares.Select((s, c) => Math.Sqrt(Math.Max(1e-6, s / n - mean[c] * mean[c]))).ToArray();
        return new ColorStatistics(mean, std);
    }

    /// <summary>Moves the cell pixels of <paramref name="image"/> from <paramref name="source"/> statistics to <paramref name="target"/>'s.</summary>
    public static RgbImage Transfer(RgbImage image, ColorStatistics source, ColorStatistics target)
    {
        using var lab = ToLab(image, out var keep, out var values);
        for (var i = 0; i < keep.Length; i++)
        {
            if (!keep[i])
            {
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                var v = (values[3 * i + c] - source.Mean[c]) / source.StdDev[c] * target.StdDev[c] + target.Mean[c];
                values[3 * i + c] = (float)v;
            }
        }

        Marshal.Copy(values, 0, lab.Data, values.Length);
        using var rgbFloat = new Mat();
        Cv2.CvtColor(lab, rgbFloat, ColorConversionCodes.Lab2RGB);
        using var rgb = new Mat();
        rgbFloat.ConvertTo(rgb, MatType.CV_8UC3, 255);
        var pixels = new byte[image.Pixels.Length];
        Marshal.Copy(rgb.Data, pixels, 0, pixels.Length);
        for (var i = 0; i < keep.Length; i++)
        {
            if (!keep[i])
            {
                pixels[3 * i] = pixels[3 * i + 1] = pixels[3 * i + 2] = 0;
            }
        }

        return new RgbImage(image.Width, image.Height, pixels);
    }

    /// <summary>Pixels of <paramref name="image"/> that are cell, not black surround.</summary>
    public static int ForegroundPixels(RgbImage image)
    {
        var p = image.Pixels;
        var n = 0;
        for (var i = 0; i + 2 < p.Length; i += 3)
        {
            if (p[i] + p[i + 1] + p[i + 2] > SurroundMaxSum)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>The image in float Lab, its values copied out, and which pixels are cell (not black surround).</summary>
    private static Mat ToLab(RgbImage image, out bool[] keep, out float[] values)
    {
        OpenCvRuntime.EnsureLoaded();
        keep = new bool[image.Width * image.Height];
        var p = image.Pixels;
        for (var i = 0; i < keep.Length; i++)
        {
            keep[i] = p[3 * i] + p[3 * i + 1] + p[3 * i + 2] > SurroundMaxSum;
        }

        using var bytes = new Mat(image.Height, image.Width, MatType.CV_8UC3);
        Marshal.Copy(p, 0, bytes.Data, p.Length);
        using var floats = new Mat();
        // Float input in [0, 1] gives Lab in true units (L 0-100), which the stored statistics use.
        bytes.ConvertTo(floats, MatType.CV_32FC3, 1 / 255.0);
        var lab = new Mat();
        Cv2.CvtColor(floats, lab, ColorConversionCodes.RGB2Lab);
        values = new float[image.Width * image.Height * 3];
        Marshal.Copy(lab.Data, values, 0, values.Length);
        return lab;
    }
}

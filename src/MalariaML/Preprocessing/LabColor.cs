using System.Runtime.InteropServices;
using MalariaML.Data;
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

    /// <summary>
    /// Robust statistics of one cell's interior: per channel the median and the interquartile range / 1.349 (the
    /// standard deviation of a normal distribution with that range); null when the cell has no interior. The interior
    /// is the cell pixels whose four neighbours are cell too: the one-pixel rim where resizing blended cell and black
    /// holds few pixels but, being very dark, most of the lightness variance, which is shape, not stain. Median and
    /// quartiles describe the bulk of the cell, its stain, and hardly move for a parasite covering a tenth of it, whose
    /// dark pixels a mean and standard deviation would count as stain.
    /// </summary>
    public static ColorStatistics? RobustStatistics(RgbImage image)
    {
        using var lab = ToLab(image, out var keep, out var values);
        int w = image.Width, h = image.Height;
        var channels = new[] { new List<float>(), new List<float>(), new List<float>() };
        for (var y = 1; y < h - 1; y++)
        {
            for (var x = 1; x < w - 1; x++)
            {
                var i = y * w + x;
                if (keep[i] && keep[i - 1] && keep[i + 1] && keep[i - w] && keep[i + w])
                {
                    for (var c = 0; c < 3; c++)
                    {
                        channels[c].Add(values[3 * i + c]);
                    }
                }
            }
        }

        if (channels[0].Count == 0)
        {
            return null;
        }

        var median = new double[3];
        var spread = new double[3];
        for (var c = 0; c < 3; c++)
        {
            var sorted = channels[c];
            sorted.Sort();
            median[c] = Quantile(sorted, 0.5);
            spread[c] = (Quantile(sorted, 0.75) - Quantile(sorted, 0.25)) / 1.349;
        }

        return new ColorStatistics(median, spread);
    }

    // Linear interpolation between the closest ranks.
    private static double Quantile(List<float> sorted, double q)
    {
        var position = q * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(sorted.Count - 1, below + 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
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

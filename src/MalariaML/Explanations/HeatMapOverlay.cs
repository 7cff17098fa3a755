using MalariaML.Data;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace MalariaML.Explanations;

/// <summary>Draws a heat map over its cell with a jet colour map and encodes the picture as PNG.</summary>
internal static class HeatMapOverlay
{
    /// <summary>
    /// The cell with the heat map blended over it: each pixel mixes in the colour of its heat (blue, cyan, yellow,
    /// red) with an opacity proportional to the heat, so cold areas show the plain cell.
    /// </summary>
    /// <param name="cell">The cell, at the map's size.</param>
    /// <param name="map">The heat map.</param>
    /// <param name="opacity">Opacity where the heat is 1, 0 to 1.</param>
    public static RgbImage Blend(RgbImage cell, HeatMap map, double opacity = 0.6)
    {
        ArgumentNullException.ThrowIfNull(cell);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentOutOfRangeException.ThrowIfNegative(opacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(opacity, 1);
        if (cell.Width != map.Width || cell.Height != map.Height)
        {
            throw new ArgumentException($"map is {map.Width}x{map.Height}, cell is {cell.Width}x{cell.Height}", nameof(map));
        }

        var output = new byte[cell.Pixels.Length];
        for (var p = 0; p < map.Values.Length; p++)
        {
            var heat = Math.Clamp(map.Values[p], 0f, 1f);
            var alpha = (float)opacity * heat;
            var (r, g, b) = Jet(heat);
            output[3 * p] = Mix(cell.Pixels[3 * p], r, alpha);
            output[(3 * p) + 1] = Mix(cell.Pixels[(3 * p) + 1], g, alpha);
            output[(3 * p) + 2] = Mix(cell.Pixels[(3 * p) + 2], b, alpha);
        }

        return new RgbImage(cell.Width, cell.Height, output);
    }

    /// <summary>The overlay of <see cref="Blend"/> encoded as PNG.</summary>
    public static byte[] RenderPng(RgbImage cell, HeatMap map, double opacity = 0.6) => EncodePng(Blend(cell, map, opacity));

    /// <summary>Encodes an RGB image as PNG.</summary>
    public static byte[] EncodePng(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var rgba = new byte[image.Width * image.Height * 4];
        for (var p = 0; p < image.Width * image.Height; p++)
        {
            rgba[4 * p] = image.Pixels[3 * p];
            rgba[(4 * p) + 1] = image.Pixels[(3 * p) + 1];
            rgba[(4 * p) + 2] = image.Pixels[(3 * p) + 2];
            rgba[(4 * p) + 3] = 255;
        }

        using var bitmap = new SKBitmap(new SKImageInfo(image.Width, image.Height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    // The classic "jet" map as three clamped ramps: dark blue at 0, cyan, yellow, dark red at 1.
    private static (byte R, byte G, byte B) Jet(float t)
        => (Ramp(1.5f - Math.Abs((4f * t) - 3f)), Ramp(1.5f - Math.Abs((4f * t) - 2f)), Ramp(1.5f - Math.Abs((4f * t) - 1f)));

    private static byte Ramp(float v) => (byte)Math.Round(255f * Math.Clamp(v, 0f, 1f));

    private static byte Mix(byte under, byte over, float alpha) => (byte)Math.Round((under * (1f - alpha)) + (over * alpha));
}

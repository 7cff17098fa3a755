using SkiaSharp;

namespace MalariaML.Plots;

/// <summary>The blank white canvas every chart starts from, and the colours shared by all charts.</summary>
internal static class ChartCanvas
{
    /// <summary>Colour of titles and labels: near-black, softer than pure black on white.</summary>
    public static SKColor TextColor { get; } = new(0x22, 0x22, 0x22);

    /// <summary>A white raster surface of the given size.</summary>
    public static SKSurface Create(int width, int height)
    {
        var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"cannot allocate a {width} x {height} canvas");
        surface.Canvas.Clear(SKColors.White);
        return surface;
    }
}

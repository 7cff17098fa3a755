using SkiaSharp;

namespace MalariaML.Plots;

/// <summary>Picks the renderer for a <see cref="ChartSpec"/> and checks what all charts share.</summary>
internal static class ChartRenderer
{
    // Far beyond any report chart; keeps a typo from asking Skia for gigabytes.
    private const int MaxSide = 10_000;

    /// <summary>Draws <paramref name="spec"/>; throws <see cref="InvalidDataException"/> for a spec that cannot be drawn.</summary>
    public static SKImage Render(ChartSpec spec, ChartFonts fonts)
    {
        if (spec.Width is < 16 or > MaxSide || spec.Height is < 16 or > MaxSide)
            throw new InvalidDataException($"size {spec.Width} x {spec.Height} is outside 16..{MaxSide} pixels");

        return spec switch
        {
            LineChartSpec lines => LineChartRenderer.Render(lines, fonts),
            ConfusionMatrixSpec confusion => ConfusionMatrixRenderer.Render(confusion, fonts),
            ImageGridSpec grid => ImageGridRenderer.Render(grid, fonts),
            _ => throw new InvalidDataException($"unsupported chart type {spec.GetType().Name}"),
        };
    }
}

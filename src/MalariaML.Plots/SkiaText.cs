using SkiaSharp;

namespace MalariaML.Plots;

/// <summary>Text layout helpers for the charts drawn with SkiaSharp directly.</summary>
internal static class SkiaText
{
    /// <summary>Height of one line of <paramref name="font"/>, ascent to descent.</summary>
    public static float LineHeight(SKFont font) => font.Metrics.Descent - font.Metrics.Ascent;

    /// <summary>Baseline that puts the capitals and digits of <paramref name="font"/> visually centred on <paramref name="centerY"/>.</summary>
    public static float CenteredBaseline(SKFont font, float centerY)
    {
        var cap = font.Metrics.CapHeight > 0 ? font.Metrics.CapHeight : -font.Metrics.Ascent * 0.7f;
        return centerY + cap / 2;
    }

    /// <summary><paramref name="text"/>, shortened with an ellipsis until it is at most <paramref name="maxWidth"/> wide.</summary>
    public static string Fit(string text, SKFont font, float maxWidth)
    {
        if (font.MeasureText(text) <= maxWidth)
            return text;
        for (var length = text.Length - 1; length > 0; length--)
        {
            var candidate = text[..length].TrimEnd() + "…";
            if (font.MeasureText(candidate) <= maxWidth)
                return candidate;
        }
        return "";
    }

    /// <summary>Draws <paramref name="text"/> centred horizontally on <paramref name="centerX"/>, shortened to <paramref name="maxWidth"/>.</summary>
    public static void DrawCentered(SKCanvas canvas, string text, float centerX, float baseline, SKFont font, SKPaint paint, float maxWidth = float.MaxValue) =>
        canvas.DrawText(Fit(text, font, maxWidth), centerX, baseline, SKTextAlign.Center, font, paint);

    /// <summary>A solid anti-aliased fill paint.</summary>
    public static SKPaint Fill(SKColor color) => new() { Color = color, IsAntialias = true, Style = SKPaintStyle.Fill };
}

using System.Globalization;
using SkiaSharp;

namespace MalariaML.Plots;

/// <summary>Draws a <see cref="ConfusionMatrixSpec"/> with SkiaSharp: a square heat map of counts, shaded by row share.</summary>
/// <remarks>Drawn directly rather than with a ScottPlot heat map, which has no per-cell two-line labels or class-name axes.</remarks>
internal static class ConfusionMatrixRenderer
{
    // Matplotlib's "Blues" colour map: white for a share of 0 to dark blue for 1.
    private static readonly SKColor[] Blues =
    [
        new(0xF7, 0xFB, 0xFF), new(0xDE, 0xEB, 0xF7), new(0xC6, 0xDB, 0xEF), new(0x9E, 0xCA, 0xE1), new(0x6B, 0xAE, 0xD6),
        new(0x42, 0x92, 0xC6), new(0x21, 0x71, 0xB5), new(0x08, 0x51, 0x9C), new(0x08, 0x30, 0x6B),
    ];

    /// <summary>Renders the matrix at the spec's size.</summary>
    public static SKImage Render(ConfusionMatrixSpec spec, ChartFonts fonts)
    {
        var (labels, counts) = Validate(spec);
        var n = labels.Count;

        using var surface = ChartCanvas.Create(spec.Width, spec.Height);
        var canvas = surface.Canvas;
        float w = spec.Width, h = spec.Height;
        var s = Math.Clamp(Math.Min(w, h) / 500f, 0.8f, 2.5f);
        var margin = 16 * s;

        using var titleFont = fonts.Font(19 * s, bold: true);
        using var axisFont = fonts.Font(15 * s, bold: true);
        using var classFont = fonts.Font(14 * s);
        using var text = SkiaText.Fill(ChartCanvas.TextColor);

        var top = margin;
        if (!string.IsNullOrWhiteSpace(spec.Title))
        {
            var baseline = margin - titleFont.Metrics.Ascent;
            SkiaText.DrawCentered(canvas, spec.Title, w / 2, baseline, titleFont, text, w - 2 * margin);
            top = baseline + titleFont.Metrics.Descent + 14 * s;
        }

        // Left of the matrix: the rotated "Actual" and the row class names; below it: column class names and "Predicted".
        var gap = 10 * s;
        var classWidth = labels.Max(l => classFont.MeasureText(l));
        var left = margin + SkiaText.LineHeight(axisFont) + gap + classWidth + gap;
        var bottom = gap + SkiaText.LineHeight(classFont) + 6 * s + SkiaText.LineHeight(axisFont) + margin;
        var available = Math.Min(w - left - margin, h - top - bottom);
        if (available < 40 * n)
            throw new InvalidDataException($"{spec.Width} x {spec.Height} is too small for a {n} x {n} matrix");

        var cell = available / n;
        var size = cell * n;
        var x0 = Math.Clamp((w - size) / 2, left, w - margin - size);
        var y0 = top + (h - top - bottom - size) / 2;

        using var countFont = fonts.Font(Math.Clamp(cell * 0.14f, 12, 30 * s), bold: true);
        using var shareFont = fonts.Font(Math.Clamp(cell * 0.095f, 10, 20 * s));
        var inset = Math.Max(1.5f, 2 * s);
        for (var row = 0; row < n; row++)
        {
            var total = counts[row].Sum();
            for (var col = 0; col < n; col++)
            {
                var count = counts[row][col];
                var share = total > 0 ? count / (double)total : 0;
                var fillColor = ColorFor(share);
                var rect = new SKRect(x0 + col * cell + inset, y0 + row * cell + inset, x0 + (col + 1) * cell - inset, y0 + (row + 1) * cell - inset);
                using (var fill = SkiaText.Fill(fillColor))
                    canvas.DrawRoundRect(rect, 3 * s, 3 * s, fill);

                using var ink = SkiaText.Fill(ReadableOn(fillColor));
                var countText = count.ToString("N0", CultureInfo.InvariantCulture);
                var shareText = ShareText(count, total);
                var lineGap = 6 * s;
                var blockHeight = countFont.Metrics.CapHeight + lineGap + shareFont.Metrics.CapHeight;
                var countBaseline = rect.MidY - blockHeight / 2 + countFont.Metrics.CapHeight;
                SkiaText.DrawCentered(canvas, countText, rect.MidX, countBaseline, countFont, ink, rect.Width - 4);
                SkiaText.DrawCentered(canvas, shareText, rect.MidX, countBaseline + lineGap + shareFont.Metrics.CapHeight, shareFont, ink, rect.Width - 4);
            }
        }

        // Column names and "Predicted" under the matrix.
        var classBaseline = y0 + size + gap - classFont.Metrics.Ascent;
        for (var col = 0; col < n; col++)
            SkiaText.DrawCentered(canvas, labels[col], x0 + (col + 0.5f) * cell, classBaseline, classFont, text, cell);
        var predictedBaseline = classBaseline + classFont.Metrics.Descent + 6 * s - axisFont.Metrics.Ascent;
        SkiaText.DrawCentered(canvas, "Predicted", x0 + size / 2, predictedBaseline, axisFont, text);

        // Row names right-aligned against the matrix, "Actual" rotated to its left.
        for (var row = 0; row < n; row++)
            canvas.DrawText(labels[row], x0 - gap, SkiaText.CenteredBaseline(classFont, y0 + (row + 0.5f) * cell), SKTextAlign.Right, classFont, text);
        var actualX = x0 - gap - classWidth - gap - SkiaText.LineHeight(axisFont) / 2;
        canvas.Save();
        canvas.RotateDegrees(-90, actualX, y0 + size / 2);
        SkiaText.DrawCentered(canvas, "Actual", actualX, SkiaText.CenteredBaseline(axisFont, y0 + size / 2), axisFont, text);
        canvas.Restore();

        return surface.Snapshot();
    }

    private static (IReadOnlyList<string> Labels, long[][] Counts) Validate(ConfusionMatrixSpec spec)
    {
        if (spec.Labels is not { Count: >= 2 } labels || labels.Any(l => l is null))
            throw new InvalidDataException("labels must name at least two classes");
        if (spec.Counts is null || spec.Counts.Count != labels.Count || spec.Counts.Any(r => r is null || r.Count != labels.Count))
            throw new InvalidDataException($"counts must be {labels.Count} x {labels.Count}, one row and column per label");
        if (spec.Counts.Any(r => r.Any(c => c < 0)))
            throw new InvalidDataException("counts must not be negative");
        return (labels, spec.Counts.Select(r => r.ToArray()).ToArray());
    }

    private static SKColor ColorFor(double share)
    {
        // Shares are kept off pure white so that an empty cell still reads as a cell on the white page.
        var t = 0.06 + 0.94 * Math.Clamp(share, 0, 1);
        var position = t * (Blues.Length - 1);
        var i = Math.Min((int)position, Blues.Length - 2);
        var f = (float)(position - i);
        var (a, b) = (Blues[i], Blues[i + 1]);
        return new SKColor(
            (byte)Math.Round(a.Red + (b.Red - a.Red) * f),
            (byte)Math.Round(a.Green + (b.Green - a.Green) * f),
            (byte)Math.Round(a.Blue + (b.Blue - a.Blue) * f));
    }

    private static string ShareText(long count, long total)
    {
        if (total == 0)
            return "–";
        var percent = 100.0 * count / total;
        // One decimal would print a few errors among thousands as 0.0% and the rest as 100.0%.
        return percent switch
        {
            > 0 and < 0.05 => "<0.1%",
            > 99.95 and < 100 => ">99.9%",
            _ => percent.ToString("0.0", CultureInfo.InvariantCulture) + "%",
        };
    }

    private static SKColor ReadableOn(SKColor background)
    {
        // Whichever of white and the text colour has the higher WCAG contrast ratio on this background.
        var l = Luminance(background);
        var dark = Luminance(ChartCanvas.TextColor);
        return (1.05 / (l + 0.05)) > ((l + 0.05) / (dark + 0.05)) ? SKColors.White : ChartCanvas.TextColor;
    }

    private static double Luminance(SKColor c)
    {
        static double Linear(byte value)
        {
            var v = value / 255.0;
            return v <= 0.04045 ? v / 12.92 : Math.Pow((v + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * Linear(c.Red) + 0.7152 * Linear(c.Green) + 0.0722 * Linear(c.Blue);
    }
}

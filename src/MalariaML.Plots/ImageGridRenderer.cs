using SkiaSharp;

namespace MalariaML.Plots;

/// <summary>Draws an <see cref="ImageGridSpec"/> with SkiaSharp: title, a colour key, then framed, captioned tiles.</summary>
/// <remarks>
/// The width is the spec's. Tiles are as large as the width allows; the spec's height is a maximum: when all rows do not
/// fit, tiles shrink (centred, never below 32 px per image at scale 1) until they do, and when they fit with room to
/// spare, the image is cut to the height actually used rather than padded with white.
/// </remarks>
internal static class ImageGridRenderer
{
    private static readonly SKColor RightColor = new(0x2C, 0xA0, 0x2C);
    private static readonly SKColor WrongColor = new(0xD6, 0x27, 0x28);
    // Microscopy crops come on black, so black bars around a non-square image blend in.
    private static readonly SKColor LetterboxColor = SKColors.Black;
    private static readonly SKColor UnreadableColor = new(0xBD, 0xBD, 0xBD);
    private static readonly SKColor SubcaptionColor = new(0x66, 0x66, 0x66);

    /// <summary>Renders the grid; the result is <see cref="ChartSpec.Width"/> wide and at most <see cref="ChartSpec.Height"/> high (see remarks).</summary>
    public static SKImage Render(ImageGridSpec spec, ChartFonts fonts)
    {
        if (spec.Columns < 1)
            throw new InvalidDataException($"columns must be at least 1, not {spec.Columns}");
        if (spec.Cells is null || spec.Cells.Any(c => c is null || c.Path is null))
            throw new InvalidDataException("cells must be a list of cells, each with a path");

        var cells = spec.Cells;
        float w = spec.Width;
        var s = Math.Clamp(w / 1200f, 0.8f, 2.5f);
        var margin = 16 * s;
        var gapX = 14 * s;
        var gapY = 14 * s;
        var frame = MathF.Round(Math.Max(3, 4 * s));

        using var titleFont = fonts.Font(19 * s, bold: true);
        using var keyFont = fonts.Font(13 * s);
        using var captionFont = fonts.Font(14 * s);
        using var subcaptionFont = fonts.Font(12.5f * s);

        // Header: title, then a one-line key of the frame colours.
        var titleBaseline = margin - titleFont.Metrics.Ascent;
        var keyBaseline = (string.IsNullOrWhiteSpace(spec.Title) ? margin : titleBaseline + titleFont.Metrics.Descent + 6 * s) - keyFont.Metrics.Ascent;
        var header = keyBaseline + keyFont.Metrics.Descent + 14 * s;

        var columns = Math.Min(spec.Columns, Math.Max(1, cells.Count));
        var rows = (cells.Count + columns - 1) / columns;
        var hasSubcaption = cells.Any(c => !string.IsNullOrWhiteSpace(c.Subcaption));
        var captionBlock = 6 * s + SkiaText.LineHeight(captionFont) + (hasSubcaption ? 2 * s + SkiaText.LineHeight(subcaptionFont) : 0);

        // Largest image side the width allows, then shrunk to the height limit if needed.
        var side = (w - 2 * margin - (spec.Columns - 1) * gapX) / spec.Columns - 2 * frame;
        if (rows > 0)
        {
            var fitHeight = (spec.Height - header - margin - (rows - 1) * gapY) / rows - captionBlock - 2 * frame;
            side = Math.Max(Math.Min(side, fitHeight), 32 * s);
        }
        if (side < 8)
            throw new InvalidDataException($"{spec.Width} px is too narrow for {spec.Columns} columns");
        var tile = side + 2 * frame;
        var rowHeight = tile + captionBlock;
        var height = rows == 0 ? header + 30 * s + margin : header + rows * rowHeight + (rows - 1) * gapY + margin;

        using var surface = ChartCanvas.Create(spec.Width, (int)Math.Ceiling(height));
        var canvas = surface.Canvas;
        using var text = SkiaText.Fill(ChartCanvas.TextColor);

        if (!string.IsNullOrWhiteSpace(spec.Title))
            SkiaText.DrawCentered(canvas, spec.Title, w / 2, titleBaseline, titleFont, text, w - 2 * margin);
        DrawKey(canvas, w / 2, keyBaseline, keyFont, s);

        if (rows == 0)
            SkiaText.DrawCentered(canvas, "no images", w / 2, header + 20 * s, captionFont, text);

        // Shrunken tiles are spread out so that captions keep their full width (up to the width tiles had unshrunk).
        var captionWidth = cells.Count == 0 ? 0 : cells.Max(c => Math.Max(captionFont.MeasureText(c.Caption ?? ""), subcaptionFont.MeasureText(c.Subcaption ?? "")));
        var pitch = Math.Min((w - 2 * margin + gapX) / spec.Columns, Math.Max(tile + gapX, captionWidth + gapX));
        var gridWidth = (columns - 1) * pitch + tile;
        var left = (w - gridWidth) / 2;
        for (var i = 0; i < cells.Count; i++)
        {
            var cell = cells[i];
            var x = left + i % columns * pitch;
            var y = header + i / columns * (rowHeight + gapY);
            DrawTile(canvas, cell, new SKRect(x, y, x + tile, y + tile), frame, keyFont, s);

            var captionBaseline = y + tile + 6 * s - captionFont.Metrics.Ascent;
            var maxWidth = Math.Max(tile, pitch - gapX * 0.5f);
            SkiaText.DrawCentered(canvas, cell.Caption ?? "", x + tile / 2, captionBaseline, captionFont, text, maxWidth);
            if (!string.IsNullOrWhiteSpace(cell.Subcaption))
            {
                using var grey = SkiaText.Fill(SubcaptionColor);
                var subBaseline = captionBaseline + captionFont.Metrics.Descent + 2 * s - subcaptionFont.Metrics.Ascent;
                SkiaText.DrawCentered(canvas, cell.Subcaption, x + tile / 2, subBaseline, subcaptionFont, grey, maxWidth);
            }
        }

        return surface.Snapshot();
    }

    private static void DrawTile(SKCanvas canvas, GridCell cell, SKRect outer, float frame, SKFont font, float s)
    {
        using (var framePaint = SkiaText.Fill(cell.Wrong ? WrongColor : RightColor))
            canvas.DrawRect(outer, framePaint);
        var inner = SKRect.Inflate(outer, -frame, -frame);

        using var image = TryLoad(cell.Path);
        if (image is null)
        {
            using var grey = SkiaText.Fill(UnreadableColor);
            canvas.DrawRect(inner, grey);
            using var ink = SkiaText.Fill(new SKColor(0x44, 0x44, 0x44));
            const string unreadable = "unreadable";
            // Smaller type rather than "unr…" in small tiles.
            using var fitted = new SKFont(font.Typeface, Math.Max(8, Math.Min(font.Size, font.Size * (inner.Width - 6 * s) / font.MeasureText(unreadable))));
            SkiaText.DrawCentered(canvas, unreadable, inner.MidX, SkiaText.CenteredBaseline(fitted, inner.MidY), fitted, ink, inner.Width);
            return;
        }

        using (var letterbox = SkiaText.Fill(LetterboxColor))
            canvas.DrawRect(inner, letterbox);
        var fit = Math.Min(inner.Width / image.Width, inner.Height / image.Height);
        var (dw, dh) = (image.Width * fit, image.Height * fit);
        var dest = SKRect.Create(inner.MidX - dw / 2, inner.MidY - dh / 2, dw, dh);
        // Cubic resampling keeps small cell crops smooth when enlarged; mipmaps keep large photos from aliasing when reduced.
        var sampling = fit >= 1
            ? new SKSamplingOptions(SKCubicResampler.Mitchell)
            : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
        canvas.Save();
        canvas.ClipRect(inner);
        canvas.DrawImage(image, dest, sampling);
        canvas.Restore();
    }

    private static SKImage? TryLoad(string path)
    {
        try
        {
            return File.Exists(path) ? SKImage.FromEncodedData(File.ReadAllBytes(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    private static void DrawKey(SKCanvas canvas, float centerX, float baseline, SKFont font, float s)
    {
        // "[green] correct   [red] wrong", centred: swatch, gap, label, spacing, swatch, gap, label.
        const string right = "correct", wrong = "wrong";
        var swatch = font.Metrics.CapHeight + 2 * s;
        var (inner, outer) = (5 * s, 22 * s);
        var total = swatch + inner + font.MeasureText(right) + outer + swatch + inner + font.MeasureText(wrong);
        var x = centerX - total / 2;
        using var ink = SkiaText.Fill(SubcaptionColor);
        foreach (var (label, color) in new[] { (right, RightColor), (wrong, WrongColor) })
        {
            using var paint = new SKPaint { Color = color, IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = Math.Max(2, 2.5f * s) };
            var half = paint.StrokeWidth / 2;
            canvas.DrawRect(SKRect.Create(x + half, baseline - swatch + 1 * s + half, swatch - 2 * half, swatch - 2 * half), paint);
            x += swatch + inner;
            canvas.DrawText(label, x, baseline, SKTextAlign.Left, font, ink);
            x += font.MeasureText(label) + outer;
        }
    }
}

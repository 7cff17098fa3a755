using System.Runtime.InteropServices;
using MalariaML.Data;
using MalariaML.Fields;
using OpenCvSharp;

namespace MalariaML.Tests.Fields;

/// <summary>
/// A field composed from real cells on a smear-like background, with every cell's box known: the exhaustive ground
/// truth that the real annotated fields lack. Some cells touch, some overlap; a white-blood-cell-like blob (pale
/// cytoplasm, dark lobed nucleus) and a scale bar are added, as in a microscope photograph. Shared with the benchmarks.
/// </summary>
/// <param name="Image">The composed field.</param>
/// <param name="Cells">Box of every red cell, in pixels of <paramref name="Image"/>.</param>
/// <param name="Labels">Class of every cell, as its source folder says.</param>
/// <param name="WhiteCell">Box of the white-cell-like blob.</param>
/// <param name="ScaleBar">Box of the scale bar.</param>
internal sealed record SyntheticField(RgbImage Image, IReadOnlyList<PixelBox> Cells, IReadOnlyList<string> Labels, PixelBox WhiteCell, PixelBox ScaleBar)
{
    /// <summary>Composes a field of <paramref name="width"/> x <paramref name="height"/> with cells of about <paramref name="diameter"/> pixels.</summary>
    /// <param name="cellFiles">Cell images (class folder name = label) to draw from.</param>
    /// <param name="width">Field width.</param>
    /// <param name="height">Field height.</param>
    /// <param name="diameter">Cell diameter in pixels.</param>
    /// <param name="seed">Seed of every random choice.</param>
    public static SyntheticField Compose(IReadOnlyList<string> cellFiles, int width, int height, double diameter, int seed)
    {
        var random = new Random(seed);
        using var canvas = Background(width, height, random);
        var d = (int)Math.Round(diameter);
        var spacing = 1.35 * diameter;
        // The white cell and the scale bar first, so that the cells are placed around them.
        var wbcSize = (int)(1.8 * diameter);
        var wbc = new PixelBox(width / 2 - wbcSize / 2, height / 2 - wbcSize / 2, wbcSize, wbcSize);
        DrawWhiteCell(canvas, wbc);
        var bar = new PixelBox(width - (int)(1.6 * diameter), height - (int)(0.5 * diameter), (int)(1.2 * diameter), Math.Max(3, d / 16));
        Cv2.Rectangle(canvas, new Rect(bar.X, bar.Y, bar.Width, bar.Height), Scalar.Black, -1);
        var keepOut = new[] { Grow(wbc, d / 3), Grow(bar, d) };

        var files = cellFiles.ToArray();
        random.Shuffle(files);
        var boxes = new List<PixelBox>();
        var labels = new List<string>();
        var next = 0;
        for (var y = 0.1 * diameter; y + 1.1 * diameter < height; y += spacing)
        {
            for (var x = 0.1 * diameter; x + 1.1 * diameter < width; x += spacing)
            {
                // A quarter of the cells are pulled towards their left neighbour until they touch or overlap it.
                var shift = random.NextDouble() < 0.25 ? (0.35 + 0.3 * random.NextDouble()) * diameter : random.NextDouble() * 0.25 * diameter;
                var cx = (int)(x - shift + 0.5 * spacing * 0.1);
                var cy = (int)(y + (random.NextDouble() - 0.5) * 0.2 * diameter);
                var size = (int)Math.Round(diameter * (0.9 + 0.2 * random.NextDouble()));
                var box = new PixelBox(Math.Max(1, cx), Math.Max(1, cy), size, size);
                if (box.X + size >= width - 1 || box.Y + size >= height - 1 || keepOut.Any(k => k.IoU(box) > 0))
                {
                    continue;
                }

                var file = files[next++ % files.Length];
                var placed = Paste(canvas, file, box);
                boxes.Add(placed);
                labels.Add(Path.GetFileName(Path.GetDirectoryName(file))!);
            }
        }

        return new SyntheticField(ToImage(canvas), boxes, labels, wbc, bar);
    }

    /// <summary>The field as encoded bytes (".png" or ".jpg").</summary>
    public byte[] Encode(string extension)
    {
        using var rgb = new Mat(Image.Height, Image.Width, MatType.CV_8UC3);
        Marshal.Copy(Image.Pixels, 0, rgb.Data, Image.Pixels.Length);
        using var bgr = new Mat();
        Cv2.CvtColor(rgb, bgr, ColorConversionCodes.RGB2BGR);
        Cv2.ImEncode(extension, bgr, out var bytes, extension == ".jpg" ? [new ImageEncodingParam(ImwriteFlags.JpegQuality, 92)] : []);
        return bytes;
    }

    private static Mat Background(int width, int height, Random random)
    {
        var canvas = new Mat(height, width, MatType.CV_8UC3, new Scalar(238, 232, 228));
        // Seeded noise from .NET: OpenCV's own generator is global state shared with every other caller.
        var values = new short[width * height * 3];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (short)Math.Round(3 * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        using var signedNoise = new Mat(height, width, MatType.CV_16SC3);
        Marshal.Copy(values, 0, signedNoise.Data, values.Length);
        using var wide = new Mat();
        canvas.ConvertTo(wide, MatType.CV_16SC3);
        Cv2.Add(wide, signedNoise, wide);
        wide.ConvertTo(canvas, MatType.CV_8UC3);
        return canvas;
    }

    private static void DrawWhiteCell(Mat canvas, PixelBox box)
    {
        var centre = new Point(box.X + box.Width / 2, box.Y + box.Height / 2);
        Cv2.Circle(canvas, centre, box.Width / 2, new Scalar(205, 185, 215), -1, LineTypes.AntiAlias);
        var r = box.Width / 5;
        foreach (var (dx, dy) in new[] { (-r, 0), (r / 2, -r / 2), (r / 2, r / 2) })
        {
            Cv2.Circle(canvas, new Point(centre.X + dx, centre.Y + dy), r, new Scalar(95, 35, 115), -1, LineTypes.AntiAlias);
        }
    }

    /// <summary>Pastes the non-black pixels of a cell, scaled to fill <paramref name="box"/>; returns the box they cover.</summary>
    private static PixelBox Paste(Mat canvas, string file, PixelBox box)
    {
        var cell = ImageDecoder.DecodeFile(file);
        using var source = new Mat(cell.Height, cell.Width, MatType.CV_8UC3);
        Marshal.Copy(cell.Pixels, 0, source.Data, cell.Pixels.Length);
        using var scaled = new Mat();
        Cv2.Resize(source, scaled, new Size(box.Width, box.Height), 0, 0, InterpolationFlags.Area);
        using var grey = new Mat();
        Cv2.CvtColor(scaled, grey, ColorConversionCodes.RGB2GRAY);
        using var mask = new Mat();
        Cv2.Threshold(grey, mask, 20, 255, ThresholdTypes.Binary);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
        Cv2.Erode(mask, mask, kernel);
        using var target = new Mat(canvas, new Rect(box.X, box.Y, box.Width, box.Height));
        scaled.CopyTo(target, mask);
        var bounds = Cv2.BoundingRect(mask);
        return new PixelBox(box.X + bounds.X, box.Y + bounds.Y, bounds.Width, bounds.Height);
    }

    private static PixelBox Grow(PixelBox box, int by) => new(box.X - by, box.Y - by, box.Width + 2 * by, box.Height + 2 * by);

    private static RgbImage ToImage(Mat canvas)
    {
        var pixels = new byte[canvas.Width * canvas.Height * 3];
        Marshal.Copy(canvas.Data, pixels, 0, pixels.Length);
        return new RgbImage(canvas.Width, canvas.Height, pixels);
    }
}

using MalariaML.Data;
using MalariaML.Runtime;
using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>
/// Finds the red blood cells of a thin-smear field photograph with classical image processing (OpenCV): foreground by
/// colour distance from the background, central pallor filled, touching and overlapping cells split by a watershed
/// seeded at the peaks of the distance transform, and objects that are not red cells (white cells, platelets, debris,
/// the scale bar) flagged by size, shape and colour. Every length is relative to the red-cell diameter, estimated from
/// the image unless given, so the same settings work for any magnification and camera.
/// </summary>
internal sealed class FieldSegmenter
{
    /// <summary>Creates a segmenter with <paramref name="options"/> (defaults when <c>null</c>).</summary>
    public FieldSegmenter(FieldSegmentationOptions? options = null)
    {
        Options = options ?? new FieldSegmentationOptions();
    }

    /// <summary>The settings in use.</summary>
    public FieldSegmentationOptions Options { get; }

    /// <summary>Segments a decoded field.</summary>
    /// <exception cref="FieldException">The image is too small to hold a cell.</exception>
    public FieldSegmentation Segment(RgbImage field, string name = "field")
    {
        ArgumentNullException.ThrowIfNull(field);
        OpenCvRuntime.EnsureLoaded();
        if (field.Width < 16 || field.Height < 16)
        {
            throw new FieldException(name, $"image of {field.Width}x{field.Height} pixels is too small to hold a cell");
        }

        using var rgb = OpenCvImages.ToMat(field);
        using var lab = new Mat();
        Cv2.CvtColor(rgb, lab, ColorConversionCodes.RGB2Lab);
        using var distance = ForegroundDistance.FromBackground(lab, out var background);
        using var mask = ForegroundDistance.Threshold(distance);
        if (Cv2.CountNonZero(mask) == 0)
        {
            return new FieldSegmentation(field.Width, field.Height, Options.CellDiameter ?? 0, Options.CellDiameter is null, []);
        }

        var diameter = Options.CellDiameter ?? CellSize.Estimate(mask);
        if (diameter <= 0)
        {
            return new FieldSegmentation(field.Width, field.Height, 0, true, []);
        }

        var cellArea = Math.PI * diameter * diameter / 4;
        Holes.Fill(mask, maxArea: 0.5 * cellArea);
        // The scale bar and its caption are black ink drawn over the photograph; blurred into a neighbouring cell they
        // would join it, so they are cut out of the cells' mask and become objects of their own.
        using var ink = Nuclei.Ink(lab, background);
        using (var grown = new Mat())
        {
            using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(5, 5));
            Cv2.Dilate(ink, grown, kernel);
            mask.SetTo(Scalar.Black, grown);
        }

        using var labels = Splitter.Split(mask, diameter, Options.MinCentreDistance, out var count);
        Splitter.AddComponents(labels, ink, count);
        using var nuclei = Nuclei.Find(lab, background, cellArea);
        var objects = Regions.Extract(labels, nuclei, ink, diameter, Options.MinCellArea);
        return new FieldSegmentation(field.Width, field.Height, diameter, Options.CellDiameter is null, objects);
    }
}

using MalariaML.Data;
using MalariaML.Preprocessing;
using MalariaML.Runtime;
using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>
/// Cuts cells out of a field the way the NIH crops were made: the cell's bounding box, every pixel outside its outline
/// set to black, scaled so that a cell of the field's typical diameter gets the typical size of the training cells.
/// </summary>
internal sealed class CellCropper
{
    /// <summary>Creates a cropper that scales cells of <paramref name="fieldCellDiameter"/> pixels to <paramref name="trainingCellSize"/>.</summary>
    /// <param name="fieldCellDiameter">Typical red-cell diameter in the field, in pixels (see <see cref="FieldSegmentation.CellDiameter"/>).</param>
    /// <param name="trainingCellSize">Typical side of the training crops, in pixels (see <see cref="CellAppearance.MedianSize"/>).</param>
    public CellCropper(double fieldCellDiameter, double trainingCellSize = CellAppearance.NihMedianSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fieldCellDiameter);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trainingCellSize);
        Scale = trainingCellSize / fieldCellDiameter;
    }

    /// <summary>Factor applied to the field's pixels.</summary>
    public double Scale { get; }

    /// <summary>Crops one object of <paramref name="field"/>.</summary>
    public RgbImage Crop(RgbImage field, FieldObject cell) => Crop(field, cell.Contour);

    /// <summary>Crops the region inside <paramref name="outline"/> (field pixels), clipped to the image.</summary>
    public RgbImage Crop(RgbImage field, IReadOnlyList<(int X, int Y)> outline)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(outline);
        OpenCvRuntime.EnsureLoaded();
        var points = outline.Select(p => new Point(p.X, p.Y)).ToArray();
        var box = Cv2.BoundingRect(points).Intersect(new Rect(0, 0, field.Width, field.Height));
        if (box.Width <= 0 || box.Height <= 0)
        {
            throw new ArgumentException("the outline lies outside the image", nameof(outline));
        }

        using var region = OpenCvImages.ToMat(field, box);
        using var mask = new Mat(box.Height, box.Width, MatType.CV_8UC1, Scalar.Black);
        Cv2.FillPoly(mask, [points.Select(p => new Point(p.X - box.X, p.Y - box.Y)).ToArray()], Scalar.White);
        using var cut = new Mat(box.Height, box.Width, MatType.CV_8UC3, Scalar.Black);
        region.CopyTo(cut, mask);
        var width = Math.Max(1, (int)Math.Round(box.Width * Scale));
        var height = Math.Max(1, (int)Math.Round(box.Height * Scale));
        using var scaled = new Mat();
        Cv2.Resize(cut, scaled, new Size(width, height), 0, 0, Scale < 1 ? InterpolationFlags.Area : InterpolationFlags.Linear);
        return OpenCvImages.ToRgbImage(scaled);
    }

    /// <summary>An ellipse inscribed in <paramref name="box"/>: the outline of a cell known only by its box.</summary>
    public static IReadOnlyList<(int X, int Y)> Ellipse(PixelBox box)
    {
        var centre = new Point(box.X + box.Width / 2, box.Y + box.Height / 2);
        return Cv2.Ellipse2Poly(centre, new Size(box.Width / 2, box.Height / 2), 0, 0, 360, 5).Select(p => (p.X, p.Y)).ToList();
    }
}

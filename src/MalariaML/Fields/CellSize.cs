using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>
/// Estimates the red-cell diameter of a field from its isolated cells: foreground objects that are convex and round
/// (a cluster of touching cells is not), away from the border. Their median area gives the diameter of a disc of
/// that area.
/// </summary>
internal static class CellSize
{
    /// <summary>Diameter in pixels, or 0 when the field holds no object that looks like a single cell.</summary>
    public static double Estimate(Mat mask)
    {
        Cv2.FindContours(mask, out var contours, out _, RetrievalModes.External, ContourApproximationModes.ApproxSimple);
        var areas = new List<double>();
        foreach (var contour in contours)
        {
            var area = Cv2.ContourArea(contour);
            if (area < 40)
            {
                continue;
            }

            var box = Cv2.BoundingRect(contour);
            if (box.X <= 0 || box.Y <= 0 || box.Right >= mask.Cols || box.Bottom >= mask.Rows)
            {
                continue;
            }

            var hull = Cv2.ContourArea(Cv2.ConvexHull(contour));
            var perimeter = Cv2.ArcLength(contour, true);
            var circularity = 4 * Math.PI * area / (perimeter * perimeter);
            if (hull > 0 && area / hull > 0.93 && circularity > 0.75)
            {
                areas.Add(area);
            }
        }

        if (areas.Count < MinIsolatedCells)
        {
            return FromDistancePeaks(mask);
        }

        areas.Sort();
        // The upper half of round objects: platelets and specks are round too, but smaller than any cell.
        var median = areas.Count >= 4 ? Median(areas.Where(a => a >= areas[^1] * 0.15).ToList()) : areas[^1];
        return 2 * Math.Sqrt(median / Math.PI);
    }

    /// <summary>Fewer isolated cells than this and the estimate falls back to <see cref="FromDistancePeaks"/>.</summary>
    private const int MinIsolatedCells = 5;

    /// <summary>
    /// For crowded fields with hardly an isolated cell: the distance transform peaks at a cell's centre with its radius,
    /// touching or not, so twice the median peak height is the diameter.
    /// </summary>
    private static double FromDistancePeaks(Mat mask)
    {
        using var filled = mask.Clone();
        Holes.Fill(filled, double.MaxValue);
        using var distance = new Mat();
        Cv2.DistanceTransform(filled, distance, DistanceTypes.L2, DistanceTransformMasks.Mask5);
        using var dilated = new Mat();
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Rect, new Size(5, 5));
        Cv2.Dilate(distance, dilated, kernel);
        var peaks = new List<double>();
        int rows = distance.Rows, cols = distance.Cols;
        unsafe
        {
            var d = (float*)distance.DataPointer;
            var m = (float*)dilated.DataPointer;
            for (var i = 0; i < rows * cols; i++)
            {
                if (d[i] >= 4 && d[i] >= m[i])
                {
                    peaks.Add(d[i]);
                }
            }
        }

        if (peaks.Count == 0)
        {
            return 0;
        }

        peaks.Sort();
        // Plateaus give several pixels per peak, and the shallow peaks of necks and specks sit in the lower half.
        return 2 * peaks[peaks.Count * 2 / 3];
    }

    private static double Median(List<double> sorted) => sorted[sorted.Count / 2];
}

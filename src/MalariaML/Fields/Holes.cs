using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>
/// Fills holes smaller than a cell inside foreground objects: a red cell's pale centre looks like background, and an
/// unfilled centre would make one cell a ring that the distance transform splits into many.
/// </summary>
internal static class Holes
{
    public static void Fill(Mat mask, double maxArea)
    {
        Cv2.FindContours(mask, out var contours, out var hierarchy, RetrievalModes.CComp, ContourApproximationModes.ApproxSimple);
        // In CComp mode a contour with a parent is a hole's outline. All are drawn in one call: each call marshals
        // every contour it is given.
        var holes = contours.Where((c, i) => hierarchy[i].Parent >= 0 && Cv2.ContourArea(c) <= maxArea).ToArray();
        if (holes.Length > 0)
        {
            Cv2.DrawContours(mask, holes, -1, Scalar.White, -1);
        }
    }
}

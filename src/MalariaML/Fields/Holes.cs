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
        for (var i = 0; i < contours.Length; i++)
        {
            // In CComp mode a contour with a parent is a hole's outline.
            if (hierarchy[i].Parent >= 0 && Cv2.ContourArea(contours[i]) <= maxArea)
            {
                Cv2.DrawContours(mask, contours, i, Scalar.White, -1);
            }
        }
    }
}

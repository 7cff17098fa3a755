using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>
/// Finds white-cell nuclei: large patches far darker than the background and shifted towards magenta. A parasite's
/// chromatin has that colour too, but in dots or in paler, smaller patches, so only patches of a good part of a red
/// cell's area count.
/// </summary>
internal static class Nuclei
{
    // On the development fields nuclei measured L 50-75 against a background of about 210 (OpenCV's 8-bit Lab), and
    // gametocytes, the darkest parasites, L 90-125 with less magenta.
    private const double MaxLightness = 0.4;
    private const double MinMagenta = 30;
    private const double MinArea = 0.25;

    /// <summary>Pixels this much darker than the background are black ink (the scale bar, its caption), not stain.</summary>
    private const double MaxInkLightness = 0.3;

    /// <summary>Largest distance of ink from grey on OpenCV's 8-bit a and b axes.</summary>
    private const double MaxInkChroma = 15;

    /// <summary>A mask of black pixels: the scale bar and its caption are drawn in black, and no stain is that dark.</summary>
    public static Mat Ink(Mat lab, Scalar background)
    {
        var ink = new Mat();
        // Ink is grey to black; a nucleus as dark is strongly magenta, so the colour axes keep the two apart.
        Cv2.InRange(lab, new Scalar(0, 128 - MaxInkChroma, 128 - MaxInkChroma), new Scalar(MaxInkLightness * background.Val0, 128 + MaxInkChroma, 128 + MaxInkChroma), ink);
        return ink;
    }

    /// <summary>A mask of the nucleus pixels.</summary>
    public static Mat Find(Mat lab, Scalar background, double cellArea)
    {
        using var dark = new Mat();
        Cv2.InRange(lab, new Scalar(0, background.Val1 + MinMagenta, 0), new Scalar(MaxLightness * background.Val0, 255, 255), dark);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(5, 5));
        Cv2.MorphologyEx(dark, dark, MorphTypes.Close, kernel);
        using var labels = new Mat();
        using var stats = new Mat();
        using var centroids = new Mat();
        var count = Cv2.ConnectedComponentsWithStats(dark, labels, stats, centroids);
        var nuclei = new Mat(lab.Size(), MatType.CV_8UC1, Scalar.Black);
        for (var i = 1; i < count; i++)
        {
            if (stats.At<int>(i, (int)ConnectedComponentsTypes.Area) >= MinArea * cellArea)
            {
                using var component = new Mat();
                Cv2.Compare(labels, i, component, CmpTypes.EQ);
                nuclei.SetTo(Scalar.White, component);
            }
        }

        return nuclei;
    }
}

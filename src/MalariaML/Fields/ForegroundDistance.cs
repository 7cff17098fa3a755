using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>
/// Separates cells from the slide's background by colour: the background is the brightest common colour of the field,
/// and a pixel's foreground strength is its Lab distance from it. Unlike a threshold on one channel this works for any
/// stain and white balance: only the contrast between cells and background matters.
/// </summary>
internal static class ForegroundDistance
{
    /// <summary>Foreground below this Lab distance from the background is noise, whatever Otsu says (a blank field).</summary>
    private const double MinContrast = 8;

    // Otsu's threshold falls on the blurred rim of the cells; a little above it keeps the thin bright gaps between
    // touching cells open (measured on the development fields: 1.0 -> 0.90, 1.2 -> 0.91 box recall, 1.4 -> 0.90).
    private const double OtsuFactor = 1.2;

    // Lightness is down-weighted because vignetting darkens the corners of a field without changing its hue.
    private const float LightnessWeight = 0.5f;

    /// <summary>
    /// Distance of every pixel from the background colour. The first estimate of the background (the brightest pixels)
    /// is refined with the pixels that it leaves outside the cells: in a crowded field the brightest fifth of the
    /// pixels still holds some pale cells.
    /// </summary>
    public static Mat FromBackground(Mat lab, out Scalar background)
    {
        using var blurred = new Mat();
        Cv2.GaussianBlur(lab, blurred, new Size(5, 5), 0);
        using var floats = new Mat();
        blurred.ConvertTo(floats, MatType.CV_32FC3);
        background = BrightestMedian(lab);
        using var first = Distance(floats, background);
        using var foreground = Threshold(first);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(7, 7));
        Cv2.Dilate(foreground, foreground, kernel);
        using var outside = new Mat();
        Cv2.BitwiseNot(foreground, outside);
        if (Cv2.CountNonZero(outside) < lab.Total() / 50)
        {
            return first.Clone();
        }

        background = Median(blurred, outside);
        return Distance(floats, background);
    }

    private static Mat Distance(Mat floats, Scalar background)
    {
        using var shifted = new Mat();
        Cv2.Subtract(floats, new Scalar(background.Val0, background.Val1, background.Val2), shifted);
        Cv2.Multiply(shifted, new Scalar(LightnessWeight, 1, 1), shifted);
        using var squared = new Mat();
        Cv2.Multiply(shifted, shifted, squared);
        var channels = Cv2.Split(squared);
        try
        {
            var sum = new Mat();
            Cv2.Add(channels[0], channels[1], sum);
            Cv2.Add(sum, channels[2], sum);
            Cv2.Sqrt(sum, sum);
            return sum;
        }
        finally
        {
            foreach (var c in channels)
            {
                c.Dispose();
            }
        }
    }

    /// <summary><see cref="OtsuFactor"/> times Otsu's threshold on the distance image, never below <see cref="MinContrast"/>.</summary>
    public static Mat Threshold(Mat distance)
    {
        using var clipped = new Mat();
        // OpenCV's Otsu works on 8-bit images: distances above 255 Lab units do not occur in practice.
        distance.ConvertTo(clipped, MatType.CV_8UC1);
        using var otsu = new Mat();
        var threshold = Cv2.Threshold(clipped, otsu, 0, 255, ThresholdTypes.Binary | ThresholdTypes.Otsu);
        var mask = new Mat();
        Cv2.Threshold(clipped, mask, Math.Max(threshold * OtsuFactor, MinContrast), 255, ThresholdTypes.Binary);
        using var kernel = Cv2.GetStructuringElement(MorphShapes.Ellipse, new Size(3, 3));
        Cv2.MorphologyEx(mask, mask, MorphTypes.Open, kernel);
        return mask;
    }

    /// <summary>The per-channel median of the pixels under <paramref name="where"/>.</summary>
    private static Scalar Median(Mat lab, Mat where)
    {
        var result = new double[3];
        for (var c = 0; c < 3; c++)
        {
            using var channel = lab.ExtractChannel(c);
            using var hist = new Mat();
            Cv2.CalcHist([channel], [0], where, hist, 1, [256], [new Rangef(0, 256)]);
            var half = Cv2.CountNonZero(where) / 2.0;
            double seen = 0;
            for (var v = 0; v < 256; v++)
            {
                seen += hist.At<float>(v);
                if (seen >= half)
                {
                    result[c] = v;
                    break;
                }
            }
        }

        return new Scalar(result[0], result[1], result[2]);
    }

    /// <summary>The per-channel median Lab colour of the brightest fifth of the pixels, which in a thin smear is mostly background.</summary>
    private static Scalar BrightestMedian(Mat lab)
    {
        using var lightness = lab.ExtractChannel(0);
        using var hist = new Mat();
        Cv2.CalcHist([lightness], [0], null, hist, 1, [256], [new Rangef(0, 256)]);
        var wanted = lab.Total() / 5.0;
        double seen = 0;
        var threshold = 255;
        for (; threshold > 0; threshold--)
        {
            seen += hist.At<float>(threshold);
            if (seen >= wanted)
            {
                break;
            }
        }

        using var bright = new Mat();
        Cv2.InRange(lightness, new Scalar(threshold), new Scalar(255), bright);
        return Median(lab, bright);
    }

}

using MalariaML.Data;
using MalariaML.Runtime;
using System.Globalization;
using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>Draws a field with each object's outline: green uninfected, red parasitized with its probability, grey not counted.</summary>
internal static class FieldOverlay
{
    /// <summary>Encodes the overlay as PNG bytes.</summary>
    /// <param name="field">The field image.</param>
    /// <param name="objects">Objects with the probability of the positive class (<c>null</c> for objects not classified).</param>
    /// <param name="threshold">Probability at or above which a cell is drawn as parasitized.</param>
    public static byte[] RenderPng(RgbImage field, IEnumerable<(FieldObject Object, double? Probability)> objects, double threshold)
    {
        ArgumentNullException.ThrowIfNull(field);
        ArgumentNullException.ThrowIfNull(objects);
        OpenCvRuntime.EnsureLoaded();
        using var canvas = OpenCvImages.ToMat(field);
        // Lines and labels scale with the image so that they stay legible on large fields and thin on small ones.
        var thickness = Math.Max(1, (int)Math.Round(Math.Max(field.Width, field.Height) / 640.0));
        var fontScale = 0.4 * thickness;
        foreach (var (o, probability) in objects)
        {
            var colour = probability is null ? new Scalar(90, 90, 90)
                : probability >= threshold ? new Scalar(230, 20, 20)
                : new Scalar(20, 190, 40);
            var outline = o.Contour.Select(p => new Point(p.X, p.Y)).ToArray();
            Cv2.Polylines(canvas, [outline], true, colour, thickness, LineTypes.AntiAlias);
            if (probability >= threshold)
            {
                var text = probability.Value.ToString("0.00", CultureInfo.InvariantCulture);
                var origin = new Point(o.Box.X, Math.Max(12, o.Box.Y - 3));
                Cv2.PutText(canvas, text, origin, HersheyFonts.HersheySimplex, fontScale, Scalar.White, thickness + 2, LineTypes.AntiAlias);
                Cv2.PutText(canvas, text, origin, HersheyFonts.HersheySimplex, fontScale, colour, thickness, LineTypes.AntiAlias);
            }
        }

        using var bgr = new Mat();
        Cv2.CvtColor(canvas, bgr, ColorConversionCodes.RGB2BGR);
        Cv2.ImEncode(".png", bgr, out var png);
        return png;
    }
}

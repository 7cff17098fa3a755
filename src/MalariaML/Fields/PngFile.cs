using MalariaML.Data;
using MalariaML.Runtime;
using OpenCvSharp;

namespace MalariaML.Fields;

/// <summary>PNG encoding of RGB images with OpenCV.</summary>
internal static class PngFile
{
    public static byte[] Encode(RgbImage image)
    {
        OpenCvRuntime.EnsureLoaded();
        using var rgb = OpenCvImages.ToMat(image);
        using var bgr = new Mat();
        Cv2.CvtColor(rgb, bgr, ColorConversionCodes.RGB2BGR);
        Cv2.ImEncode(".png", bgr, out var png);
        return png;
    }
}

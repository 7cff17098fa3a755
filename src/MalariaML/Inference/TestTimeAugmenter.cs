using MalariaML.Data;

namespace MalariaML.Inference;

/// <summary>
/// Test-time augmentation: a cell has no up, down, left or right, so its probability is averaged over the eight
/// orientations of the square (four quarter turns, each also mirrored). Rectangular inputs use the four that keep
/// their shape (identity, both mirrors, half turn).
/// </summary>
internal static class TestTimeAugmenter
{
    /// <summary>The orientations of a square image: quarter turns clockwise and whether mirrored left-right first.</summary>
    public static IReadOnlyList<(int QuarterTurns, bool Mirrored)> SquareViews { get; } =
        [(0, false), (1, false), (2, false), (3, false), (0, true), (1, true), (2, true), (3, true)];

    private static readonly IReadOnlyList<(int QuarterTurns, bool Mirrored)> RectangleViews = [(0, false), (2, false), (0, true), (2, true)];

    /// <summary>Mean of <paramref name="score"/> over every orientation of <paramref name="images"/>.</summary>
    /// <param name="images">Decoded cells, all of one size.</param>
    /// <param name="score">Scores a list of images (e.g. a scorer with calibration).</param>
    public static float[] Score(IReadOnlyList<RgbImage> images, Func<IReadOnlyList<RgbImage>, float[]> score)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(score);
        var sum = new double[images.Count];
        if (images.Count == 0)
        {
            return [];
        }

        var views = images.All(i => i.Width == i.Height) ? SquareViews : RectangleViews;
        foreach (var (turns, mirrored) in views)
        {
            var probabilities = score(images.Select(i => Orient(i, turns, mirrored)).ToList());
            for (var k = 0; k < sum.Length; k++)
            {
                sum[k] += probabilities[k];
            }
        }

        return sum.Select(s => (float)(s / views.Count)).ToArray();
    }

    /// <summary>The image mirrored left-right when asked, then turned clockwise by <paramref name="quarterTurns"/> quarter turns.</summary>
    public static RgbImage Orient(RgbImage image, int quarterTurns, bool mirrored)
    {
        ArgumentNullException.ThrowIfNull(image);
        quarterTurns = ((quarterTurns % 4) + 4) % 4;
        if (quarterTurns == 0 && !mirrored)
        {
            return image;
        }

        int w = image.Width, h = image.Height;
        var (ow, oh) = quarterTurns % 2 == 1 ? (h, w) : (w, h);
        var source = image.Pixels;
        var pixels = new byte[source.Length];
        for (var y = 0; y < h; y++)
        {
            for (var x = 0; x < w; x++)
            {
                var sx = mirrored ? w - 1 - x : x;
                // (x, y) of the mirrored image goes to (tx, ty) after the clockwise turns.
                var (tx, ty) = quarterTurns switch
                {
                    0 => (x, y),
                    1 => (h - 1 - y, x),
                    2 => (w - 1 - x, h - 1 - y),
                    _ => (y, w - 1 - x),
                };
                var from = ((y * w) + sx) * 3;
                var to = ((ty * ow) + tx) * 3;
                pixels[to] = source[from];
                pixels[to + 1] = source[from + 1];
                pixels[to + 2] = source[from + 2];
            }
        }

        return new RgbImage(ow, oh, pixels);
    }
}

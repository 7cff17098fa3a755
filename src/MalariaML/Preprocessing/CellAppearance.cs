using MalariaML.Data;

namespace MalariaML.Preprocessing;

/// <summary>
/// What the cells a model was trained on look like: their median size in pixels and the colour statistics of their
/// non-black pixels. Stored in the model file so that cells cut from whole fields can be scaled and, optionally,
/// colour-normalised to resemble them.
/// </summary>
/// <param name="MedianSize">Median of the cells' mean side length, in pixels.</param>
/// <param name="Color">Lab statistics of the cell pixels (the black surround left out); <c>null</c> where the app
/// that trained the model did not ship OpenCV's native library, which measures them.</param>
/// <param name="Cells">Cells measured.</param>
internal sealed record CellAppearance(double MedianSize, ColorStatistics? Color, int Cells)
{
    /// <summary>The NIH crops' median side (about 130 pixels), assumed for model files that do not say.</summary>
    public const double NihMedianSize = 130;

    /// <summary>Measures up to <paramref name="maxCells"/> cells, a seeded sample when there are more; unusable files are skipped.</summary>
    public static CellAppearance? Measure(IReadOnlyList<string> paths, int maxCells = 500, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var sample = paths.Count <= maxCells ? paths : Shuffle(paths, seed).Take(maxCells).ToList();
        var sizes = new List<double>();
        var pixels = new List<RgbImage>();
        foreach (var path in sample)
        {
            try
            {
                var image = ImageDecoder.DecodeFile(path);
                sizes.Add((image.Width + image.Height) / 2.0);
                pixels.Add(image);
            }
            catch (InvalidImageException)
            {
                // A bad file is reported by the decoding that training does; here it only leaves the sample.
            }
        }

        if (sizes.Count == 0)
        {
            return null;
        }

        sizes.Sort();
        // Training must not need OpenCV: an app that only trains and predicts cells may not ship its native library.
        var color = Runtime.OpenCvRuntime.IsAvailable ? LabColor.Statistics(pixels) : null;
        return new CellAppearance(sizes[sizes.Count / 2], color, sizes.Count);
    }

    private static IEnumerable<string> Shuffle(IReadOnlyList<string> paths, int seed)
    {
        var order = paths.ToArray();
        new Random(seed).Shuffle(order);
        return order;
    }
}

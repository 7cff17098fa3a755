namespace MalariaML.Preprocessing;

/// <summary>
/// Reinhard stain normalisation of single cells: each cell's own foreground Lab mean and standard deviation are moved
/// to <paramref name="Reference"/>, the typical training cell's, so that a darker or bluer stain (another slide, lab or
/// microscope) reaches the network looking like the training slides. Stored in the model file; when present, every cell
/// the model sees (training, validation, test, prediction, the server) is normalised after resizing.
/// </summary>
/// <remarks>
/// The NIH crops are cut out on a black surround, which is neither measured nor moved (see <see cref="LabColor"/>):
/// counting it would make the statistics describe the crop's shape, not its stain.
/// The reference is the mean over training cells of each cell's own mean and standard deviation, not the pooled
/// statistics of all their pixels: a single cell is normalised, so the target must be what a single cell looks like
/// (pooled statistics also hold the spread between cells, and would inflate every cell's contrast).
/// </remarks>
/// <param name="Reference">Mean over the measured cells of each cell's foreground Lab mean and standard deviation.</param>
/// <param name="Cells">Training cells the reference was measured on.</param>
internal sealed record StainNormalization(ColorStatistics Reference, int Cells)
{
    /// <summary>
    /// Smallest standard deviation (Lab units) a cell's channel is divided by: a nearly flat cell (an over-exposed
    /// crop, a blank tile) would otherwise have its noise stretched to the reference's contrast.
    /// </summary>
    public const double MinCellStdDev = 0.5;

    /// <summary>Most training cells measured for the reference (a seeded sample when there are more): enough to pin the mean to well under a Lab unit.</summary>
    public const int DefaultSampleSize = 1000;

    /// <summary>Measures the reference on <paramref name="cells"/> (decoded at the model's input size, as they will be normalised).</summary>
    /// <exception cref="MalariaMLException">OpenCV's native library, which converts to Lab, is not available; or no cell has a foreground.</exception>
    public static StainNormalization Measure(IEnumerable<RgbImage> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        Runtime.OpenCvRuntime.EnsureLoaded();
        var mean = new double[3];
        var std = new double[3];
        var n = 0;
        foreach (var cell in cells)
        {
            if (LabColor.ForegroundPixels(cell) == 0)
            {
                continue;
            }

            var s = LabColor.Statistics([cell]);
            for (var c = 0; c < 3; c++)
            {
                mean[c] += s.Mean[c];
                std[c] += s.StdDev[c];
            }

            n++;
        }

        if (n == 0)
        {
            throw new MalariaMLException("stain normalisation: no training cell has a non-black foreground to measure");
        }

        return new StainNormalization(new ColorStatistics(mean.Select(m => m / n).ToArray(), std.Select(s => s / n).ToArray()), n);
    }

    /// <summary>The cell with its foreground moved to <see cref="Reference"/>; the black surround stays black. A cell with no foreground is returned as it is.</summary>
    public RgbImage Apply(RgbImage cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (LabColor.ForegroundPixels(cell) == 0)
        {
            return cell;
        }

        var own = LabColor.Statistics([cell]);
        var floored = own with { StdDev = own.StdDev.Select(s => Math.Max(MinCellStdDev, s)).ToArray() };
        return LabColor.Transfer(cell, floored, Reference);
    }
}

using MalariaML.Data;

namespace MalariaML.Preprocessing;

/// <summary>
/// Reinhard stain normalisation of single cells, with robust statistics and without contrast matching: each cell's own
/// Lab centre (per-channel median of its interior, see <see cref="LabColor.RobustStatistics"/>) is moved to
/// <paramref name="Reference"/>'s, the typical training cell's, so that a darker or bluer stain (another slide, lab or microscope) reaches the network
/// looking like the training slides. Stored in the model file; when present, every cell the model sees (training,
/// validation, test, prediction, the server) is normalised after resizing.
/// </summary>
/// <remarks>
/// <para>The NIH crops are cut out on a black surround, which is neither measured nor moved: counting it would make the
/// statistics describe the crop's shape, not its stain. Robust statistics rather than Reinhard's mean and standard
/// deviation because one cell, not a slide, is normalised: a parasite's dark pixels raise a cell's standard deviation,
/// and matching it to an uninfected cell's would fade the very parasite the model must see (measured on the sample:
/// the interior lightness sd of a parasitized cell was 3.7 against 2.2 for the reference). The spread is recorded but
/// not matched: inside its rim a cell's robust spread is only 0.3 to 2 Lab units, a few 8-bit steps, so the ratio of two
/// of them is mostly quantisation and texture, not stain; matching it stretched some cells' contrast 1.6-fold and
/// pushed their darkest rim pixels to black (measured on the sample). A stain change is mostly a shift of the
/// centre, which is moved exactly.</para>
/// <para>The reference is the mean over training cells of each cell's own centre and spread, not statistics of all their
/// pixels pooled: the pooled spread also holds the differences between cells and would inflate every cell's contrast.</para>
/// </remarks>
/// <param name="Reference">Mean over the measured cells of each cell's Lab median (the target) and robust standard deviation (IQR / 1.349; recorded, not matched).</param>
/// <param name="Cells">Training cells the reference was measured on.</param>
internal sealed record StainNormalization(ColorStatistics Reference, int Cells) : ICellNormalization
{
    /// <summary>Most training cells measured for the reference (a seeded sample when there are more): enough to pin the centre to well under a Lab unit.</summary>
    public const int DefaultSampleSize = 1000;

    /// <summary>Measures the reference on <paramref name="cells"/> (decoded at the model's input size, as they will be normalised).</summary>
    /// <exception cref="MalariaMLException">OpenCV's native library, which converts to Lab, is not available; or no cell has a foreground.</exception>
    public static StainNormalization Measure(IEnumerable<RgbImage> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        Runtime.OpenCvRuntime.EnsureLoaded();
        var centre = new double[3];
        var spread = new double[3];
        var n = 0;
        foreach (var cell in cells)
        {
            if (LabColor.RobustStatistics(cell) is not { } s)
            {
                continue;
            }

            for (var c = 0; c < 3; c++)
            {
                centre[c] += s.Mean[c];
                spread[c] += s.StdDev[c];
            }

            n++;
        }

        if (n == 0)
        {
            throw new MalariaMLException("stain normalisation: no training cell has a non-black interior to measure");
        }

        return new StainNormalization(new ColorStatistics(centre.Select(m => m / n).ToArray(), spread.Select(s => s / n).ToArray()), n);
    }

    /// <summary>The cell with its centre moved to <see cref="Reference"/>'s, its contrast kept; the black surround stays black. A cell with no interior is returned as it is.</summary>
    public RgbImage Apply(RgbImage cell)
    {
        ArgumentNullException.ThrowIfNull(cell);
        if (LabColor.RobustStatistics(cell) is not { } own)
        {
            return cell;
        }

        // Equal spreads on both sides make Reinhard's transfer a pure shift.
        return LabColor.Transfer(cell, own, Reference with { StdDev = own.StdDev });
    }
}


namespace MalariaML.Data;

/// <summary>
/// Decodes every image of a dataset in parallel to find the unusable ones (corrupt, truncated, empty, not an image,
/// too large) and to measure sizes. A bad file is skipped and reported, never fatal.
/// </summary>
internal static class DatasetScanner
{
    /// <summary>Scans all cells of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The listed dataset.</param>
    /// <param name="options">Limits and parallelism; defaults when null.</param>
    /// <param name="progress">Receives progress about every 1% of files.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    public static DatasetScan Scan(CellDataset dataset, DatasetOptions? options = null,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        options ??= new DatasetOptions();
        var (decoded, skipped) = ParallelDecoder.Run(dataset.Cells,
            cell =>
            {
                var image = ImageDecoder.DecodeFile(cell.Path, options.MaxImagePixels);
                return (image.Width, image.Height);
            },
            options.MaxDegreeOfParallelism, progress, cancellationToken);
        var usable = decoded.Select(d => new ScannedCell(d.Cell, d.Value.Width, d.Value.Height)).ToList();
        return new DatasetScan(dataset, usable, skipped);
    }
}

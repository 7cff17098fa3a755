using MalariaML.Preprocessing;

namespace MalariaML.Data;

/// <summary>
/// Decodes every image of a dataset in parallel to find the unusable ones (corrupt, truncated, empty, not an image,
/// too large) and to measure sizes. A bad file is skipped and reported, never fatal.
/// </summary>
public static class DatasetScanner
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
        var cells = dataset.Cells;
        var sizes = new (int W, int H)[cells.Count];
        var reasons = new string?[cells.Count];
        var done = 0;
        var step = Math.Max(1, cells.Count / 100);
        progress?.Report(new WorkProgress("decoding", 0, cells.Count));

        Parallel.For(0, cells.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxDegreeOfParallelism), CancellationToken = cancellationToken },
            i =>
            {
                try
                {
                    var image = ImageDecoder.DecodeFile(cells[i].Path, options.MaxImagePixels);
                    sizes[i] = (image.Width, image.Height);
                }
                catch (InvalidImageException e)
                {
                    reasons[i] = e.Reason;
                }

                var n = Interlocked.Increment(ref done);
                if (n % step == 0 || n == cells.Count)
                {
                    progress?.Report(new WorkProgress("decoding", n, cells.Count));
                }
            });

        var usable = new List<ScannedCell>(cells.Count);
        var skipped = new List<SkippedFile>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (reasons[i] is { } reason)
            {
                skipped.Add(new SkippedFile(cells[i].Path, reason));
            }
            else
            {
                usable.Add(new ScannedCell(cells[i], sizes[i].W, sizes[i].H));
            }
        }

        return new DatasetScan(dataset, usable, skipped);
    }
}

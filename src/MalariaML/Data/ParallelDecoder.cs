
namespace MalariaML.Data;

/// <summary>
/// Decodes many cells in parallel, turning each <see cref="InvalidImageException"/> into a skipped file instead of a
/// failed run; shared by the dataset scan and the tensor loader.
/// </summary>
internal static class ParallelDecoder
{
    /// <summary>Runs <paramref name="decode"/> on every cell; results keep the input order.</summary>
    public static (IReadOnlyList<(CellImage Cell, T Value)> Decoded, IReadOnlyList<SkippedFile> Skipped) Run<T>(
        IReadOnlyList<CellImage> cells, Func<CellImage, T> decode, int maxDegreeOfParallelism,
        IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        var values = new T[cells.Count];
        var reasons = new string?[cells.Count];
        var done = 0;
        var step = Math.Max(1, cells.Count / 100);
        progress?.Report(new WorkProgress("decoding", 0, cells.Count));
        Parallel.For(0, cells.Count,
            new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, maxDegreeOfParallelism), CancellationToken = cancellationToken },
            i =>
            {
                try
                {
                    values[i] = decode(cells[i]);
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

        var decoded = new List<(CellImage, T)>(cells.Count);
        var skipped = new List<SkippedFile>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (reasons[i] is { } reason)
            {
                skipped.Add(new SkippedFile(cells[i].Path, reason));
            }
            else
            {
                decoded.Add((cells[i], values[i]));
            }
        }

        return (decoded, skipped);
    }
}

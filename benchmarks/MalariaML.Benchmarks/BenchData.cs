using MalariaML.Data;
using MalariaML.Preprocessing;

namespace MalariaML.Benchmarks;

/// <summary>
/// The real cells every benchmark uses: the committed sample <c>data/sample/cell_images</c> (289 PNGs), or the folder
/// named by <c>MALARIAML_BENCH_DATA</c> (class sub-folders, as the library expects).
/// </summary>
internal static class BenchData
{
    /// <summary>Environment variable naming another cell folder.</summary>
    public const string DataVariable = "MALARIAML_BENCH_DATA";

    /// <summary>Most distinct files a benchmark decodes; a larger folder is sampled evenly down to this.</summary>
    public const int MaxDistinctCells = 512;

    private static readonly Lazy<string> RootFolder = new(FindRepoRoot);

    /// <summary>The repository root (the folder holding <c>MalariaML.sln</c>).</summary>
    public static string RepoRoot => RootFolder.Value;

    /// <summary>The cell folder in use.</summary>
    public static string Folder
    {
        get
        {
            var custom = Environment.GetEnvironmentVariable(DataVariable);
            return string.IsNullOrWhiteSpace(custom)
                ? Path.Combine(RepoRoot, "data", "sample", "cell_images")
                : Path.GetFullPath(custom);
        }
    }

    /// <summary>
    /// <paramref name="count"/> cells of the folder, evenly spread over its sorted listing (so both classes appear);
    /// when the folder holds fewer, its cells are repeated in order.
    /// </summary>
    public static IReadOnlyList<CellImage> Cells(int count)
    {
        var all = CellDataset.Load(Folder).Cells;
        if (all.Count == 0)
        {
            throw new InvalidOperationException($"{Folder}: no images found");
        }

        return Pick(all, count);
    }

    /// <summary>Whether a cell is of the positive class (<c>Parasitized</c>).</summary>
    public static bool IsPositive(CellImage cell) => cell.Label == new DatasetOptions().PositiveClass;

    /// <summary>Decodes <paramref name="cells"/> with the library's loader; fails if any file is unusable.</summary>
    public static DecodedCells Decode(IReadOnlyList<CellImage> cells, int size, ResizeSampling sampling = ResizeSampling.Bilinear)
    {
        var decoded = new CellImageLoader(ImageLoadOptions.Square(size) with { Sampling = sampling }).Decode(cells);
        if (decoded.Skipped.Count > 0)
        {
            var first = decoded.Skipped[0];
            throw new InvalidOperationException($"{decoded.Skipped.Count} unusable file(s), e.g. {first.Path}: {first.Reason}");
        }

        return decoded;
    }

    /// <summary>Decodes up to <see cref="MaxDistinctCells"/> distinct cells and cycles them to <paramref name="count"/> images.</summary>
    public static IReadOnlyList<RgbImage> CycledImages(int count, int size)
    {
        var all = CellDataset.Load(Folder).Cells;
        var distinct = Decode(Pick(all, Math.Min(all.Count, MaxDistinctCells)), size).Images;
        return Enumerable.Range(0, count).Select(i => distinct[i % distinct.Count]).ToList();
    }

    /// <summary>Evenly spaced items when <paramref name="count"/> is at most the list's length, the list cycled otherwise.</summary>
    public static IReadOnlyList<T> Pick<T>(IReadOnlyList<T> items, int count)
        => count <= items.Count
            ? Enumerable.Range(0, count).Select(i => items[(int)((long)i * items.Count / count)]).ToList()
            : Enumerable.Range(0, count).Select(i => items[i % items.Count]).ToList();

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "MalariaML.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException(
            $"MalariaML.sln not found above {AppContext.BaseDirectory} or {Environment.CurrentDirectory}; set {DataVariable} to a cell folder");
    }
}

namespace MalariaML.Data;

/// <summary>
/// A folder of cell images with one sub-folder per class (<c>Parasitized/</c>, <c>Uninfected/</c>), listed but not yet
/// decoded. Class names come from the folder names; <see cref="PositiveClass"/> says which one metrics treat as positive.
/// </summary>
public sealed class CellDataset
{
    private CellDataset(string root, IReadOnlyList<string> classes, string positiveClass, IReadOnlyList<CellImage> cells)
    {
        Root = root;
        Classes = classes;
        PositiveClass = positiveClass;
        Cells = cells;
    }

    /// <summary>Full path of the dataset folder.</summary>
    public string Root { get; }

    /// <summary>Class names, sorted ordinally.</summary>
    public IReadOnlyList<string> Classes { get; }

    /// <summary>The class treated as positive.</summary>
    public string PositiveClass { get; }

    /// <summary>Every image file found, sorted by path so that the order does not depend on the file system.</summary>
    public IReadOnlyList<CellImage> Cells { get; }

    /// <summary>True when the cell belongs to the positive class.</summary>
    public bool IsPositive(CellImage cell) => string.Equals(cell.Label, PositiveClass, StringComparison.Ordinal);

    /// <summary>
    /// The article's "summary" step: decodes every image once, in parallel, to count usable cells and patients per
    /// class, measure image sizes, and list the files that cannot be used (corrupt, truncated, not an image, too large).
    /// A bad file is listed, never fatal; <see cref="DatasetSummary.Usable"/> is the dataset without them.
    /// </summary>
    /// <param name="options">Limits and parallelism; defaults when null.</param>
    /// <param name="progress">Receives progress about every 1% of files.</param>
    /// <param name="cancellationToken">Stops the scan.</param>
    public DatasetSummary Summarize(DatasetOptions? options = null, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
        => DatasetSummary.From(DatasetScanner.Scan(this, options, progress, cancellationToken));

    /// <summary>
    /// The image files under <paramref name="folder"/> and its sub-folders, by extension (<see cref="DatasetOptions.Extensions"/>),
    /// sorted by path so that the order does not depend on the file system: what to hand to prediction or screening.
    /// </summary>
    /// <exception cref="DatasetException">The folder does not exist.</exception>
    public static IReadOnlyList<string> ImageFiles(string folder, DatasetOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder))
        {
            throw new DatasetException($"{folder}: folder not found");
        }

        var extensions = new HashSet<string>((options ?? new DatasetOptions()).Extensions, StringComparer.OrdinalIgnoreCase);
        return Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Lists the images under <paramref name="root"/>; nothing is decoded yet.</summary>
    /// <param name="root">Folder with one sub-folder per class.</param>
    /// <param name="options">Reading options; defaults when null.</param>
    /// <exception cref="DatasetException">The folder is missing, has fewer than two class folders, or lacks the positive class.</exception>
    public static CellDataset Load(string root, DatasetOptions? options = null)
    {
        options ??= new DatasetOptions();
        var full = Path.GetFullPath(root);
        if (!Directory.Exists(full))
        {
            throw new DatasetException($"{full}: dataset folder not found");
        }

        var extensions = new HashSet<string>(options.Extensions, StringComparer.OrdinalIgnoreCase);
        var classes = Directory.GetDirectories(full)
            .Select(d => new { Dir = d, Name = Path.GetFileName(d) })
            .Where(c => !c.Name.StartsWith('.'))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();
        if (classes.Count < 2)
        {
            throw new DatasetException($"{full}: expected one sub-folder per class (e.g. Parasitized/ and Uninfected/), found {classes.Count}");
        }

        if (!classes.Any(c => c.Name == options.PositiveClass))
        {
            throw new DatasetException($"{full}: positive class '{options.PositiveClass}' has no folder; classes are {string.Join(", ", classes.Select(c => c.Name))}");
        }

        var cells = new List<CellImage>();
        foreach (var c in classes)
        {
            cells.AddRange(Directory.EnumerateFiles(c.Dir, "*", SearchOption.AllDirectories)
                .Where(f => extensions.Contains(Path.GetExtension(f)))
                .Select(f => new CellImage(f, c.Name, PatientKey.Parse(f))));
        }

        cells.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return new CellDataset(full, classes.Select(c => c.Name).ToList(), options.PositiveClass, cells);
    }

    /// <summary>A dataset of cells listed elsewhere (an ML.NET view's rows), with <paramref name="root"/> as its folder.</summary>
    internal static CellDataset FromCells(string root, IReadOnlyList<string> classes, string positiveClass, IReadOnlyList<CellImage> cells)
        => new(root, classes, positiveClass, cells);

    /// <summary>Creates a dataset from cells already listed, e.g. the usable cells of a scan or one part of a split.</summary>
    public CellDataset WithCells(IEnumerable<CellImage> cells) => new(Root, Classes, PositiveClass, cells.ToList());
}

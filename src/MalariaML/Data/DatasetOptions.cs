namespace MalariaML.Data;

/// <summary>How a folder of cell images is read.</summary>
public sealed record DatasetOptions
{
    /// <summary>The class treated as positive by metrics and models. Default <c>Parasitized</c>.</summary>
    public string PositiveClass { get; init; } = "Parasitized";

    /// <summary>File extensions taken as images (case-insensitive). Default: png, jpg, jpeg, bmp, gif, webp.</summary>
    public IReadOnlyList<string> Extensions { get; init; } = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    /// <summary>
    /// Largest number of pixels an image header may claim before it is refused without decoding.
    /// Default 16,777,216 (4096 x 4096), far above any cell crop, so that a forged header cannot exhaust memory.
    /// </summary>
    public long MaxImagePixels { get; init; } = ImageLimits.MaxCellPixels;

    /// <summary>Degree of parallelism for decoding. Default: the number of processors.</summary>
    public int MaxDegreeOfParallelism { get; init; } = Environment.ProcessorCount;
}

using MalariaML.Data;

namespace MalariaML.Fields;

/// <summary>How red blood cells are found in a field image.</summary>
public sealed record FieldSegmentationOptions
{
    /// <summary>
    /// Red-cell diameter in pixels. Default <c>null</c>: estimated from the image as the median size of isolated,
    /// round foreground objects. Give it when a field holds few isolated cells (a very crowded smear).
    /// </summary>
    public double? CellDiameter { get; init; }

    /// <summary>
    /// Smallest distance between the centres of two touching cells, as a fraction of the diameter: two distance
    /// peaks closer than this are one cell. Default 0.45; lower splits more.
    /// </summary>
    public double MinCentreDistance { get; init; } = 0.45;

    /// <summary>
    /// Objects with less area than this fraction of a median cell's area are platelets or specks. Default 0.2.
    /// </summary>
    public double MinCellArea { get; init; } = 0.2;

    /// <summary>
    /// Largest number of pixels a field may have; larger images are refused before their pixels are allocated.
    /// Default 50,000,000 (e.g. 8,000 x 6,000, a large microscope camera).
    /// </summary>
    public long MaxImagePixels { get; init; } = ImageLimits.MaxFieldPixels;
}

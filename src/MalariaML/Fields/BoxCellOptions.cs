namespace MalariaML.Fields;

/// <summary>How annotated boxes are turned into training cells.</summary>
internal sealed record BoxCellOptions
{
    /// <summary>How cell outlines are found inside the boxes. Default: <see cref="FieldSegmentationOptions"/>' defaults.</summary>
    public FieldSegmentationOptions Segmentation { get; init; } = new();

    /// <summary>
    /// Side in pixels a typical cell gets in the written crops. Default 130, the NIH crops' median, so the crops can
    /// be mixed with NIH cells and scored by NIH-trained models.
    /// </summary>
    public double CellSize { get; init; } = Preprocessing.CellAppearance.NihMedianSize;

    /// <summary>
    /// A segmented object whose box overlaps an annotated box at least this much (IoU) gives the crop its outline;
    /// otherwise the ellipse inscribed in the box does. Default 0.5.
    /// </summary>
    public double OutlineIoU { get; init; } = 0.5;
}

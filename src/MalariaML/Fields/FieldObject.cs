namespace MalariaML.Fields;

/// <summary>One object found in a field: its outline in pixels of the original image and what it probably is.</summary>
/// <param name="Id">1-based number in reading order (top to bottom, then left to right).</param>
/// <param name="Box">The cell's box: that of <paramref name="Contour"/>, extended over the part a neighbour hides when cells overlap.</param>
/// <param name="Area">Pixels inside the outline.</param>
/// <param name="Contour">Outline, as polygon vertices (x, y).</param>
/// <param name="Kind">What the object probably is.</param>
/// <param name="TouchesBorder">Whether the object is cut by the image border, so only part of it is visible.</param>
public sealed record FieldObject(int Id, PixelBox Box, double Area, IReadOnlyList<(int X, int Y)> Contour, FieldObjectKind Kind, bool TouchesBorder)
{
    /// <summary>Whether the object is a whole red blood cell, the cells that are classified and counted.</summary>
    public bool IsCountedCell => Kind == FieldObjectKind.RedBloodCell && !TouchesBorder;

    /// <summary>Why the object is not counted, or <c>null</c> when it is.</summary>
    public string? ExclusionReason => Kind switch
    {
        FieldObjectKind.RedBloodCell => TouchesBorder ? "touches the image border" : null,
        FieldObjectKind.WhiteBloodCell => "white blood cell",
        FieldObjectKind.Platelet => "platelet or speck",
        FieldObjectKind.Debris => "debris",
        FieldObjectKind.ScaleBar => "scale bar",
        _ => "unknown",
    };
}

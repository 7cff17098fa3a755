namespace MalariaML.Fields;

/// <summary>The objects found in one field image.</summary>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="CellDiameter">Red-cell diameter in pixels used to segment: the one given, or the one estimated from the image.</param>
/// <param name="DiameterEstimated">Whether <paramref name="CellDiameter"/> was estimated from the image.</param>
/// <param name="Objects">Every object found, red blood cells and others.</param>
public sealed record FieldSegmentation(int Width, int Height, double CellDiameter, bool DiameterEstimated, IReadOnlyList<FieldObject> Objects)
{
    /// <summary>The whole red blood cells, the ones classified and counted.</summary>
    public IEnumerable<FieldObject> CountedCells => Objects.Where(o => o.IsCountedCell);
}

namespace MalariaML.Server.Fields;

/// <summary>
/// Extension point for whole-field photos (a microscope field with many cells). Register an implementation
/// (e.g. the field segmentation of <c>malaria screen</c>) as a service and the server sends every image it claims
/// through it; without one, every image is scored as one cell.
/// </summary>
public interface IFieldSegmenter
{
    /// <summary>Whether an image of this size is a field rather than a cell (decided from the header, before decoding).</summary>
    bool IsField(int width, int height);

    /// <summary>The cells found in a field, as encoded images, each with a name (e.g. its position) and the field overlay.</summary>
    FieldCells Segment(byte[] encodedField, string name);
}

/// <summary>The cells cut from one field photo.</summary>
/// <param name="Cells">Each cell as an encoded image with a name.</param>
/// <param name="OverlayPng">The field with the cells outlined, shown on the page.</param>
public sealed record FieldCells(IReadOnlyList<(string Name, byte[] Data)> Cells, byte[]? OverlayPng);

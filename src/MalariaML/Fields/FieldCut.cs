namespace MalariaML.Fields;

/// <summary>A segmented field and the crops of its counted cells, not yet classified (see <see cref="FieldScreener.Cut"/>).</summary>
/// <param name="Name">Field name used in results.</param>
/// <param name="Segmentation">Every object found.</param>
/// <param name="Crops">Each counted cell and its crop as PNG, cut like a training cell, in object order.</param>
public sealed record FieldCut(string Name, FieldSegmentation Segmentation, IReadOnlyList<(FieldObject Object, byte[] Png)> Crops);

namespace MalariaML.Fields.Annotations;

/// <summary>The annotated boxes of one field image.</summary>
/// <param name="ImageName">File name of the image, relative to the fields folder.</param>
/// <param name="Boxes">Annotated objects.</param>
/// <param name="Width">Image width the annotation file states, if any.</param>
/// <param name="Height">Image height the annotation file states, if any.</param>
internal sealed record AnnotatedField(string ImageName, IReadOnlyList<AnnotatedBox> Boxes, int? Width = null, int? Height = null);

namespace MalariaML.Fields.Annotations;

/// <summary>One annotated object of a field.</summary>
/// <param name="Box">The box, in pixels of the field image.</param>
/// <param name="Category">The annotation's own category name (e.g. <c>ring</c>, <c>red blood cell</c>).</param>
/// <param name="Class">What the category means here.</param>
internal sealed record AnnotatedBox(PixelBox Box, string Category, BoxClass Class);

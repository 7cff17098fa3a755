namespace MalariaML.Export;

/// <summary>
/// What an exported ONNX file says about its network besides the graph: how to feed it and how to read its output
/// (written into <c>metadata_props</c>, see <see cref="OnnxMetadataKeys"/>).
/// </summary>
/// <param name="ModelKind">Catalog name of the model, e.g. <c>basic-cnn</c>.</param>
/// <param name="InputWidth">Input width in pixels.</param>
/// <param name="InputHeight">Input height in pixels.</param>
/// <param name="Sampling">How training images were resized (<c>Bilinear</c> or <c>Nearest</c>).</param>
/// <param name="ClassNames">Negative then positive class.</param>
/// <param name="PositiveClass">The class the probability output is of.</param>
/// <param name="Threshold">A cell is positive when its probability is at least this.</param>
/// <param name="LibraryVersion">The MalariaML version that trained the model.</param>
internal sealed record OnnxModelInfo(
    string ModelKind,
    int InputWidth,
    int InputHeight,
    string Sampling,
    IReadOnlyList<string> ClassNames,
    string PositiveClass,
    double Threshold,
    string LibraryVersion);

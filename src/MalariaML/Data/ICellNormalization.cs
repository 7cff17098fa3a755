namespace MalariaML.Data;

/// <summary>
/// A colour correction every cell gets after resizing, before any network sees it. Declared here so that decoding,
/// the one place every cell passes through (training, validation, prediction, the server), can apply it without
/// depending on the preprocessing that implements it (<c>Preprocessing.StainNormalization</c>).
/// </summary>
internal interface ICellNormalization
{
    /// <summary>The corrected cell (a new image; <paramref name="cell"/> is left as it is).</summary>
    RgbImage Apply(RgbImage cell);
}

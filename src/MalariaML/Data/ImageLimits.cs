namespace MalariaML.Data;

/// <summary>
/// The one home of the image-size limits: an image header claiming more pixels is refused before decoding, so that a
/// forged header cannot exhaust memory. Options records and the server take their defaults from here.
/// </summary>
internal static class ImageLimits
{
    /// <summary>Cell crops: 16,777,216 pixels (4096 x 4096), far above any cell.</summary>
    public const long MaxCellPixels = 4096L * 4096L;

    /// <summary>Whole microscope fields: 50 megapixels, above any microscope camera's frame.</summary>
    public const long MaxFieldPixels = 50_000_000;
}

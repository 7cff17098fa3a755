using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Inference;

namespace MalariaML.Server.Fields;

/// <summary>
/// Tells whole-field photographs from cell crops and cuts fields into cells with the library's
/// <see cref="FieldScreener"/> (the segmentation and cropping of <c>malaria screen</c>); the crops are then scored in
/// the server's shared queue like uploaded cells.
/// </summary>
/// <remarks>
/// The rule, by content only: an image whose longer side is over <see cref="ServeOptions.FieldMinSide"/> pixels
/// (NIH's cell crops are at most 394 px, median 139) is segmented; when the segmentation finds at least
/// <see cref="ServeOptions.FieldMinCells"/> red cells it is a field, otherwise it is scored as one (large) cell. Smaller
/// images are cells without being segmented, so cell uploads never pay for a segmentation.
/// </remarks>
public sealed class FieldReader
{
    private readonly FieldScreener _screener;
    private readonly ServeOptions _options;

    /// <summary>Creates the reader around the shared model.</summary>
    /// <param name="model">The model whose input the crops are cut for (it is not called here).</param>
    /// <param name="options">The server's options.</param>
    /// <param name="unavailableReason">Why fields cannot be read; default: OpenCV's load error, if any. Tests pass one to stand for a machine without OpenCV.</param>
    public FieldReader(MalariaModel model, ServeOptions options, string? unavailableReason = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _screener = new FieldScreener(model, new FieldScreeningOptions { Segmentation = new FieldSegmentationOptions { MaxImagePixels = options.MaxImagePixels } });
        UnavailableReason = unavailableReason ?? (FieldScreener.IsAvailable(out var reason) ? null : reason);
    }

    /// <summary>Why whole fields are refused here (null when they are read).</summary>
    public string? UnavailableReason { get; }

    /// <summary>Whether an image of this size may be a field and must be segmented to tell.</summary>
    public bool MayBeField(int width, int height) => Math.Max(width, height) > _options.FieldMinSide;

    /// <summary>Segments a possible field; null when it holds fewer red cells than a field (score it as a cell).</summary>
    /// <exception cref="FieldException">Fields cannot be read here, or the image is not a usable field.</exception>
    public FieldCut? Cut(byte[] data, string name)
    {
        if (UnavailableReason is not null)
        {
            throw new FieldException(name, $"over {_options.FieldMinSide} px, so possibly a whole field, but fields cannot be screened on this server: {UnavailableReason}");
        }

        RgbImage image;
        try
        {
            image = ImageDecoder.Decode(data, name, _options.MaxImagePixels);
        }
        catch (InvalidImageException e)
        {
            throw new FieldException(name, e.Reason, e);
        }

        var cut = _screener.Cut(image, name);
        return cut.Segmentation.Objects.Count(o => o.Kind == FieldObjectKind.RedBloodCell) >= _options.FieldMinCells ? cut : null;
    }

    /// <summary>The field's calls from its crops' probabilities (crop order).</summary>
    public FieldScreening Classify(FieldCut cut, string patient, IReadOnlyList<double> probabilities) => _screener.Classify(cut, patient, probabilities);

    /// <summary>The field with each object outlined and the parasitized cells' probabilities, as PNG (<c>malaria screen</c>'s overlay).</summary>
    public byte[] Overlay(byte[] data, FieldScreening screening, double threshold)
    {
        ArgumentNullException.ThrowIfNull(screening);
        var image = ImageDecoder.Decode(data, screening.Field, _options.MaxImagePixels);
        return FieldOverlay.RenderPng(image, screening.Objects.Select(o => (o.Object, o.Probability)), threshold);
    }
}

using MalariaML.Data;
using Microsoft.ML;
using Microsoft.ML.Transforms.Image;

namespace MalariaML.Preprocessing;

/// <summary>
/// The article's preprocessing as an ML.NET pipeline: <c>LoadImages</c> -> <c>ResizeImages</c> (stretch to 125x125) ->
/// <c>ExtractPixels</c> (planar R, G, B scaled to [0,1]) -> <c>MapValueToKey</c> for the label.
/// </summary>
internal static class MlNetImagePipeline
{
    /// <summary>Name of the input column holding the image path.</summary>
    public const string ImagePathColumn = nameof(CellImageRow.ImagePath);

    /// <summary>Name of the input column holding the class name.</summary>
    public const string LabelColumn = nameof(CellImageRow.Label);

    /// <summary>Name of the intermediate image column.</summary>
    public const string ImageColumn = "Image";

    /// <summary>Name of the output column holding pixels (3 x height x width floats in [0,1]).</summary>
    public const string PixelsColumn = "Pixels";

    /// <summary>Name of the output column holding the label as a key.</summary>
    public const string LabelKeyColumn = "LabelKey";

    /// <summary>Rows for the cells, ready for <see cref="Create"/>.</summary>
    public static IDataView ToDataView(MLContext mlContext, IEnumerable<CellImage> cells)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        ArgumentNullException.ThrowIfNull(cells);
        return mlContext.Data.LoadFromEnumerable(cells.Select(c => new CellImageRow { ImagePath = c.Path, Label = c.Label, Patient = c.PatientKey }).ToList());
    }

    /// <summary>Builds the preprocessing estimator. Only the size in <paramref name="options"/> is used: ML.NET's <c>Fill</c> resize always samples nearest neighbour.</summary>
    public static IEstimator<ITransformer> Create(MLContext mlContext, ImageLoadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(mlContext);
        options ??= new ImageLoadOptions();
        return mlContext.Transforms.LoadImages(ImageColumn, imageFolder: "", inputColumnName: ImagePathColumn)
            .Append(mlContext.Transforms.ResizeImages(ImageColumn, options.Width, options.Height, ImageColumn, ImageResizingEstimator.ResizingKind.Fill))
            .Append(mlContext.Transforms.ExtractPixels(PixelsColumn, ImageColumn,
                colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Rgb,
                orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false,
                scaleImage: 1f / 255f))
            .Append(mlContext.Transforms.Conversion.MapValueToKey(LabelKeyColumn, LabelColumn));
    }
}

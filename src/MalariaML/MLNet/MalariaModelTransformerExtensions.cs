using MalariaML.Inference;
using MalariaML.Training;
using Microsoft.ML;

namespace MalariaML.MLNet;

/// <summary>MalariaML in ML.NET's catalogs: a trained model as a transformer, and the estimator that trains one.</summary>
public static class MalariaModelTransformerExtensions
{
    /// <summary>The model as an ML.NET <see cref="ITransformer"/> reading image paths from <paramref name="imagePathColumn"/>.</summary>
    /// <param name="model">The model; not owned by the transformer.</param>
    /// <param name="imagePathColumn">Input text column of image file paths. Default <c>ImagePath</c>.</param>
    /// <returns>The transformer; see <see cref="MalariaModelTransformer"/> for its columns and behaviour.</returns>
    public static MalariaModelTransformer AsTransformer(this MalariaModel model, string imagePathColumn = MalariaModelTransformer.DefaultImagePathColumn)
        => new(model, imagePathColumn);

    /// <summary>
    /// An estimator that trains a MalariaML model on an image-path column and a label column; see <see cref="MalariaModelEstimator"/>.
    /// </summary>
    /// <param name="catalog">ML.NET's binary-classification trainers (<c>mlContext.BinaryClassification.Trainers</c>).</param>
    /// <param name="options">Model and training overrides; the article's CNN when null.</param>
    /// <param name="imagePathColumn">Text column of image file paths. Default <c>ImagePath</c>.</param>
    /// <param name="labelColumn">Boolean or text label column. Default <c>Label</c>.</param>
    public static MalariaModelEstimator MalariaModel(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
        ModelTrainingOptions? options = null, string imagePathColumn = MalariaModelTransformer.DefaultImagePathColumn, string labelColumn = "Label")
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new MalariaModelEstimator(options, imagePathColumn, labelColumn);
    }
}

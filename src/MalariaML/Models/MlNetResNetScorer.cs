using MalariaML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms.Image;

namespace MalariaML.Models;

/// <summary>
/// The all-ML.NET <c>resnet18-mlnet</c> baseline: in-memory images -> <c>ResizeImages</c> (224x224) ->
/// <c>ExtractPixels</c> (planar RGB, 0..255) -> <c>DnnFeaturizeImage</c> (ML.NET's shipped ResNet18, 512 features) ->
/// L-BFGS logistic regression. Safe to call from several threads (calls are serialised).
/// </summary>
/// <remarks>
/// <para>The saved model is a plain ML.NET model zip that any ML.NET application can load with
/// <c>MLContext.Model.Load</c>. ML.NET's ONNX transformer embeds the ONNX graphs in it, so the entry is about 60 MB
/// and loading it needs neither the <c>DnnImageModels</c> folder nor the package version that trained it; the
/// folder is only needed to train.</para>
/// <para>ML.NET runs the featurizer one image at a time (about 6 images per second on two busy cores, more on an idle
/// machine), which is the point of this baseline: the batched TorchSharp models run the same network much faster.</para>
/// </remarks>
internal sealed class MlNetResNetScorer : ICellScorer
{
    /// <summary>Model-file entry holding the ML.NET model zip.</summary>
    public const string ModelEntry = "mlnet-model.zip";

    /// <summary>Side of the square input the featurizer expects.</summary>
    public const int InputSize = 224;

    /// <summary>Length of the feature vector ResNet18 produces (its global-average-pooled last stage).</summary>
    public const int FeatureCount = 512;

    /// <summary>Name of the input column holding the in-memory image.</summary>
    public const string ImageColumn = "Image";

    /// <summary>Name of the column holding the extracted pixels.</summary>
    public const string PixelsColumn = "Pixels";

    /// <summary>Name of the column holding the ResNet18 features.</summary>
    public const string FeaturesColumn = "Features";

    /// <summary>Name of the label column the logistic regression trains on.</summary>
    public const string LabelColumn = "Label";

    /// <summary>Name of the output column holding the calibrated probability of the positive class.</summary>
    public const string ProbabilityColumn = "Probability";

    // Bounds memory while scoring: ML.NET images are RGBA copies (200 kB each at 224x224), made a chunk at a time.
    private const int ScoreChunk = 256;

    private readonly MLContext _mlContext;
    private readonly ITransformer _model;

    // ML.NET's MLContext is not documented as thread-safe (host registration draws from one Random), so calls that
    // touch it are serialised; the featurizer runs one image at a time anyway and ONNX Runtime uses all cores per image.
    private readonly Lock _gate = new();
    private bool _disposed;

    private MlNetResNetScorer(MLContext mlContext, ITransformer model)
    {
        _mlContext = mlContext;
        _model = model;
    }

    /// <summary>
    /// Featurizes the images with ML.NET's ResNet18 and fits an L-BFGS logistic regression (ML.NET's default
    /// regularisation) on the features.
    /// </summary>
    /// <param name="images">Training images; <see cref="InputSize"/> square is expected (others are resized by ML.NET).</param>
    /// <param name="positive">Whether each image is of the positive class; same length as <paramref name="images"/>.</param>
    /// <param name="seed">Seed of the <see cref="MLContext"/>.</param>
    /// <param name="progress">Progress of featurization (stage <c>featurizing</c>, about every 1% of the images).</param>
    /// <param name="cancellationToken">Checked between images.</param>
    /// <returns>The trained scorer; dispose it when done.</returns>
    /// <exception cref="ArgumentException">The lists differ in length, are empty, or hold only one class.</exception>
    /// <exception cref="FileNotFoundException">The <c>DnnImageModels</c> folder is not in the application's output.</exception>
    public static MlNetResNetScorer Train(IReadOnlyList<RgbImage> images, IReadOnlyList<bool> positive, int seed,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(positive);
        return Train([(images, positive)], images.Count, seed, progress, cancellationToken);
    }

    /// <summary>
    /// Like <see cref="Train(IReadOnlyList{RgbImage}, IReadOnlyList{bool}, int, IProgress{WorkProgress}?, CancellationToken)"/>,
    /// but reads the images a chunk at a time, so a caller that decodes each chunk on demand never holds more than one
    /// chunk's pixels (only the 512 features of every image are kept).
    /// </summary>
    /// <param name="chunks">Images with their labels; enumerated once.</param>
    /// <param name="count">How many images the chunks hold in all, for progress.</param>
    /// <param name="seed">Seed of the <see cref="MLContext"/>.</param>
    /// <param name="progress">Progress of featurization over <paramref name="count"/> images.</param>
    /// <param name="cancellationToken">Checked between images.</param>
    /// <returns>The trained scorer; dispose it when done.</returns>
    /// <exception cref="ArgumentException">A chunk's lists differ in length, or the images are none or of one class only.</exception>
    /// <exception cref="FileNotFoundException">The <c>DnnImageModels</c> folder is not in the application's output.</exception>
    public static MlNetResNetScorer Train(IEnumerable<(IReadOnlyList<RgbImage> Images, IReadOnlyList<bool> Positive)> chunks, int count, int seed,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(chunks);

        // Fail with the package's own explanation rather than ML.NET's generic file error.
        ResNet18ModelFiles.LocateResNet18();
        ResNet18ModelFiles.LocatePreprocessing();

        var mlContext = new MLContext(seed);
        var featurizer = CreateFeaturizer(mlContext).Fit(EmptyInput(mlContext));
        try
        {
            // Features are computed once and kept: L-BFGS passes over its data many times, and featurizing is the
            // slow part (a cache checkpoint in the pipeline would do the same without a way to report progress).
            var rows = new List<FeatureRow>(count);
            foreach (var (images, positive) in chunks)
            {
                ArgumentNullException.ThrowIfNull(images, nameof(chunks));
                ArgumentNullException.ThrowIfNull(positive, nameof(chunks));
                if (images.Count != positive.Count)
                {
                    throw new ArgumentException($"got {images.Count} images but {positive.Count} labels", nameof(chunks));
                }

                var features = Featurize(mlContext, featurizer, images, rows.Count, Math.Max(count, rows.Count + images.Count), progress, cancellationToken);
                for (var i = 0; i < features.Length; i++)
                {
                    rows.Add(new FeatureRow { Features = features[i], Label = positive[i] });
                }
            }

            if (!rows.Any(r => r.Label) || !rows.Any(r => !r.Label))
            {
                throw new ArgumentException("training needs images of both classes", nameof(chunks));
            }

            cancellationToken.ThrowIfCancellationRequested();
            var trainer = mlContext.BinaryClassification.Trainers.LbfgsLogisticRegression(labelColumnName: LabelColumn, featureColumnName: FeaturesColumn);
            var classifier = trainer.Fit(mlContext.Data.LoadFromEnumerable(rows));
            return new MlNetResNetScorer(mlContext, featurizer.Append(classifier));
        }
        catch
        {
            // The featurizer holds ONNX Runtime sessions and temporary copies of the graphs.
            (featurizer as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>Loads a model saved by <see cref="Save"/> (the bytes of its <see cref="ModelEntry"/>).</summary>
    /// <param name="modelZip">The ML.NET model zip.</param>
    /// <param name="sourceName">Where the bytes came from, for error messages (usually the <c>.malaria</c> path).</param>
    /// <returns>The scorer; dispose it when done.</returns>
    /// <exception cref="ModelFileException">The bytes are not an ML.NET model, or not one that scores images into probabilities.</exception>
    public static MlNetResNetScorer Load(byte[] modelZip, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(modelZip);
        ArgumentNullException.ThrowIfNull(sourceName);
        // Scoring draws no random numbers; the seed only makes the context deterministic by construction.
        var mlContext = new MLContext(seed: 0);
        ITransformer model;
        try
        {
            using var stream = new MemoryStream(modelZip, writable: false);
            model = mlContext.Model.Load(stream, out _);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            // ML.NET reports a bad zip with whatever its reader hit first (InvalidDataException, FormatException,
            // InvalidOperationException, ...), so every failure here means the same thing to the caller.
            throw new ModelFileException(sourceName, $"entry '{ModelEntry}' is not a usable ML.NET model ({e.Message})", e);
        }

        try
        {
            Validate(model, EmptyInput(mlContext).Schema);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            (model as IDisposable)?.Dispose();
            var reason = e is InvalidDataException ? e.Message : $"the ML.NET model does not fit its inputs ({e.Message})";
            throw new ModelFileException(sourceName, $"entry '{ModelEntry}': {reason}", e);
        }

        return new MlNetResNetScorer(mlContext, model);
    }

    /// <summary>Probabilities of the positive class, one per image, in order.</summary>
    /// <param name="images">Decoded images, <see cref="InputSize"/> square (others are resized by ML.NET's <c>ResizeImages</c>).</param>
    /// <remarks>Builds one data view per chunk of images rather than a prediction engine per image.</remarks>
    public float[] Score(IReadOnlyList<RgbImage> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var result = new float[images.Count];
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            ForEachRow<float>(_mlContext, _model, images, ProbabilityColumn, (i, probability) => result[i] = probability);
        }

        return result;
    }

    /// <summary>The ML.NET model zip (featurizer and classifier, with the ONNX graphs embedded) under <see cref="ModelEntry"/>.</summary>
    public IReadOnlyDictionary<string, byte[]> Save()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var stream = new MemoryStream();
            // No input schema: ML.NET stores it as an empty binary data view, which cannot hold an image column.
            // The image column is what this class feeds anyway.
            _mlContext.Model.Save(_model, null, stream);
            return new Dictionary<string, byte[]> { [ModelEntry] = stream.ToArray() };
        }
    }

    /// <summary>Releases the ONNX Runtime sessions and the temporary copies of the ONNX graphs.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            (_model as IDisposable)?.Dispose();
        }
    }

    private static IEstimator<ITransformer> CreateFeaturizer(MLContext mlContext)
        => mlContext.Transforms.ResizeImages(ImageColumn, InputSize, InputSize, ImageColumn, ImageResizingEstimator.ResizingKind.Fill)
            // Planar R, G, B in 0..255: ResNetPreprocess.onnx reorders to BGR and subtracts the ImageNet mean image itself.
            .Append(mlContext.Transforms.ExtractPixels(PixelsColumn, ImageColumn,
                colorsToExtract: ImagePixelExtractingEstimator.ColorBits.Rgb,
                orderOfExtraction: ImagePixelExtractingEstimator.ColorsOrder.ARGB,
                interleavePixelColors: false))
            .Append(mlContext.Transforms.DnnFeaturizeImage(FeaturesColumn,
                m => m.ModelSelector.ResNet18(mlContext, m.OutputColumn, m.InputColumn), PixelsColumn));

    private static float[][] Featurize(MLContext mlContext, ITransformer featurizer, IReadOnlyList<RgbImage> images,
        int offset, int total, IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        const string stage = "featurizing";
        var features = new float[images.Count][];
        var step = Math.Max(1, total / 100);
        if (offset == 0)
        {
            progress?.Report(new WorkProgress(stage, 0, total));
        }

        ForEachRow<VBuffer<float>>(mlContext, featurizer, images, FeaturesColumn, (i, buffer) =>
        {
            if (buffer.Length != FeatureCount)
            {
                throw new InvalidOperationException($"the ResNet18 featurizer gave {buffer.Length} features, expected {FeatureCount}");
            }

            features[i] = buffer.DenseValues().ToArray();
            if ((offset + i + 1) % step == 0 || offset + i + 1 == total)
            {
                progress?.Report(new WorkProgress(stage, offset + i + 1, total));
            }
        }, cancellationToken);

        return features;
    }

    // One data view per chunk of images rather than a prediction engine per image; each row's value of the column goes
    // to read(index, value) in input order.
    private static void ForEachRow<T>(MLContext mlContext, ITransformer transformer, IReadOnlyList<RgbImage> images, string columnName,
        Action<int, T> read, CancellationToken cancellationToken = default)
    {
        for (var start = 0; start < images.Count; start += ScoreChunk)
        {
            var count = Math.Min(ScoreChunk, images.Count - start);
            var rows = ToRows(images, start, count);
            try
            {
                var view = transformer.Transform(mlContext.Data.LoadFromEnumerable(rows));
                var column = view.Schema[columnName];
                using var cursor = view.GetRowCursor([column]);
                var getter = cursor.GetGetter<T>(column);
                var value = default(T)!;
                var i = start;
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (!cursor.MoveNext())
                    {
                        break;
                    }

                    getter(ref value);
                    read(i++, value);
                }

                if (i != start + count)
                {
                    throw new InvalidOperationException($"ML.NET returned {i - start} rows for {count} images");
                }
            }
            finally
            {
                DisposeRows(rows);
            }
        }
    }

    private static void Validate(ITransformer model, DataViewSchema inputSchema)
    {
        var output = model.GetOutputSchema(inputSchema);
        if (output.GetColumnOrNull(ProbabilityColumn) is not { } probability || probability.Type != NumberDataViewType.Single)
        {
            throw new InvalidDataException("the model does not output a 'Probability' column; it is not a binary classifier");
        }
    }

    // ResizeImages disposes its input images once it has read them, so a view over these rows can be read only once:
    // every pass builds fresh rows (and disposes them afterwards, which is harmless if ML.NET already has).
    private static ImageRow[] ToRows(IReadOnlyList<RgbImage> images, int start, int count)
    {
        var rows = new ImageRow[count];
        try
        {
            for (var k = 0; k < count; k++)
            {
                rows[k] = new ImageRow { Image = ToMlImage(images[start + k]) };
            }
        }
        catch
        {
            DisposeRows(rows);
            throw;
        }

        return rows;
    }

    private static void DisposeRows(ImageRow?[] rows)
    {
        foreach (var row in rows)
        {
            row?.Image?.Dispose();
        }
    }

    private static MLImage ToMlImage(RgbImage image)
    {
        ArgumentNullException.ThrowIfNull(image);
        var pixels = image.Width * image.Height;
        if (image.Width <= 0 || image.Height <= 0 || image.Pixels.Length != RgbImage.ByteCount(image.Width, image.Height))
        {
            throw new ArgumentException($"an RGB image of {image.Width}x{image.Height} needs {pixels * 3} bytes, got {image.Pixels.Length}", nameof(image));
        }

        // MLImage takes 32-bit pixels only, so pad each RGB triple with an opaque alpha byte.
        var rgba = new byte[pixels * 4];
        var rgb = image.Pixels;
        for (int p = 0, s = 0, d = 0; p < pixels; p++, s += 3, d += 4)
        {
            rgba[d] = rgb[s];
            rgba[d + 1] = rgb[s + 1];
            rgba[d + 2] = rgb[s + 2];
            rgba[d + 3] = 255;
        }

        return MLImage.CreateFromPixels(image.Width, image.Height, MLPixelFormat.Rgba32, rgba);
    }

    private static IDataView EmptyInput(MLContext mlContext) => mlContext.Data.LoadFromEnumerable(Array.Empty<ImageRow>());

    private sealed class ImageRow
    {
        // Declared 224x224 whatever the actual size: ML.NET needs a column type for MLImage, and ResizeImages makes
        // every image that size before ExtractPixels (which needs a known size) reads it.
        [ImageType(InputSize, InputSize)]
        public MLImage? Image { get; set; }
    }

    private sealed class FeatureRow
    {
        // The featurizer's output keeps the ONNX graph's (1, 512, 1, 1) shape, and the trained classifier checks that
        // its input column has exactly the type it was trained on.
        [VectorType(1, FeatureCount, 1, 1)]
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }
}

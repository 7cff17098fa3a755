using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Splits;
using MalariaML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MalariaML.MLNet;

/// <summary>
/// MalariaML as an ML.NET estimator: <see cref="Fit"/> trains a model (<see cref="ModelTrainingOptions.Model"/>) on
/// the rows of an <see cref="IDataView"/> with an image-path column and a label column, and returns a
/// <see cref="MalariaModelTransformer"/> that scores lazily, in batches, and works with
/// <c>mlContext.BinaryClassification.Evaluate</c>.
/// </summary>
/// <remarks>
/// The label column is a boolean (true for the positive class) or text (a class name; the positive class is
/// <c>positiveClass</c>). The rows are split by patient (read from each file name as for folders, see
/// <see cref="CellImage.PatientKey"/>) into training and validation parts, so the best epoch is chosen on patients
/// the network did not train on. Evaluate on a view of other patients.
/// </remarks>
public sealed class MalariaModelEstimator : IEstimator<MalariaModelTransformer>
{
    private readonly ModelTrainingOptions _options;
    private readonly string _imagePathColumn;
    private readonly string _labelColumn;
    private readonly string _positiveClass;
    private readonly double _validationFraction;

    /// <summary>Configures the estimator.</summary>
    /// <param name="options">Model and training overrides; defaults (the article's CNN) when null.</param>
    /// <param name="imagePathColumn">Text column of image file paths. Default <c>ImagePath</c>.</param>
    /// <param name="labelColumn">Boolean or text label column. Default <c>Label</c>.</param>
    /// <param name="positiveClass">Name of the positive class. Default <c>Parasitized</c>.</param>
    /// <param name="validationFraction">Share of patients held out for choosing the best epoch. Default 0.1.</param>
    public MalariaModelEstimator(ModelTrainingOptions? options = null, string imagePathColumn = MalariaModelTransformer.DefaultImagePathColumn,
        string labelColumn = "Label", string positiveClass = "Parasitized", double validationFraction = 0.1)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagePathColumn);
        ArgumentException.ThrowIfNullOrEmpty(labelColumn);
        ArgumentException.ThrowIfNullOrEmpty(positiveClass);
        ArgumentOutOfRangeException.ThrowIfNegative(validationFraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(validationFraction, 1.0);
        _options = options ?? new ModelTrainingOptions();
        _imagePathColumn = imagePathColumn;
        _labelColumn = labelColumn;
        _positiveClass = positiveClass;
        _validationFraction = validationFraction;
    }

    /// <summary>Progress of decoding (optional), reported while <see cref="Fit"/> runs.</summary>
    public IProgress<WorkProgress>? Work { get; init; }

    /// <summary>Progress of the epochs (optional), reported while <see cref="Fit"/> runs.</summary>
    public IProgress<TrainingProgress>? Training { get; init; }

    /// <summary>Trains on the rows of <paramref name="input"/> and returns a transformer that owns the trained model.</summary>
    /// <exception cref="ArgumentException">A column is missing or of the wrong type.</exception>
    /// <exception cref="MalariaMLException">Too few usable rows or patients to train.</exception>
    public MalariaModelTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var cells = ReadCells(input, out var negativeClass);
        var classes = new[] { negativeClass, _positiveClass }.Order(StringComparer.Ordinal).ToList();
        var dataset = CellDataset.FromCells(Environment.CurrentDirectory, classes, _positiveClass, cells);
        var split = DatasetSplitter.Split(dataset, SplitStrategy.Patient, new SplitRatios(1 - _validationFraction, _validationFraction, 0), _options.Seed);
        var trained = ModelTrainer.Train(split, classes, _positiveClass, _options, Work, Training);
        return new MalariaModelTransformer(trained.Model, _imagePathColumn) { OwnsModel = true };
    }

    /// <summary>The input's columns plus <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c>.</summary>
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        if (!inputSchema.Any(c => c.Name == _imagePathColumn && c.ItemType is TextDataViewType && c.Kind == SchemaShape.Column.VectorKind.Scalar))
        {
            throw new ArgumentException($"the input needs a text column '{_imagePathColumn}' of image paths", nameof(inputSchema));
        }

        // SchemaShape.Column has no public constructor, so the added columns' shapes come from ML.NET's own type
        // conversion of the path column: a float Score and Probability and a boolean PredictedLabel.
        var conversions = new MLContext(seed: 0).Transforms.Conversion;
        return conversions.ConvertType(MalariaModelTransformer.ScoreColumn, _imagePathColumn, DataKind.Single)
            .Append(conversions.ConvertType(MalariaModelTransformer.ProbabilityColumn, _imagePathColumn, DataKind.Single))
            .Append(conversions.ConvertType(MalariaModelTransformer.PredictedLabelColumn, _imagePathColumn, DataKind.Boolean))
            .GetOutputSchema(inputSchema);
    }

    private List<CellImage> ReadCells(IDataView input, out string negativeClass)
    {
        var pathColumn = input.Schema.GetColumnOrNull(_imagePathColumn) is { Type: TextDataViewType } p
            ? p
            : throw new ArgumentException($"the input needs a text column '{_imagePathColumn}' of image paths", nameof(input));
        var labelColumn = input.Schema.GetColumnOrNull(_labelColumn)
            ?? throw new ArgumentException($"the input has no label column '{_labelColumn}'", nameof(input));
        var cells = new List<CellImage>();
        var otherNames = new SortedSet<string>(StringComparer.Ordinal);
        using var cursor = input.GetRowCursor([pathColumn, labelColumn]);
        var getPath = cursor.GetGetter<ReadOnlyMemory<char>>(pathColumn);
        Func<string> getLabel = labelColumn.Type switch
        {
            BooleanDataViewType => Bool(cursor.GetGetter<bool>(labelColumn)),
            TextDataViewType => Text(cursor.GetGetter<ReadOnlyMemory<char>>(labelColumn)),
            _ => throw new ArgumentException($"label column '{_labelColumn}' must be boolean or text, not {labelColumn.Type}", nameof(input)),
        };
        var path = default(ReadOnlyMemory<char>);
        while (cursor.MoveNext())
        {
            getPath(ref path);
            var file = Path.GetFullPath(path.ToString());
            var label = getLabel();
            if (label != _positiveClass)
            {
                otherNames.Add(label);
            }

            cells.Add(new CellImage(file, label, PatientKey.Parse(file)));
        }

        if (otherNames.Count > 1)
        {
            throw new MalariaMLException($"expected two classes, '{_positiveClass}' and one other, found {string.Join(", ", otherNames)}");
        }

        negativeClass = otherNames.FirstOrDefault() ?? "Uninfected";
        return cells;
    }

    private Func<string> Bool(ValueGetter<bool> getter) => () =>
    {
        var value = false;
        getter(ref value);
        return value ? _positiveClass : "Uninfected";
    };

    private static Func<string> Text(ValueGetter<ReadOnlyMemory<char>> getter) => () =>
    {
        var value = default(ReadOnlyMemory<char>);
        getter(ref value);
        return value.ToString();
    };
}

using MalariaML.Data;
using MalariaML.Inference;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MalariaML.MLNet;

/// <summary>
/// A <see cref="MalariaModel"/> as an ML.NET <see cref="ITransformer"/>: reads an image-path column and adds
/// <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c>, the columns <c>BinaryClassification.Evaluate</c> reads,
/// so a model can follow other transformers in a chain or be evaluated with ML.NET's metrics.
/// </summary>
/// <remarks>
/// <para><b>Lazy, in batches.</b> Like ML.NET's own transformers, <see cref="Transform(IDataView)"/> scores nothing:
/// the returned view scores as its cursor moves, reading image paths a batch ahead (<see cref="BatchSize"/> rows) through
/// a second cursor over the input, decoding them in parallel and scoring them in one forward pass. Memory does not grow
/// with the number of rows; every cursor scores again.</para>
/// <para><c>Score</c> is <c>Probability</c> minus the model's threshold, so that ML.NET's rule (positive when
/// <c>Score &gt; 0</c>) agrees with <c>PredictedLabel</c> and <see cref="MalariaModel.LabelOf"/> (positive when
/// <c>Probability &gt;= threshold</c>): a probability exactly at the threshold gets the smallest positive float as its
/// score. Ranking by <c>Score</c> is ranking by <c>Probability</c>, so ML.NET's AUC is the model's AUC.</para>
/// <para>A row whose image cannot be decoded gets <c>NaN</c> for <c>Score</c> and <c>Probability</c> and
/// <c>false</c> for <c>PredictedLabel</c>; ML.NET's evaluators skip rows with a NaN score.</para>
/// <para>A transformer wrapping a model you loaded (<see cref="MalariaModelTransformerExtensions.AsTransformer"/>) does not
/// own it: dispose the model yourself after the last use of the transformer and its views. One made by
/// <see cref="MalariaModelEstimator.Fit"/> or <see cref="Load"/> owns its model: dispose the transformer. It cannot be
/// saved in an ML.NET model zip; <see cref="Save"/> writes the model's <c>.malaria</c> file.</para>
/// </remarks>
public sealed class MalariaModelTransformer : ITransformer, IDisposable
{
    /// <summary>Default name of the input column holding image paths (that of <see cref="Preprocessing.MlNetImagePipeline.ToDataView"/>).</summary>
    public const string DefaultImagePathColumn = Preprocessing.MlNetImagePipeline.ImagePathColumn;

    /// <summary>Name of the output score column: probability minus threshold (float, &gt; 0 means positive).</summary>
    public const string ScoreColumn = "Score";

    /// <summary>Name of the output column holding the probability of the positive class (float).</summary>
    public const string ProbabilityColumn = "Probability";

    /// <summary>Name of the output column holding the predicted class (bool, true for the positive class).</summary>
    public const string PredictedLabelColumn = "PredictedLabel";

    /// <summary>Wraps a model.</summary>
    /// <param name="model">The model; not owned (not disposed by the transformer).</param>
    /// <param name="imagePathColumn">Input text column holding image file paths. Default <c>ImagePath</c>.</param>
    public MalariaModelTransformer(MalariaModel model, string imagePathColumn = DefaultImagePathColumn)
    {
        Model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentException.ThrowIfNullOrEmpty(imagePathColumn);
        ImagePathColumn = imagePathColumn;
    }

    /// <summary>The wrapped model.</summary>
    public MalariaModel Model { get; }

    /// <summary>The input column holding image paths.</summary>
    public string ImagePathColumn { get; }

    /// <summary>False: rows are scored in batches, not one by one, so there is no row-to-row mapper.</summary>
    public bool IsRowToRowMapper => false;

    /// <summary>The input columns followed by <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c> (hiding input columns of those names).</summary>
    /// <exception cref="ArgumentException">The input has no text column named <see cref="ImagePathColumn"/>.</exception>
    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        PathColumnOf(inputSchema);
        var builder = new DataViewSchema.Builder();
        builder.AddColumns(inputSchema);
        builder.AddColumn(ScoreColumn, NumberDataViewType.Single);
        builder.AddColumn(ProbabilityColumn, NumberDataViewType.Single);
        builder.AddColumn(PredictedLabelColumn, BooleanDataViewType.Instance);
        return builder.ToSchema();
    }

    /// <summary>Rows scored per forward pass. Default 64.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>The input with the three prediction columns added, scored lazily as a cursor reads it.</summary>
    /// <param name="input">Rows with a text column <see cref="ImagePathColumn"/>.</param>
    /// <exception cref="ArgumentException">The input has no text column named <see cref="ImagePathColumn"/>.</exception>
    public IDataView Transform(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return new ScoredView(this, input, GetOutputSchema(input.Schema), PathColumnOf(input.Schema));
    }

    /// <summary>Writes the model as a <c>.malaria</c> file (atomically); <see cref="Load"/> reads it back.</summary>
    public void Save(string path) => Model.Save(path);

    /// <summary>Loads a <c>.malaria</c> file as a transformer that owns (and disposes) its model.</summary>
    /// <param name="path">Model file.</param>
    /// <param name="imagePathColumn">Input text column holding image file paths. Default <c>ImagePath</c>.</param>
    public static MalariaModelTransformer Load(string path, string imagePathColumn = DefaultImagePathColumn)
        => new(MalariaModel.Load(path), imagePathColumn) { OwnsModel = true };

    // True when the transformer was made by Fit or Load and so is the only holder of its model.
    internal bool OwnsModel { get; init; }

    /// <summary>Disposes the model when the transformer owns it (made by an estimator's <c>Fit</c> or by <see cref="Load"/>).</summary>
    public void Dispose()
    {
        if (OwnsModel)
        {
            Model.Dispose();
        }
    }

    /// <summary>Probabilities for one batch of paths; NaN where a file cannot be decoded (ML.NET's evaluators skip NaN scores).</summary>
    private float[] ScoreBatch(IReadOnlyList<string> paths)
    {
        var images = new RgbImage?[paths.Count];
        Parallel.For(0, paths.Count, i =>
        {
            try
            {
                images[i] = ImageDecoder.DecodeFile(paths[i], Model.LoadOptions);
            }
            catch (Exception e) when (e is MalariaMLException or IOException or UnauthorizedAccessException)
            {
                images[i] = null;
            }
        });
        var usable = images.Where(i => i is not null).Select(i => i!).ToList();
        var scored = usable.Count == 0 ? [] : Model.PredictProbabilities(usable);
        var result = new float[paths.Count];
        for (int i = 0, next = 0; i < paths.Count; i++)
        {
            result[i] = images[i] is null ? float.NaN : scored[next++];
        }

        return result;
    }

    /// <summary>Not supported: scoring works on whole batches, so there is no row-to-row mapper.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        => throw new NotSupportedException($"{nameof(MalariaModelTransformer)} scores whole views in batches and has no row-to-row mapper; use Transform");

    /// <summary>Not supported: save the model as a <c>.malaria</c> file with <see cref="MalariaModel.Save"/>.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    void ICanSaveModel.Save(ModelSaveContext ctx)
        => throw new NotSupportedException(
            "a MalariaModel cannot be saved inside an ML.NET model zip; save it with MalariaModel.Save as a .malaria file " +
            "and wrap it again with AsTransformer after MalariaModel.Load");

    private DataViewSchema.Column PathColumnOf(DataViewSchema schema)
    {
        if (schema.GetColumnOrNull(ImagePathColumn) is not { } column)
        {
            throw new ArgumentException($"the input has no column '{ImagePathColumn}' of image paths; columns: {string.Join(", ", schema.Select(c => c.Name))}", "inputSchema");
        }

        if (column.Type is not TextDataViewType)
        {
            throw new ArgumentException($"column '{ImagePathColumn}' must hold text (image paths), not {column.Type}", "inputSchema");
        }

        return column;
    }

    /// <summary>
    /// The input view with the prediction columns appended. A cursor walks the input with a second cursor one batch
    /// ahead over the path column only, so that other columns of any type pass through untouched and never need buffering.
    /// </summary>
    private sealed class ScoredView(MalariaModelTransformer transformer, IDataView input, DataViewSchema schema, DataViewSchema.Column pathColumn) : IDataView
    {
        private readonly int _inputColumns = input.Schema.Count;

        public DataViewSchema Schema => schema;

        // The look-ahead cursor must see the rows in the main cursor's order.
        public bool CanShuffle => false;

        public long? GetRowCount() => input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            ArgumentNullException.ThrowIfNull(columnsNeeded);
            var needed = columnsNeeded.ToList();
            var active = new bool[schema.Count];
            foreach (var column in needed)
            {
                active[column.Index] = true;
            }

            var scoring = needed.Any(c => c.Index >= _inputColumns);
            var main = input.GetRowCursor(needed.Where(c => c.Index < _inputColumns).Select(c => input.Schema[c.Index]));
            var ahead = scoring ? input.GetRowCursor([pathColumn]) : null;
            return new Cursor(this, main, ahead, active);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];

        private sealed class Cursor(ScoredView view, DataViewRowCursor main, DataViewRowCursor? ahead, bool[] active) : DataViewRowCursor
        {
            private readonly Queue<float> _pending = new();
            private readonly ValueGetter<ReadOnlyMemory<char>>? _path = ahead?.GetGetter<ReadOnlyMemory<char>>(ahead.Schema[view._pathColumnIndex]);
            private float _probability = float.NaN;
            private bool _disposed;

            public override DataViewSchema Schema => view.Schema;

            public override long Position => main.Position;

            public override long Batch => main.Batch;

            public override bool MoveNext()
            {
                if (!main.MoveNext())
                {
                    return false;
                }

                if (ahead is not null)
                {
                    if (_pending.Count == 0)
                    {
                        Fill();
                    }

                    _probability = _pending.Count > 0
                        ? _pending.Dequeue()
                        : throw new InvalidOperationException("the input view yielded different rows to two cursors; its rows must not change between cursors");
                }

                return true;
            }

            private void Fill()
            {
                var paths = new List<string>(view._transformer.BatchSize);
                var value = default(ReadOnlyMemory<char>);
                while (paths.Count < view._transformer.BatchSize && ahead!.MoveNext())
                {
                    _path!(ref value);
                    paths.Add(value.ToString());
                }

                foreach (var p in view._transformer.ScoreBatch(paths))
                {
                    _pending.Enqueue(p);
                }
            }

            public override ValueGetter<DataViewRowId> GetIdGetter() => main.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (!active[column.Index])
                {
                    throw new InvalidOperationException($"column '{column.Name}' was not requested when the cursor was made");
                }

                if (column.Index < view._inputColumns)
                {
                    return main.GetGetter<TValue>(main.Schema[column.Index]);
                }

                var threshold = view._transformer.Model.Metadata.Threshold;
                // The added columns follow the input's, in the order GetOutputSchema adds them. Score is probability
                // minus threshold; a probability exactly at the threshold is positive, so it gets the smallest positive score.
                Delegate getter = (column.Index - view._inputColumns) switch
                {
                    0 => (ValueGetter<float>)((ref float value) =>
                    {
                        var score = (float)(_probability - threshold);
                        value = float.IsNaN(_probability) ? float.NaN : _probability >= threshold && score <= 0 ? float.Epsilon : score;
                    }),
                    1 => (ValueGetter<float>)((ref float value) => value = _probability),
                    _ => (ValueGetter<bool>)((ref bool value) => value = !float.IsNaN(_probability) && _probability >= threshold),
                };
                return getter as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"column '{column.Name}' is of type {column.Type}, not {typeof(TValue).Name}");
            }

            protected override void Dispose(bool disposing)
            {
                if (!_disposed && disposing)
                {
                    main.Dispose();
                    ahead?.Dispose();
                }

                _disposed = true;
                base.Dispose(disposing);
            }
        }

        private readonly MalariaModelTransformer _transformer = transformer;
        private readonly int _pathColumnIndex = pathColumn.Index;
    }
}

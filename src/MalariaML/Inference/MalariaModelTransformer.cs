using MalariaML.Data;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MalariaML.Inference;

/// <summary>
/// A <see cref="MalariaModel"/> as an ML.NET <see cref="ITransformer"/>: reads an image-path column and adds
/// <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c>, the columns <c>BinaryClassification.Evaluate</c> reads,
/// so a model can follow other transformers in a chain or be evaluated with ML.NET's metrics.
/// </summary>
/// <remarks>
/// <para><b>Not lazy.</b> Unlike ML.NET's own transformers, <see cref="Transform(IDataView)"/> reads every path and scores all
/// images at once (decoded in parallel and scored in batches through <see cref="MalariaModel.PredictMany"/>) because the
/// model is fastest on batches; the returned view holds the results (12 bytes a row) and passes the input's other
/// columns through. Enumerate it as often as you like; it does not score again.</para>
/// <para><c>Score</c> is <c>Probability</c> minus the model's threshold, so that ML.NET's rule (positive when
/// <c>Score &gt; 0</c>) agrees with <c>PredictedLabel</c> and <see cref="MalariaModel.LabelOf"/> (positive when
/// <c>Probability &gt;= threshold</c>): a probability exactly at the threshold gets the smallest positive float as its
/// score. Ranking by <c>Score</c> is ranking by <c>Probability</c>, so ML.NET's AUC is the model's AUC.</para>
/// <para>A row whose image cannot be decoded gets <c>NaN</c> for <c>Score</c> and <c>Probability</c> and
/// <c>false</c> for <c>PredictedLabel</c>; ML.NET's evaluators skip rows with a NaN score.</para>
/// <para>The transformer does not own the model: dispose the model yourself, after the last use of the transformer
/// and of the views it returned is done. It cannot be saved in an ML.NET model zip; the <c>.malaria</c> file
/// (<see cref="MalariaModel.Save"/>) is the model's persistence format.</para>
/// </remarks>
public sealed class MalariaModelTransformer : ITransformer
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

    /// <summary>Scores every row now and returns the input with the three prediction columns added.</summary>
    /// <param name="input">Rows with a text column <see cref="ImagePathColumn"/>.</param>
    /// <exception cref="ArgumentException">The input has no text column named <see cref="ImagePathColumn"/>.</exception>
    public IDataView Transform(IDataView input) => Transform(input, null, CancellationToken.None);

    /// <summary>As <see cref="Transform(IDataView)"/>, with progress of decoding and scoring and a way to stop.</summary>
    /// <param name="input">Rows with a text column <see cref="ImagePathColumn"/>.</param>
    /// <param name="progress">Progress of prediction (stage <c>predicting</c>).</param>
    /// <param name="cancellationToken">Checked between chunks of images.</param>
    /// <exception cref="ArgumentException">The input has no text column named <see cref="ImagePathColumn"/>.</exception>
    public IDataView Transform(IDataView input, IProgress<WorkProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var schema = GetOutputSchema(input.Schema);
        var paths = ReadPaths(input, PathColumnOf(input.Schema), cancellationToken);

        // PredictMany skips undecodable files, so results are matched back to rows by path (a path always gets the
        // same probability, so repeated paths are no problem).
        var batch = Model.PredictMany(paths.Distinct(StringComparer.Ordinal).ToList(), progress, cancellationToken);
        var byPath = new Dictionary<string, double>(batch.Predictions.Count, StringComparer.Ordinal);
        foreach (var prediction in batch.Predictions)
        {
            byPath[prediction.Source] = prediction.Probability;
        }

        var threshold = Model.Metadata.Threshold;
        var scores = new float[paths.Count];
        var probabilities = new float[paths.Count];
        var labels = new bool[paths.Count];
        for (var i = 0; i < paths.Count; i++)
        {
            if (!byPath.TryGetValue(paths[i], out var probability))
            {
                scores[i] = probabilities[i] = float.NaN;
                continue;
            }

            labels[i] = probability >= threshold;
            probabilities[i] = (float)probability;
            var score = (float)(probability - threshold);
            scores[i] = labels[i] && score <= 0 ? float.Epsilon : score;
        }

        return new PredictionView(input, schema, scores, probabilities, labels);
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

    private static List<string> ReadPaths(IDataView input, DataViewSchema.Column column, CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        using var cursor = input.GetRowCursor([column]);
        var getter = cursor.GetGetter<ReadOnlyMemory<char>>(column);
        var value = default(ReadOnlyMemory<char>);
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            getter(ref value);
            paths.Add(value.ToString());
        }

        return paths;
    }

    /// <summary>The input view with precomputed prediction columns appended, matched to rows by cursor position.</summary>
    private sealed class PredictionView(IDataView input, DataViewSchema schema, float[] scores, float[] probabilities, bool[] labels) : IDataView
    {
        private readonly int _inputColumns = input.Schema.Count;
        private readonly float[] _scores = scores;
        private readonly float[] _probabilities = probabilities;
        private readonly bool[] _labels = labels;

        public DataViewSchema Schema => schema;

        // Results are tied to row positions, so the order must stay that of the input.
        public bool CanShuffle => false;

        public long? GetRowCount() => _scores.Length;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            ArgumentNullException.ThrowIfNull(columnsNeeded);
            var needed = columnsNeeded.ToList();
            var inner = input.GetRowCursor(needed.Where(c => c.Index < _inputColumns).Select(c => input.Schema[c.Index]));
            var active = new bool[schema.Count];
            foreach (var column in needed)
            {
                active[column.Index] = true;
            }

            return new Cursor(this, inner, active);
        }

        // One cursor: the results are matched by position, which a split into parallel cursors would not preserve.
        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => [GetRowCursor(columnsNeeded, rand)];

        private sealed class Cursor(PredictionView view, DataViewRowCursor inner, bool[] active) : DataViewRowCursor
        {
            private bool _disposed;

            public override DataViewSchema Schema => view.Schema;

            public override long Position => inner.Position;

            public override long Batch => inner.Batch;

            public override bool MoveNext()
            {
                if (!inner.MoveNext())
                {
                    return false;
                }

                if (inner.Position >= view.GetRowCount())
                {
                    throw new InvalidOperationException(
                        $"the input view yielded more rows than the {view.GetRowCount()} that were scored; its rows must not change between cursors");
                }

                return true;
            }

            public override ValueGetter<DataViewRowId> GetIdGetter() => inner.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column) => active[column.Index];

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (!active[column.Index])
                {
                    throw new InvalidOperationException($"column '{column.Name}' was not requested when the cursor was made");
                }

                if (column.Index < view._inputColumns)
                {
                    return inner.GetGetter<TValue>(inner.Schema[column.Index]);
                }

                // The added columns follow the input's, in the order GetOutputSchema adds them.
                Delegate getter = (column.Index - view._inputColumns) switch
                {
                    0 => (ValueGetter<float>)((ref float value) => value = Read(view._scores)),
                    1 => (ValueGetter<float>)((ref float value) => value = Read(view._probabilities)),
                    _ => (ValueGetter<bool>)((ref bool value) => value = Read(view._labels)),
                };
                return getter as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"column '{column.Name}' is of type {column.Type}, not {typeof(TValue).Name}");
            }

            private T Read<T>(T[] values)
                => Position >= 0 && Position < values.Length
                    ? values[Position]
                    : throw new InvalidOperationException("the cursor is not on a row");

            protected override void Dispose(bool disposing)
            {
                if (!_disposed && disposing)
                {
                    inner.Dispose();
                }

                _disposed = true;
                base.Dispose(disposing);
            }
        }

    }
}

/// <summary>Turns a <see cref="MalariaModel"/> into an ML.NET transformer.</summary>
public static class MalariaModelTransformerExtensions
{
    /// <summary>The model as an ML.NET <see cref="ITransformer"/> reading image paths from <paramref name="imagePathColumn"/>.</summary>
    /// <param name="model">The model; not owned by the transformer.</param>
    /// <param name="imagePathColumn">Input text column of image file paths. Default <c>ImagePath</c>.</param>
    /// <returns>The transformer; see <see cref="MalariaModelTransformer"/> for its columns and behaviour.</returns>
    public static MalariaModelTransformer AsTransformer(this MalariaModel model, string imagePathColumn = MalariaModelTransformer.DefaultImagePathColumn)
        => new(model, imagePathColumn);
}

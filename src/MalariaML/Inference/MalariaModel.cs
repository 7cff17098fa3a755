using MalariaML.Export;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Runtime;
using static TorchSharp.torch;

namespace MalariaML.Inference;

/// <summary>
/// A trained model that says <c>Parasitized</c> or <c>Uninfected</c>: loaded from or saved to one <c>.malaria</c> file,
/// predicting single images or whole folders in batches with parallel decoding. Create one per model and reuse it;
/// it is safe to call from several threads.
/// </summary>
public sealed class MalariaModel : IDisposable
{
    /// <summary>Wraps a scorer with its metadata.</summary>
    internal MalariaModel(ICellScorer scorer, ModelMetadata metadata)
    {
        Scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        Metadata = metadata ?? throw new ArgumentNullException(nameof(metadata));
        if (metadata.ClassNames.Count != 2 || !metadata.ClassNames.Contains(metadata.PositiveClass))
        {
            throw new ArgumentException("metadata needs two class names, one of them the positive class", nameof(metadata));
        }

        LoadOptions = new ImageLoadOptions
        {
            Width = metadata.InputWidth,
            Height = metadata.InputHeight,
            Sampling = Enum.TryParse<ResizeSampling>(metadata.Sampling, out var sampling) ? sampling : ResizeSampling.Bilinear,
            Normalization = metadata.StainNormalization,
        };
    }

    /// <summary>What the model file says about the model.</summary>
    public ModelMetadata Metadata { get; private set; }

    /// <summary>How images are decoded for this model.</summary>
    public ImageLoadOptions LoadOptions { get; private set; }

    /// <summary>The engine that scores decoded cells.</summary>
    internal ICellScorer Scorer { get; }

    /// <summary>Loads a <c>.malaria</c> file.</summary>
    /// <param name="path">Model file.</param>
    /// <param name="device"><c>auto</c>, <c>cpu</c> or <c>cuda</c> (TorchSharp models).</param>
    /// <param name="engine">
    /// What runs a TorchSharp model's network: TorchSharp (the default), ONNX Runtime (the network exported in memory
    /// by <see cref="ExportOnnx"/>; with <c>cuda</c>, ONNX Runtime's CUDA provider), or <see cref="ScoringEngine.Auto"/>
    /// for the faster one. The ML.NET baseline always runs through ML.NET.
    /// </param>
    /// <exception cref="ModelFileException">The file is unusable (see <see cref="ModelFile.Read"/>) or its weights do not fit its model kind.</exception>
    public static MalariaModel Load(string path, string device = "cpu", ScoringEngine engine = ScoringEngine.TorchSharp)
    {
        var (metadata, payloads) = ModelFile.Read(path);
        return new MalariaModel(CreateScorer(path, metadata, payloads, device, engine), metadata);
    }

    /// <summary>Builds the scorer a model file's metadata and entries describe (an ensemble's members too).</summary>
    internal static ICellScorer CreateScorer(string path, ModelMetadata metadata, IReadOnlyDictionary<string, byte[]> payloads, string device, ScoringEngine engine)
    {
        if (metadata.ModelKind == Ensemble.EnsembleScorer.Kind)
        {
            return Ensemble.EnsembleScorer.Load(path, payloads, device, engine);
        }

        ModelDefinition definition;
        try
        {
            definition = ModelCatalog.Get(metadata.ModelKind);
        }
        catch (MalariaMLException e)
        {
            throw new ModelFileException(path, e.Message, e);
        }

        var scorer = definition.Family == ModelFamily.MlNet
            ? MlNetScorerLoader.Load(path, payloads)
            : Resolve(engine) == ScoringEngine.OnnxRuntime
                ? LoadOnnx(path, definition, metadata, payloads, device)
                : LoadNetwork(path, definition, metadata, payloads, device);
        return scorer;
    }

    /// <summary>The engine <see cref="ScoringEngine.Auto"/> stands for: ONNX Runtime, the faster one on this CPU (README, "Speed").</summary>
    public static ScoringEngine Resolve(ScoringEngine engine) => engine == ScoringEngine.Auto ? ScoringEngine.OnnxRuntime : engine;

    // The network is built from the weights as for TorchSharp, exported in memory, and dropped: ONNX Runtime holds its own copy.
    private static OnnxCellScorer LoadOnnx(string path, ModelDefinition definition, ModelMetadata metadata,
        IReadOnlyDictionary<string, byte[]> payloads, string device)
    {
        byte[] onnx;
        using (var torchScorer = LoadNetwork(path, definition, metadata, payloads, "cpu"))
        {
            onnx = OnnxExporter.ToBytes(torchScorer.Network, ModelOnnxExport.Info(metadata));
        }

        return new OnnxCellScorer(onnx, metadata.InputWidth, metadata.InputHeight, payloads, device);
    }

    private static TorchCellScorer LoadNetwork(string path, ModelDefinition definition, ModelMetadata metadata,
        IReadOnlyDictionary<string, byte[]> payloads, string device)
    {
        if (!payloads.TryGetValue(TorchCellScorer.WeightsEntry, out var weights))
        {
            throw new ModelFileException(path, $"missing entry '{TorchCellScorer.WeightsEntry}'");
        }

        TorchRuntime.EnsureInitialized();
        var network = definition.CreateNetwork!(new ModelBuildOptions(metadata.InputWidth, Pretrained: false));
        try
        {
            ModuleState.Load(network, weights, path);
        }
        catch (MalariaMLException e)
        {
            network.Dispose();
            throw new ModelFileException(path, $"weights do not fit a {metadata.ModelKind} network: {e.InnerException?.Message ?? e.Message}", e);
        }

        return new TorchCellScorer(network, ComputeDevice.Resolve(device));
    }

    /// <summary>Writes the model to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    public void Save(string path) => ModelFile.Write(path, Metadata, Scorer.Save());

    /// <summary>
    /// Writes the model as ONNX to <paramref name="path"/> atomically, with its preprocessing in the file's
    /// <c>metadata_props</c> (README, "ONNX export"): ONNX Runtime, or any runtime with opset 17, scores it without MalariaML.
    /// </summary>
    /// <exception cref="OnnxExportException">An ensemble, or the ML.NET baseline, which has no TorchSharp network.</exception>
    public void ExportOnnx(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, ModelOnnxExport.ToBytes(this));
    }

    /// <summary>Replaces the metadata with <paramref name="change"/> applied to it (e.g. a new threshold) before saving.</summary>
    public void UpdateMetadata(Func<ModelMetadata, ModelMetadata> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        Metadata = change(Metadata);
        LoadOptions = LoadOptions with { Normalization = Metadata.StainNormalization };
    }

    /// <summary>Predicts one image file.</summary>
    /// <exception cref="InvalidImageException">The file is not a usable image.</exception>
    public CellPrediction Predict(string path) => ToPrediction(path, PredictProbabilities([ImageDecoder.DecodeFile(path, LoadOptions)])[0]);

    /// <summary>Predicts one encoded image held in memory.</summary>
    public CellPrediction Predict(byte[] data, string name = "image")
        => ToPrediction(name, PredictProbabilities([ImageDecoder.Decode(data, name, LoadOptions)])[0]);

    /// <summary>Predicts one encoded image read from a stream.</summary>
    public CellPrediction Predict(Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return Predict(copy.ToArray(), name);
    }

    /// <summary>Predicts many files: decoding in parallel, one forward pass per batch. Bad files are skipped and reported.</summary>
    public PredictionBatch PredictMany(IReadOnlyList<string> paths, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var cells = paths.Select(p => new CellImage(p, "", PatientKey.Parse(p))).ToList();
        var predictions = new List<CellPrediction>(paths.Count);
        var skipped = new List<SkippedFile>();
        var loader = new CellImageLoader(LoadOptions);
        // Decode a chunk at a time so memory stays flat on folders of any size.
        const int chunk = 1024;
        progress?.Report(new WorkProgress("predicting", 0, cells.Count));
        for (var start = 0; start < cells.Count; start += chunk)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var decoded = loader.Decode(cells.GetRange(start, Math.Min(chunk, cells.Count - start)), null, cancellationToken);
            skipped.AddRange(decoded.Skipped);
            // Scored a slice at a time so that a cancellation is honoured within one forward pass, not one chunk.
            for (var from = 0; from < decoded.Images.Count; from += CancellableSlice)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(CancellableSlice, decoded.Images.Count - from);
                var probabilities = PredictProbabilities(decoded.Images.Skip(from).Take(count).ToList());
                for (var i = 0; i < count; i++)
                {
                    predictions.Add(ToPrediction(decoded.Cells[from + i].Path, probabilities[i]));
                }
            }

            progress?.Report(new WorkProgress("predicting", Math.Min(cells.Count, start + chunk), cells.Count));
        }

        return new PredictionBatch(predictions, skipped);
    }

    /// <summary>
    /// The article's "evaluate" step: scores labelled cells (their class folder is their label) and measures accuracy,
    /// precision, recall, F1, AUC and the confusion matrix at the model's threshold. Files that cannot be decoded are
    /// skipped and listed, never fatal.
    /// </summary>
    /// <param name="cells">Labelled cells, e.g. a split's test part.</param>
    /// <param name="progress">Progress of decoding and scoring.</param>
    /// <param name="cancellationToken">Stops between chunks of cells.</param>
    /// <exception cref="MalariaMLException">No cell could be scored.</exception>
    public ModelEvaluation Evaluate(IReadOnlyList<CellImage> cells, IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var cell in cells)
        {
            labels[cell.Path] = cell.Label == Metadata.PositiveClass;
        }

        var batch = PredictMany(cells.Select(c => c.Path).ToList(), progress, cancellationToken);
        if (batch.Predictions.Count == 0)
        {
            throw new MalariaMLException($"none of the {cells.Count} cells could be scored");
        }

        var truth = batch.Predictions.Select(p => labels[p.Source]).ToList();
        var metrics = BinaryEvaluator.Evaluate(batch.Predictions.Select(p => p.Probability), truth, Metadata.Threshold);
        return new ModelEvaluation(metrics, batch.Predictions, truth, batch.Skipped);
    }

    // Cells per forward pass in PredictMany: the scorers' own batch size, so slicing costs no speed.
    private const int CancellableSlice = 64;


    /// <summary>
    /// Whether predictions average the eight flips and quarter-turn rotations of each cell (test-time augmentation):
    /// eight forward passes per cell. Default false. Set it before predicting, not while other threads predict.
    /// </summary>
    public bool TestTimeAugmentation { get; set; }

    /// <summary>
    /// Parasitemia and the positive or negative call of each patient (grouped by the file names' patient keys), by the
    /// rule fitted on the validation patients when the model was trained; a patient whose uninfected cells score unlike
    /// the validation patients' is marked <see cref="PatientCalls.PatientCall.Shifted"/>.
    /// </summary>
    public IReadOnlyList<PatientCalls.PatientCall> CallPatients(IEnumerable<CellPrediction> predictions) => PatientCalls.PatientCall.Summarise(predictions, PatientRule);

    /// <summary>The temperature this model's probabilities are scaled by (1 for files without a calibration).</summary>
    public double Temperature => Metadata.Calibration?.Temperature ?? 1;

    /// <summary>The per-patient decision rule (<see cref="PatientCalls.PatientRule.AnyParasitizedCell"/> for files without one).</summary>
    internal PatientCalls.PatientRule PatientRule => Metadata.PatientRule ?? PatientCalls.PatientRule.AnyParasitizedCell;

    /// <summary>
    /// Calibrated probabilities of the positive class for images already decoded with <see cref="LoadOptions"/> (its
    /// size and, for a model trained with it, its stain normalisation)
    /// (with <see cref="TestTimeAugmentation"/>, the mean over the eight orientations).
    /// </summary>
    public float[] PredictProbabilities(IReadOnlyList<RgbImage> images)
        => TestTimeAugmentation
            ? TestTimeAugmenter.Score(images, views => Evaluation.Calibration.TemperatureScaling.Apply(Scorer.Score(views), Temperature))
            : Evaluation.Calibration.TemperatureScaling.Apply(Scorer.Score(images), Temperature);

    /// <summary>The label the model gives a probability.</summary>
    public string LabelOf(double probability)
        => probability >= Metadata.Threshold ? Metadata.PositiveClass : Metadata.ClassNames.First(c => c != Metadata.PositiveClass);

    private CellPrediction ToPrediction(string source, double probability)
        => new(source, LabelOf(probability), probability, probability >= Metadata.Threshold);

    /// <inheritdoc/>
    public void Dispose() => Scorer.Dispose();
}

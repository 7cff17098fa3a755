using System.Text.Json.Serialization;
using MalariaML.Data;
using MalariaML.Evaluation;

namespace MalariaML.Inference;

/// <summary>What a <c>.malaria</c> file says about its model, stored as <c>metadata.json</c> inside the zip.</summary>
public sealed record ModelMetadata
{
    /// <summary>Layout version of the file; a loader refuses newer versions.</summary>
    public int FormatVersion { get; init; } = ModelFile.CurrentFormatVersion;

    /// <summary>Model name from <see cref="Models.ModelCatalog"/>, e.g. <c>basic-cnn</c>.</summary>
    public required string ModelKind { get; init; }

    /// <summary>Input width in pixels.</summary>
    public required int InputWidth { get; init; }

    /// <summary>Input height in pixels.</summary>
    public required int InputHeight { get; init; }

    /// <summary>How pixels are fed to the network: <c>rgb-0-1</c> (RGB scaled to [0, 1]); the network normalises further inside.</summary>
    public string Normalization { get; init; } = "rgb-0-1";

    /// <summary>Resampling used to resize inputs (see <see cref="ResizeSampling"/>).</summary>
    public string Sampling { get; init; } = "Bilinear";

    /// <summary>Class names, negative first, positive second.</summary>
    public required IReadOnlyList<string> ClassNames { get; init; }

    /// <summary>The positive class.</summary>
    public required string PositiveClass { get; init; }

    /// <summary>Probability at or above which a cell is called positive.</summary>
    public double Threshold { get; init; } = 0.5;

    /// <summary>How the training data were split (strategy, seed, cells and patients per part).</summary>
    [JsonInclude]
    internal SplitSummary? Split { get; init; }

    /// <summary>Metrics measured when the model was saved, by part name (<c>validation</c>, <c>test</c>).</summary>
    public IReadOnlyDictionary<string, BinaryMetrics> Metrics { get; init; } = new Dictionary<string, BinaryMetrics>();

    /// <summary>Best epoch and epochs run.</summary>
    public int BestEpoch { get; init; }

    /// <summary>Epochs run in all.</summary>
    public int EpochsRun { get; init; }

    /// <summary>Per-epoch history of the training run, for learning curves (empty for models trained without epochs).</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>Training wall time in seconds.</summary>
    public double TrainingSeconds { get; init; }

    /// <summary>Version of MalariaML that wrote the file.</summary>
    public string LibraryVersion { get; init; } = typeof(ModelMetadata).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>UTC time the file was written.</summary>
    public DateTimeOffset CreatedUtc { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>
    /// Median size and colour of the training cells, so that cells cut from whole fields are scaled (and optionally
    /// colour-normalised) to match; <c>null</c> in files written before it existed, which are treated as NIH-sized.
    /// </summary>
    [System.Text.Json.Serialization.JsonInclude]
    internal Preprocessing.CellAppearance? TrainingCells { get; init; }

    /// <summary>
    /// Stain normalisation every cell gets before the network sees it (reference Lab statistics of the training cells);
    /// null for models trained without it and in files written before it existed, whose cells are used as they are.
    /// </summary>
    [JsonInclude]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    internal Preprocessing.StainNormalization? StainNormalization { get; init; }

    /// <summary>
    /// Temperature scaling fitted on the validation part at the end of training; null in files written before it
    /// existed, which then load with temperature 1. An ensemble's applies over its members' averaged (already
    /// calibrated) probabilities; null until fitted on validation cells (<c>malaria ensemble --data --split</c>).
    /// </summary>
    [JsonInclude]
    internal Evaluation.Calibration.ModelCalibration? Calibration { get; init; }

    /// <summary>
    /// The per-patient decision rule fitted on the validation patients; null in files written before it existed, which
    /// then call a patient positive on one parasitized cell (<see cref="PatientCalls.PatientRule.AnyParasitizedCell"/>).
    /// </summary>
    [JsonInclude]
    internal PatientCalls.PatientRule? PatientRule { get; init; }

    /// <summary>SHA-256 (hex) of every other entry of the zip, so a tampered or damaged file is refused.</summary>
    public IReadOnlyDictionary<string, string> Checksums { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// SHA-256 (hex) of this metadata's canonical JSON without this property (see <see cref="ModelFile"/>), set when the
    /// file is written, so an edited threshold, class or checksum list is refused. Null in format-1 files, which predate it.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? MetadataChecksum { get; init; }
}

/// <summary>A split as recorded in model metadata.</summary>
/// <param name="Strategy"><c>patient</c> or <c>cell</c>.</param>
/// <param name="Seed">Seed of the split.</param>
/// <param name="Cells">Cells per part name.</param>
/// <param name="Patients">Patients per part name.</param>
internal sealed record SplitSummary(string Strategy, int Seed, IReadOnlyDictionary<string, int> Cells, IReadOnlyDictionary<string, int> Patients);

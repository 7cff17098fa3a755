namespace MalariaML.Training;

/// <summary>
/// Options of <see cref="ModelTrainer"/>: which model, and overrides of its defaults. A null override keeps the
/// model's default from <see cref="Models.ModelCatalog"/>.
/// </summary>
public sealed record ModelTrainingOptions
{
    /// <summary>Model name, e.g. <c>basic-cnn</c>. Default <c>basic-cnn</c>.</summary>
    public string Model { get; init; } = Models.ModelCatalog.BasicCnn;

    /// <summary>Square input size; null for the model's default (125 for the article's models).</summary>
    public int? ImageSize { get; init; }

    /// <summary>Most epochs; null for the default (25).</summary>
    public int? Epochs { get; init; }

    /// <summary>Batch size; null for the default (64).</summary>
    public int? BatchSize { get; init; }

    /// <summary>Learning rate; null for the model's default.</summary>
    public double? LearningRate { get; init; }

    /// <summary>Early-stopping patience; null for the default (5).</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Seed of everything random. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary><c>auto</c>, <c>cpu</c> or <c>cuda</c>. Default <c>auto</c>.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>User-supplied pretrained weights (VGG-19 models). Default null.</summary>
    public string? WeightsPath { get; init; }

    /// <summary>Checkpoint file written after every epoch; null for none.</summary>
    public string? CheckpointPath { get; init; }

    /// <summary>Resume from <see cref="CheckpointPath"/> when it exists.</summary>
    public bool Resume { get; init; }

    /// <summary>
    /// Colour, stain, blur and noise augmentation of training batches (networks trained end to end: basic-cnn and the
    /// fine-tuned models; models on cached frozen features cannot augment). Null for none. Default null.
    /// </summary>
    public Augmentation.ColorAugmentation? ColorAugmentation { get; init; }

    /// <summary>
    /// Reinhard stain normalisation of every cell towards the training cells' typical foreground Lab mean and standard
    /// deviation (measured on up to 1,000 training cells at the input size, stored in the model, applied to every cell
    /// the model sees from then on: validation, test, prediction, the server). Needs OpenCV's native library. Default false.
    /// </summary>
    public bool StainNormalization { get; init; }

    /// <summary>
    /// Learning-rate schedule of networks trained by the TorchSharp loop: <see cref="LearningRateSchedule.Plateau"/>
    /// (halve the rate after 2 epochs without a better validation loss) or <see cref="LearningRateSchedule.WarmupCosine"/>
    /// (a linear warm-up over the first <see cref="WarmupFraction"/> of the batches, then a cosine decay to the 1e-6
    /// floor at the last batch of the last epoch). Default <see cref="LearningRateSchedule.Plateau"/>.
    /// </summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Plateau;

    /// <summary>Share of all training batches the <see cref="LearningRateSchedule.WarmupCosine"/> schedule warms up over. Default 0.1.</summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Patient-level sensitivity the per-patient call rule is fitted for on the validation patients. Default 0.98.</summary>
    public double TargetPatientSensitivity { get; init; } = 0.98;

    /// <summary>
    /// Decoded pixels of training and validation cells kept in memory between epochs by networks trained end to end
    /// (the first cells, training cells first, up to this many bytes: 47 KB per cell at 125 px, 150 KB at 224 px); every
    /// other cell is decoded again from its file for each batch. Decoding every batch cost resnet18-finetune about a
    /// fifth of its training images/s on two cores (benchmarks/results/train-throughput.md); the budget caps what
    /// that speed costs in memory, so resident memory still does not grow with the number of cells. 0 keeps none.
    /// Default 256 MiB.
    /// </summary>
    public long DecodedCellBytes { get; init; } = 256L << 20;

    /// <summary>Folder for caches (e.g. frozen-network features); null for the default cache folder.</summary>
    public string? CacheDirectory { get; init; }
}

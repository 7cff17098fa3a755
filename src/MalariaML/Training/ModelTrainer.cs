using System.Diagnostics;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Splits;

namespace MalariaML.Training;

/// <summary>
/// The high level: train a catalogued model on a split, evaluate it on the held-out parts, and return a model ready to
/// save. Decoding, batching, the loop and the metadata are handled here; <see cref="Trainer"/> is the level below.
/// </summary>
public static class ModelTrainer
{
    /// <summary>Trains <see cref="ModelTrainingOptions.Model"/> on <paramref name="split"/>.</summary>
    /// <param name="split">Train, validation and test cells.</param>
    /// <param name="classNames">The two class names.</param>
    /// <param name="positiveClass">The positive class (default <c>Parasitized</c>).</param>
    /// <param name="options">Model and overrides.</param>
    /// <param name="decoding">Progress of image decoding.</param>
    /// <param name="training">Progress of training.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static TrainedModel Train(DataSplit split, IReadOnlyList<string> classNames, string positiveClass, ModelTrainingOptions options,
        IProgress<WorkProgress>? decoding = null, IProgress<TrainingProgress>? training = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(options);
        if (classNames.Count != 2 || !classNames.Contains(positiveClass))
        {
            throw new MalariaMLException($"expected two classes including '{positiveClass}', got {string.Join(", ", classNames)}");
        }

        var definition = ModelCatalog.Get(options.Model);
        var size = options.ImageSize ?? definition.ImageSize;
        var loop = definition.Training with
        {
            Epochs = options.Epochs ?? definition.Training.Epochs,
            BatchSize = options.BatchSize ?? definition.Training.BatchSize,
            LearningRate = options.LearningRate ?? definition.Training.LearningRate,
            EarlyStoppingPatience = options.EarlyStoppingPatience ?? definition.Training.EarlyStoppingPatience,
            Seed = options.Seed,
            Device = options.Device,
            CheckpointPath = options.CheckpointPath,
            Resume = options.Resume,
        };

        var loader = new CellImageLoader(ImageLoadOptions.Square(size));
        var parts = new Dictionary<SplitPart, DecodedCells>();
        foreach (var part in Enum.GetValues<SplitPart>())
        {
            parts[part] = loader.Decode(split[part], decoding, cancellationToken);
        }

        bool[] Labels(DecodedCells d) => d.Cells.Select(c => c.Label == positiveClass).ToArray();
        var trainSource = new ImageBatchSource(parts[SplitPart.Train].Images, Labels(parts[SplitPart.Train]), definition.Augmentation);
        var validationSource = new ImageBatchSource(parts[SplitPart.Validation].Images, Labels(parts[SplitPart.Validation]));

        Torch.Seed(options.Seed);
        var network = definition.Create(new ModelBuildOptions(size, options.WeightsPath));
        var clock = Stopwatch.StartNew();
        var result = Trainer.Train(network, trainSource, validationSource, loop, training, cancellationToken);
        var seconds = clock.Elapsed.TotalSeconds;

        var negative = classNames.First(c => c != positiveClass);
        var metadata = new ModelMetadata
        {
            ModelKind = definition.Name,
            InputWidth = size,
            InputHeight = size,
            Sampling = loader.Options.Sampling.ToString(),
            ClassNames = [negative, positiveClass],
            PositiveClass = positiveClass,
            Split = Summarise(split),
            BestEpoch = result.BestEpoch,
            EpochsRun = result.History.Epochs.Count,
            TrainingSeconds = seconds,
        };
        var model = new MalariaModel(network, metadata);
        var metrics = new Dictionary<string, BinaryMetrics>();
        foreach (var part in new[] { SplitPart.Validation, SplitPart.Test })
        {
            var decoded = parts[part];
            if (decoded.Images.Count == 0)
            {
                continue;
            }

            var probabilities = model.PredictProbabilities(decoded.Images);
            metrics[part.ToString().ToLowerInvariant()] = BinaryEvaluator.Evaluate(probabilities.Select(p => (double)p), Labels(decoded), metadata.Threshold);
        }

        model.UpdateMetadata(m => m with { Metrics = metrics });
        var skipped = parts.Values.SelectMany(p => p.Skipped).ToList();
        return new TrainedModel(model, result, metrics, skipped);
    }

    /// <summary>Cells and patients per part, for the model's metadata.</summary>
    public static SplitSummary Summarise(DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        var parts = Enum.GetValues<SplitPart>();
        return new SplitSummary(split.Strategy.ToString().ToLowerInvariant(), split.Seed,
            parts.ToDictionary(p => p.ToString().ToLowerInvariant(), p => split[p].Count),
            parts.ToDictionary(p => p.ToString().ToLowerInvariant(), p => split[p].Select(c => c.PatientKey).Distinct().Count()));
    }
}

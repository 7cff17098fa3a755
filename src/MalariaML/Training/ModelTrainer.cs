using System.Diagnostics;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Runtime;
using MalariaML.Splits;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>
/// The article's "train" step: train a catalogued model on a split's training part, choose its best epoch on the
/// validation part, and return a model ready to save. Each model family has its own trainer (<see cref="IFamilyTrainer"/>);
/// <see cref="Trainer"/> is the loop below them.
/// </summary>
public static class ModelTrainer
{

    // One trainer per model family; each is stateless.
    private static readonly IReadOnlyDictionary<ModelFamily, IFamilyTrainer> Families = new Dictionary<ModelFamily, IFamilyTrainer>
    {
        [ModelFamily.Network] = new NetworkTrainer(),
        [ModelFamily.FrozenFeatures] = new FeatureHeadTrainer(),
        [ModelFamily.MlNet] = new MlNetTrainer(),
    };

    /// <summary>
    /// Trains <see cref="ModelTrainingOptions.Model"/> on the split's training part and keeps the weights of the epoch
    /// with the lowest validation loss. The test part is not read: evaluate the returned model on it with
    /// <see cref="MalariaModel.Evaluate"/>, as the article does.
    /// </summary>
    /// <param name="split">Train and validation cells (a test part is ignored).</param>
    /// <param name="classNames">The two class names.</param>
    /// <param name="positiveClass">The positive class (default <c>Parasitized</c>).</param>
    /// <param name="options">Model and overrides.</param>
    /// <param name="work">Progress of decoding and feature extraction.</param>
    /// <param name="training">Progress of training.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    public static TrainedModel Train(DataSplit split, IReadOnlyList<string> classNames, string positiveClass, ModelTrainingOptions options,
        IProgress<WorkProgress>? work = null, IProgress<TrainingProgress>? training = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(split);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(options);
        if (classNames.Count != 2 || !classNames.Contains(positiveClass))
        {
            throw new MalariaMLException($"expected two classes including '{positiveClass}', got {string.Join(", ", classNames)}");
        }

        if (options.DecodedCellBytes < 0)
        {
            throw new MalariaMLException($"the memory kept for decoded cells (DecodedCellBytes, --keep-decoded-mb) must be 0 or more, got {options.DecodedCellBytes} bytes");
        }

        var definition = ModelCatalog.Get(options.Model);
        if (definition.RequiresWeightsFile && (options.WeightsPath is null || !File.Exists(options.WeightsPath)))
        {
            // Checked before decoding thousands of images, so a missing file fails in a second, not in minutes.
            throw new MalariaMLException(options.WeightsPath is null ? Vgg19Classifier.MissingWeightsMessage : $"{options.WeightsPath}: weights file not found");
        }

        var size = options.ImageSize ?? definition.ImageSize;
        var clock = Stopwatch.StartNew();
        var stain = options.StainNormalization ? MeasureStain(split[SplitPart.Train], size, options.Seed, cancellationToken) : null;
        var request = new FamilyTrainingRequest(definition, new CellImageLoader(ImageLoadOptions.Square(size) with { Normalization = stain }),
            split[SplitPart.Train], split[SplitPart.Validation], c => c.Label == positiveClass, options, LoopOptions(definition, options),
            work, training, cancellationToken);
        var outcome = Families[definition.Family].Train(request);

        var metadata = new ModelMetadata
        {
            ModelKind = definition.Name,
            InputWidth = size,
            InputHeight = size,
            Sampling = request.Loader.Options.Sampling.ToString(),
            ClassNames = [classNames.First(c => c != positiveClass), positiveClass],
            PositiveClass = positiveClass,
            Split = Summarise(split),
            BestEpoch = outcome.Run.BestEpoch,
            EpochsRun = outcome.Run.History.Epochs.Count,
            History = outcome.Run.History.Epochs,
            TrainingSeconds = clock.Elapsed.TotalSeconds + outcome.Run.ResumedSeconds,
            TrainingCells = CellAppearance.Measure(split[SplitPart.Train].Select(c => c.Path).ToList(), seed: options.Seed),
            StainNormalization = stain,
        };
        BinaryMetrics? validation = null;
        if (outcome.ValidationCells.Count > 0)
        {
            var (calibration, rule) = ValidationFitting.Fit(outcome.ValidationProbabilities, outcome.ValidationCells, positiveClass,
                metadata.Threshold, options.TargetPatientSensitivity);
            // Calibrated, as the saved model will predict them (the calls at the threshold do not change).
            // The float path MalariaModel.PredictProbabilities takes, so that stored and fresh metrics agree to the bit.
            var calibrated = Evaluation.Calibration.TemperatureScaling.Apply(outcome.ValidationProbabilities, calibration?.Temperature ?? 1);
            validation = BinaryEvaluator.Evaluate(calibrated.Select(x => (double)x), request.Labels(outcome.ValidationCells), metadata.Threshold);
            metadata = metadata with
            {
                Calibration = calibration,
                PatientRule = rule,
                Metrics = new Dictionary<string, BinaryMetrics> { [ValidationPart] = validation },
            };
        }

        return new TrainedModel(new MalariaModel(outcome.Scorer, metadata), outcome.Run.History, outcome.Run.BestEpoch,
            outcome.Run.StoppedEarly, outcome.Run.ResumedEpochs, validation, outcome.Skipped);
    }

    /// <summary>
    /// The stain reference, measured on a seeded sample of the training cells decoded at the input size (the size it is
    /// applied at); validation cells are not looked at, so the validation part stays an honest stand-in for new slides.
    /// </summary>
    private static StainNormalization MeasureStain(IReadOnlyList<CellImage> train, int size, int seed, CancellationToken cancellationToken)
    {
        var order = train.ToArray();
        new Random(seed).Shuffle(order);
        var sample = order.Take(StainNormalization.DefaultSampleSize).ToList();
        var decoded = new CellImageLoader(ImageLoadOptions.Square(size)).Decode(sample, null, cancellationToken);
        return StainNormalization.Measure(decoded.Images);
    }

    /// <summary>Key of the validation metrics in <see cref="ModelMetadata.Metrics"/>.</summary>
    internal const string ValidationPart = "validation";

    private static TrainingOptions LoopOptions(ModelDefinition definition, ModelTrainingOptions options)
    {
        var defaults = TrainingDefaults.For(definition.Name).Loop;
        return defaults with
        {
            Epochs = options.Epochs ?? defaults.Epochs,
            BatchSize = options.BatchSize ?? defaults.BatchSize,
            LearningRate = options.LearningRate ?? defaults.LearningRate,
            EarlyStoppingPatience = options.EarlyStoppingPatience ?? defaults.EarlyStoppingPatience,
            Seed = options.Seed,
            Device = options.Device,
            CheckpointPath = options.CheckpointPath,
            Resume = options.Resume,
            Schedule = options.Schedule,
            WarmupFraction = options.WarmupFraction,
        };
    }

    /// <summary>Cells and patients per part, for the model's metadata.</summary>
    internal static SplitSummary Summarise(DataSplit split)
    {
        ArgumentNullException.ThrowIfNull(split);
        var parts = Enum.GetValues<SplitPart>();
        return new SplitSummary(split.Strategy.ToString().ToLowerInvariant(), split.Seed,
            parts.ToDictionary(p => p.ToString().ToLowerInvariant(), p => split[p].Count),
            parts.ToDictionary(p => p.ToString().ToLowerInvariant(), p => split[p].Select(c => c.PatientKey).Distinct().Count()));
    }
}

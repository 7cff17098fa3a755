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
/// The high level: train a catalogued model on a split, evaluate it on the held-out parts, and return a model ready to
/// save. Decoding, feature caching, batching, the loop and the metadata are handled here; <see cref="Trainer"/> is the
/// level below.
/// </summary>
public static class ModelTrainer
{
    /// <summary>
    /// Identifies the shipped ResNet18 weights, and the forward pass computing features from them, in feature-cache file
    /// names. <c>-p2</c>: features cached before stage 4's projection ran in NCHW (see <see cref="Models.ResNetBasicBlock"/>)
    /// hold libtorch's wrong channels-last values and must not be reused.
    /// </summary>
    public const string ResNet18ExtractorId = "resnet18-onnx-0.23.1-p2";

    /// <summary>Trains <see cref="ModelTrainingOptions.Model"/> on <paramref name="split"/>.</summary>
    /// <param name="split">Train, validation and test cells.</param>
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

        var definition = ModelCatalog.Get(options.Model);
        if (definition.RequiresWeightsFile && (options.WeightsPath is null || !File.Exists(options.WeightsPath)))
        {
            // Checked before decoding thousands of images, so a missing file fails in a second, not in minutes.
            throw new MalariaMLException(options.WeightsPath is null ? Vgg19Classifier.MissingWeightsMessage : $"{options.WeightsPath}: weights file not found");
        }

        var size = options.ImageSize ?? definition.ImageSize;
        var loader = new CellImageLoader(ImageLoadOptions.Square(size));
        var clock = Stopwatch.StartNew();
        // Feature-based models decode a chunk at a time and keep only features: at 224 px the pixels of every cell
        // would take 150 KB each. Networks trained end to end check every file once up front (bad ones are skipped and
        // reported) and then decode each batch from the files again, on the batch-preparation thread: memory then
        // does not grow with the number of cells, and decoding is deterministic, so results are the same as with the
        // pixels kept.
        var parts = definition.Family == ModelFamily.Network
            ? Enum.GetValues<SplitPart>().ToDictionary(p => p, p => loader.DecodeOnRead(split[p], work, cancellationToken))
            : null;
        bool[] Labels(IReadOnlyList<CellImage> cells) => cells.Select(c => c.Label == positiveClass).ToArray();
        if (parts is not null && parts[SplitPart.Train].Images.Count == 0)
        {
            throw new MalariaMLException("the training part has no usable images");
        }

        var (scorer, result, probabilities, usable) = definition.Family switch
        {
            ModelFamily.Network => TrainNetwork(definition, size, parts!, Labels, options, training, cancellationToken),
            ModelFamily.FrozenFeatures => TrainOnFeatures(definition, size, loader, split, Labels, options, work, training, cancellationToken),
            ModelFamily.MlNet => TrainMlNet(loader, split, Labels, options, work, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(options), definition.Family, null),
        };
        var seconds = clock.Elapsed.TotalSeconds + result.ResumedSeconds;

        var metadata = new ModelMetadata
        {
            ModelKind = definition.Name,
            InputWidth = size,
            InputHeight = size,
            Sampling = loader.Options.Sampling.ToString(),
            ClassNames = [classNames.First(c => c != positiveClass), positiveClass],
            PositiveClass = positiveClass,
            Split = Summarise(split),
            BestEpoch = result.BestEpoch,
            EpochsRun = result.History.Epochs.Count,
            History = result.History.Epochs,
            TrainingSeconds = seconds,
            TrainingCells = CellAppearance.Measure(split[SplitPart.Train].Select(c => c.Path).ToList(), seed: options.Seed),
        };
        var held = new[] { SplitPart.Validation, SplitPart.Test }.Where(p => usable[p].Cells.Count > 0).ToDictionary(p => p, probabilities);
        var (calibration, rule) = held.TryGetValue(SplitPart.Validation, out var validation)
            ? ValidationFitting.Fit(validation, usable[SplitPart.Validation].Cells, positiveClass, metadata.Threshold, options.TargetPatientSensitivity)
            : (null, null);
        metadata = metadata with { Calibration = calibration, PatientRule = rule };
        var metrics = new Dictionary<string, BinaryMetrics>();
        foreach (var (part, p) in held)
        {
            // Calibrated, as the saved model will predict them (the calls at the threshold do not change).
            var calibrated = p.Select(x => Evaluation.Calibration.TemperatureScaling.Apply(x, calibration?.Temperature ?? 1));
            metrics[part.ToString().ToLowerInvariant()] = BinaryEvaluator.Evaluate(calibrated, Labels(usable[part].Cells), metadata.Threshold);
        }

        var model = new MalariaModel(scorer, metadata with { Metrics = metrics });
        return new TrainedModel(model, result, metrics, usable.Values.SelectMany(p => p.Skipped).ToList());
    }

    private static TrainingOptions LoopOptions(ModelDefinition definition, ModelTrainingOptions options) => definition.Training with
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

    private static (ICellScorer, TrainingResult, Func<SplitPart, float[]>, IReadOnlyDictionary<SplitPart, DecodedCells>) TrainNetwork(ModelDefinition definition, int size,
        Dictionary<SplitPart, DecodedCells> parts, Func<IReadOnlyList<CellImage>, bool[]> labels, ModelTrainingOptions options,
        IProgress<TrainingProgress>? training, CancellationToken cancellationToken)
    {
        var loop = LoopOptions(definition, options);
        var network = Torch.Seeded(options.Seed, () => definition.CreateNetwork!(new ModelBuildOptions(size, options.WeightsPath)));
        var result = Trainer.Train(network,
            new ImageBatchSource(parts[SplitPart.Train].Images, labels(parts[SplitPart.Train].Cells), definition.Augmentation, options.ColorAugmentation),
            new ImageBatchSource(parts[SplitPart.Validation].Images, labels(parts[SplitPart.Validation].Cells)),
            loop, training, cancellationToken);
        var scorer = new TorchCellScorer(network, ComputeDevice.Resolve(options.Device), loop.BatchSize);
        return (scorer, result, part => scorer.Score(parts[part].Images), parts);
    }

    private static (ICellScorer, TrainingResult, Func<SplitPart, float[]>, IReadOnlyDictionary<SplitPart, DecodedCells>) TrainOnFeatures(ModelDefinition definition, int size,
        CellImageLoader loader, DataSplit split, Func<IReadOnlyList<CellImage>, bool[]> labels, ModelTrainingOptions options,
        IProgress<WorkProgress>? work, IProgress<TrainingProgress>? training, CancellationToken cancellationToken)
    {
        var loop = LoopOptions(definition, options);
        var module = Torch.Seeded(options.Seed, () => definition.CreateNetwork!(new ModelBuildOptions(size, options.WeightsPath)));
        if (module is not IFeatureClassifier network)
        {
            module.Dispose();
            throw new InvalidOperationException($"{definition.Name} is a {nameof(ModelFamily.FrozenFeatures)} model but its network is no {nameof(IFeatureClassifier)}");
        }

        var device = ComputeDevice.Resolve(options.Device);
        module.to(device);
        module.eval();
        var width = network.FeatureCount;
        var cache = new FeatureCache(options.CacheDirectory ?? Path.Combine(CacheFolder.Root(), "features"), $"{network.FeatureExtractorId}-{size}", width);
        float[][] Extract(IReadOnlyList<RgbImage> batch)
        {
            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            var input = CellImageLoader.ToTensor(batch, device, channelsLast: true);
            var features = network.Features(input).to(CPU).contiguous();
            var flat = features.data<float>().ToArray();
            return Enumerable.Range(0, batch.Count).Select(i => flat.AsSpan(i * width, width).ToArray()).ToArray();
        }

        var parts = new Dictionary<SplitPart, DecodedCells>();
        var features = new Dictionary<SplitPart, IReadOnlyList<float[]>>();
        var total = Enum.GetValues<SplitPart>().Sum(p => split[p].Count);
        var done = 0;
        foreach (var part in Enum.GetValues<SplitPart>())
        {
            var cells = new List<CellImage>();
            var skipped = new List<SkippedFile>();
            var vectors = new List<float[]>();
            for (var start = 0; start < split[part].Count; start += FeatureChunk)
            {
                var decoded = loader.Decode(split[part].Skip(start).Take(FeatureChunk).ToList(), null, cancellationToken);
                vectors.AddRange(cache.GetOrCompute(decoded.Images, Extract, 32, null, cancellationToken));
                cells.AddRange(decoded.Cells);
                skipped.AddRange(decoded.Skipped);
                done += decoded.Cells.Count + decoded.Skipped.Count;
                work?.Report(new WorkProgress("decoding and extracting features", done, total));
            }

            parts[part] = new DecodedCells(cells, [], skipped, size, size);
            features[part] = vectors;
        }

        if (features[SplitPart.Train].Count == 0)
        {
            module.Dispose();
            throw new MalariaMLException("the training part has no usable images");
        }

        var result = Trainer.Train(network.Head,
            new FeatureBatchSource(features[SplitPart.Train], labels(parts[SplitPart.Train].Cells)),
            new FeatureBatchSource(features[SplitPart.Validation], labels(parts[SplitPart.Validation].Cells)),
            loop, training, cancellationToken);
        float[] Probabilities(SplitPart part)
        {
            if (features[part].Count == 0)
            {
                return [];
            }

            network.Head.eval();
            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            var source = new FeatureBatchSource(features[part], labels(parts[part].Cells));
            var all = Enumerable.Range(0, source.Count).ToArray();
            return network.Head.call(source.Inputs(all, null, device)).sigmoid().to(CPU).data<float>().ToArray();
        }

        return (new TorchCellScorer(module, device, loop.BatchSize), result, Probabilities, parts);
    }

    private static (ICellScorer, TrainingResult, Func<SplitPart, float[]>, IReadOnlyDictionary<SplitPart, DecodedCells>) TrainMlNet(CellImageLoader loader,
        DataSplit split, Func<IReadOnlyList<CellImage>, bool[]> labels, ModelTrainingOptions options, IProgress<WorkProgress>? work, CancellationToken cancellationToken)
    {
        var usable = Enum.GetValues<SplitPart>().ToDictionary(p => p, _ => (Cells: new List<CellImage>(), Skipped: new List<SkippedFile>()));
        IEnumerable<DecodedCells> Chunks(SplitPart part)
        {
            for (var start = 0; start < split[part].Count; start += FeatureChunk)
            {
                var decoded = loader.Decode(split[part].Skip(start).Take(FeatureChunk).ToList(), null, cancellationToken);
                usable[part].Cells.AddRange(decoded.Cells);
                usable[part].Skipped.AddRange(decoded.Skipped);
                yield return decoded;
            }
        }

        var total = Enum.GetValues<SplitPart>().Sum(p => split[p].Count);
        var trainChunks = Chunks(SplitPart.Train).Select(d => ((IReadOnlyList<RgbImage>)d.Images, (IReadOnlyList<bool>)labels(d.Cells)));
        MlNetResNetScorer scorer;
        try
        {
            scorer = MlNetResNetScorer.Train(trainChunks, split[SplitPart.Train].Count, options.Seed,
                work is null ? null : new ScaledProgress(work, 0, total), cancellationToken);
        }
        catch (ArgumentException) when (usable[SplitPart.Train].Cells.Count == 0)
        {
            throw new MalariaMLException("the training part has no usable images");
        }

        // Held-out parts are scored as they are decoded, so their pixels are never all in memory either.
        var probabilities = new Dictionary<SplitPart, float[]> { [SplitPart.Train] = [] };
        var done = split[SplitPart.Train].Count;
        foreach (var part in new[] { SplitPart.Validation, SplitPart.Test })
        {
            var scores = new List<float>();
            foreach (var decoded in Chunks(part))
            {
                scores.AddRange(scorer.Score(decoded.Images));
                done += decoded.Cells.Count + decoded.Skipped.Count;
                work?.Report(new WorkProgress("scoring held-out cells", done, total));
            }

            probabilities[part] = scores.ToArray();
        }

        var result = new TrainingResult(TrainingHistory.Empty, 1, false);
        var parts = usable.ToDictionary(p => p.Key, p => new DecodedCells(p.Value.Cells, [], p.Value.Skipped, loader.Options.Width, loader.Options.Height));
        return (scorer, result, part => probabilities[part], parts);
    }

    // Cells decoded at a time by the feature-based models: bounds the pixels in memory (512 cells at 224 px = 77 MB).
    private const int FeatureChunk = 512;

    // Maps a sub-task's progress onto the whole job's, so one bar covers decoding, featurizing and scoring.
    private sealed class ScaledProgress(IProgress<WorkProgress> inner, int offset, int total) : IProgress<WorkProgress>
    {
        public void Report(WorkProgress value) => inner.Report(value with { Done = offset + value.Done, Total = total });
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

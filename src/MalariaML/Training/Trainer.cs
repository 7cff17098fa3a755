using TorchSharp.Modules;
using System.Diagnostics;
using MalariaML.Evaluation;
using MalariaML.Models;
using MalariaML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>
/// The one training loop every TorchSharp model uses: shuffled mini-batches with binary cross-entropy on logits,
/// validation after every epoch, reduce-on-plateau (or per-batch warm-up and cosine) learning rate, early stopping, a checkpoint after every epoch,
/// and the best epoch's weights restored at the end.
/// </summary>
/// <remarks>
/// Randomness (shuffle order, augmentation, dropout) is derived from <see cref="TrainingOptions.Seed"/> and the epoch
/// number at the start of each epoch, so a run resumed from a checkpoint continues exactly as if never stopped.
/// </remarks>
internal static class Trainer
{
    /// <summary>Trains <paramref name="model"/> on <paramref name="train"/>, choosing the best epoch on <paramref name="validation"/>.</summary>
    /// <param name="model">Network mapping a batch of inputs to (N) logits; its trainable parameters are optimised.</param>
    /// <param name="train">Training examples (augmented when the source is configured to).</param>
    /// <param name="validation">Validation examples; may be empty, then training loss stands in.</param>
    /// <param name="options">Loop settings.</param>
    /// <param name="progress">Receives per-batch and per-epoch progress.</param>
    /// <param name="cancellationToken">Stops between batches; the last completed epoch's checkpoint remains.</param>
    public static TrainingResult Train(nn.Module<Tensor, Tensor> model, IBatchSource train, IBatchSource validation,
        TrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(options);
        if (train.Count == 0)
        {
            throw new MalariaMLException("no training examples");
        }

        TorchRuntime.EnsureInitialized();
        var device = ComputeDevice.Resolve(options.Device);
        model.to(device);
        var parameters = model.parameters().Where(p => p.requires_grad).ToList();
        using var optimizer = OptimizerFactory.Create(options.Optimizer, parameters, options.LearningRate);

        var state = Start(model, optimizer, options);
        var batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var cosine = options.Schedule == LearningRateSchedule.WarmupCosine
            ? WarmupCosineSchedule.For(options.LearningRate, options.MinLearningRate, options.Epochs, batchesPerEpoch, options.WarmupFraction)
            : null;
        var resumedEpochs = state.History.Epochs.Count;
        var stoppedEarly = false;
        for (var epoch = state.NextEpoch; epoch < options.Epochs; epoch++)
        {
            if (options.EarlyStoppingPatience > 0 && state.EpochsWithoutImprovement >= options.EarlyStoppingPatience)
            {
                stoppedEarly = true;
                break;
            }

            SetLearningRate(optimizer, state.Schedule.LearningRate);
            var clock = Stopwatch.StartNew();
            var (loss, accuracy) = Torch.Seeded(Torch.EpochSeed(options.Seed, epoch),
                () => RunTrainingEpoch(model, optimizer, train, options, epoch, cosine, device, progress, cancellationToken));
            var (valLoss, valAccuracy) = validation.Count > 0 ? Evaluate(model, validation, options.BatchSize, device) : (loss, accuracy);
            // The rate recorded is the optimizer's own, so the history shows what was applied, not what was meant.
            var record = new EpochRecord(epoch + 1, loss, accuracy, valLoss, valAccuracy, optimizer.ParamGroups.First().LearningRate, clock.Elapsed.TotalSeconds);

            var improved = valLoss < state.BestLoss;
            state = state with
            {
                NextEpoch = epoch + 1,
                History = state.History.Add(record),
                Schedule = state.Schedule.Step(valLoss, options.PlateauFactor, options.PlateauPatience, options.MinLearningRate),
                BestEpoch = improved ? epoch + 1 : state.BestEpoch,
                BestLoss = improved ? valLoss : state.BestLoss,
                EpochsWithoutImprovement = improved ? 0 : state.EpochsWithoutImprovement + 1,
                // The snapshots overwrite the previous epoch's arrays, which nothing else holds (see ModuleState.Write).
                Weights = ModuleState.Save(model, state.Weights),
                OptimizerState = ModuleState.Save(optimizer, state.OptimizerState),
            };
            if (improved)
            {
                state = state with { BestWeights = ModuleState.Copy(state.Weights, state.BestWeights) };
            }

            if (options.CheckpointPath is { } path)
            {
                state.Save(path);
            }

            // Hands the C heap's freed pages back once per epoch, so resident memory stays flat across epochs (see NativeHeap).
            NativeHeap.Trim();
            progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, 0, 0, loss, accuracy, 0, TimeSpan.Zero, record));
        }

        if (state.BestWeights.Length > 0)
        {
            ModuleState.Load(model, state.BestWeights, "best epoch");
        }

        return new TrainingResult(state.History, state.BestEpoch, stoppedEarly, resumedEpochs);
    }

    /// <summary>Mean binary cross-entropy and accuracy (threshold 0.5) of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, IBatchSource data, int batchSize, Device device)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        var correct = 0;
        var indices = Enumerable.Range(0, data.Count).ToArray();
        for (var start = 0; start < indices.Length; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var batch = indices.AsSpan(start, Math.Min(batchSize, indices.Length - start));
            var (x, y) = (data.Inputs(batch, null, device), Labels(data, batch, device));
            var logits = model.call(x);
            lossSum += nn.functional.binary_cross_entropy_with_logits(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += CountCorrect(logits, y);
        }

        return (lossSum / data.Count, (double)correct / data.Count);
    }

    private static (double Loss, double Accuracy) RunTrainingEpoch(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer,
        IBatchSource train, TrainingOptions options, int epoch, WarmupCosineSchedule? cosine, Device device, IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        var random = new Random(Torch.EpochSeed(options.Seed, epoch));
        var order = Enumerable.Range(0, train.Count).ToArray();
        random.Shuffle(order);

        model.train();
        var batches = (order.Length + options.BatchSize - 1) / options.BatchSize;
        double lossSum = 0;
        var correct = 0;
        var seen = 0;
        var clock = Stopwatch.StartNew();
        Tensor Prepare(int b) => train.Inputs(order.AsSpan(b * options.BatchSize, Math.Min(options.BatchSize, order.Length - b * options.BatchSize)), random, device);

        // The next batch is prepared on the thread pool while this one trains, one batch ahead and in order, so the
        // augmentation draws the same random numbers as without prefetching. Tensors made there belong to no dispose
        // scope, so each is disposed here.
        Task<Tensor>? next = options.PrefetchBatches && batches > 0 ? Task.Run(() => Prepare(0)) : null;
        try
        {
            for (var b = 0; b < batches; b++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Tensor prepared;
                if (next is null)
                {
                    prepared = Prepare(b);
                }
                else
                {
                    prepared = next.GetAwaiter().GetResult();
                    var following = b + 1;
                    next = following < batches ? Task.Run(() => Prepare(following)) : null;
                }

                using var x = prepared;
                using var scope = NewDisposeScope();
                var batch = order.AsSpan(b * options.BatchSize, Math.Min(options.BatchSize, order.Length - b * options.BatchSize));
                var y = Labels(train, batch, device);
                if (cosine is not null)
                {
                    SetLearningRate(optimizer, cosine.Rate(epoch * batches + b));
                }

                optimizer.zero_grad();
                var logits = model.call(x);
                var loss = nn.functional.binary_cross_entropy_with_logits(logits, y);
                loss.backward();
                optimizer.step();

                lossSum += loss.item<float>() * batch.Length;
                correct += CountCorrect(logits, y);
                seen += batch.Length;
                if (progress is not null)
                {
                    var rate = seen / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    progress.Report(new TrainingProgress(epoch + 1, options.Epochs, b + 1, batches, lossSum / seen, (double)correct / seen,
                        rate, TimeSpan.FromSeconds((order.Length - seen) / rate), null));
                }
            }
        }
        finally
        {
            // Cancelled or failed mid-epoch: the batch prepared ahead is never used.
            next?.ContinueWith(t => t.Result.Dispose(), CancellationToken.None, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        }

        return (lossSum / seen, (double)correct / seen);
    }

    // Scalars held by 'using' rather than converted implicitly: see CellImageLoader.ToTensor for why.
    private static int CountCorrect(Tensor logits, Tensor labels)
    {
        using Scalar zero = 0f, half = 0.5f;
        using var predicted = logits.gt(zero);
        using var truth = labels.gt(half);
        using var hits = predicted.eq(truth);
        using var count = hits.sum();
        return (int)count.item<long>();
    }

    private static TrainingCheckpoint Start(nn.Module<Tensor, Tensor> model, OptimizerHelper optimizer, TrainingOptions options)
    {
        if (options.Resume && options.CheckpointPath is { } path && File.Exists(path))
        {
            var checkpoint = TrainingCheckpoint.Load(path);
            if (checkpoint.Seed != options.Seed)
            {
                throw new MalariaMLException($"{path}: checkpoint was trained with seed {checkpoint.Seed}, not {options.Seed}; resume with the same seed");
            }

            ModuleState.Load(model, checkpoint.Weights, path);
            ModuleState.Load(optimizer, checkpoint.OptimizerState, path);
            return checkpoint;
        }

        return new TrainingCheckpoint(0, TrainingHistory.Empty, PlateauSchedule.Start(options.LearningRate), 0,
            double.PositiveInfinity, 0, options.Seed, [], [], []);
    }

    private static Tensor Labels(IBatchSource source, ReadOnlySpan<int> batch, Device device)
    {
        var labels = new float[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            labels[i] = source.IsPositive(batch[i]) ? 1f : 0f;
        }

        var t = tensor(labels);
        return device.type == DeviceType.CPU ? t : t.to(device);
    }

    private static void SetLearningRate(OptimizerHelper optimizer, double learningRate)
    {
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }
    }
}

using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Training;
using static TorchSharp.torch;

namespace MalariaML.Tests.Training;

/// <summary>
/// What the loop decides between epochs, checked on what the network computes: the weights it keeps, when it stops,
/// and the learning rate the optimizer really uses.
/// </summary>
[Collection("torch")]
public class EpochChoiceTests
{
    // A high rate on 32-pixel cells makes the validation loss bounce, so the best epoch is not the last one.
    private static readonly TrainingOptions Bouncy = new()
    {
        Epochs = 6, BatchSize = 16, LearningRate = 0.01, Seed = 3, Device = "cpu", EarlyStoppingPatience = 0, PlateauPatience = 100,
    };

    private static (ImageBatchSource Train, ImageBatchSource Validation) Sources()
    {
        var loader = new CellImageLoader(ImageLoadOptions.Square(32));
        var train = loader.Decode(TinyTraining.Split.Train);
        var validation = loader.Decode(TinyTraining.Split.Validation);
        return (new ImageBatchSource(train.Images, train.Cells.Select(c => c.Label == "Parasitized").ToList()),
            new ImageBatchSource(validation.Images, validation.Cells.Select(c => c.Label == "Parasitized").ToList()));
    }

    [Fact]
    public void The_returned_network_computes_the_best_epochs_validation_loss_not_the_last_ones()
    {
        var (train, validation) = Sources();
        MalariaML.Runtime.TorchRuntime.EnsureInitialized(); // the native-library fix must run before TorchSharp loads
        manual_seed(3);
        using var network = new BasicCnn(32);
        var result = Trainer.Train(network, train, validation, Bouncy);
        var history = result.History.Epochs;
        Assert.True(result.BestEpoch < history.Count, $"the best epoch is the last ({result.BestEpoch}); the test needs a worse last epoch");
        var best = history[result.BestEpoch - 1].ValidationLoss;
        Assert.True(history[^1].ValidationLoss > best + 1e-3, $"last epoch {history[^1].ValidationLoss} vs best {best}");

        // The network's own outputs now give the best epoch's validation loss: its weights are the best epoch's.
        var (loss, _) = Trainer.Evaluate(network, validation, 16, CPU);
        Assert.Equal(best, loss, 5);
    }

    [Fact]
    public void Early_stopping_stops_after_patience_epochs_without_improvement_and_says_so()
    {
        var (train, validation) = Sources();
        MalariaML.Runtime.TorchRuntime.EnsureInitialized(); // the native-library fix must run before TorchSharp loads
        manual_seed(3);
        using var network = new BasicCnn(32);
        const int patience = 2;
        var result = Trainer.Train(network, train, validation, Bouncy with { Epochs = 30, EarlyStoppingPatience = patience });
        var history = result.History.Epochs;
        Assert.True(result.StoppedEarly, $"ran all {history.Count} epochs");
        Assert.Equal(result.BestEpoch + patience, history.Count);
        Assert.All(history.Skip(result.BestEpoch), e => Assert.True(e.ValidationLoss >= history[result.BestEpoch - 1].ValidationLoss));
        Assert.True(history.Count < 30);
    }

    [Fact]
    public void The_plateau_schedules_rate_reaches_the_optimizer()
    {
        var (train, validation) = Sources();
        MalariaML.Runtime.TorchRuntime.EnsureInitialized(); // the native-library fix must run before TorchSharp loads
        manual_seed(3);
        using var network = new BasicCnn(32);
        var options = Bouncy with { Epochs = 8, PlateauPatience = 0, PlateauFactor = 0.5 };
        var history = Trainer.Train(network, train, validation, options).History.Epochs;

        // Each record holds the rate read back from the optimizer's parameter group; it must be the one the schedule
        // chose from the validation losses before it.
        var schedule = PlateauSchedule.Start(options.LearningRate);
        foreach (var epoch in history)
        {
            Assert.Equal(schedule.LearningRate, epoch.LearningRate, 12);
            schedule = schedule.Step(epoch.ValidationLoss, options.PlateauFactor, options.PlateauPatience, options.MinLearningRate);
        }

        Assert.True(history.Select(e => e.LearningRate).Distinct().Count() > 1, "the schedule never lowered the rate");
    }

    [Fact]
    public void The_warmup_cosine_schedules_rate_reaches_the_optimizer_every_epoch()
    {
        var (train, validation) = Sources();
        MalariaML.Runtime.TorchRuntime.EnsureInitialized(); // the native-library fix must run before TorchSharp loads
        manual_seed(3);
        using var network = new BasicCnn(32);
        var options = Bouncy with { Epochs = 6, Schedule = LearningRateSchedule.WarmupCosine, WarmupFraction = 0.25 };
        var history = Trainer.Train(network, train, validation, options).History.Epochs;

        // Each record holds the optimizer's rate after the epoch's last batch: the schedule's rate at that step.
        var batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        var schedule = WarmupCosineSchedule.For(options.LearningRate, options.MinLearningRate, options.Epochs, batches, options.WarmupFraction);
        Assert.Equal(options.Epochs, history.Count);
        foreach (var epoch in history)
        {
            Assert.Equal(schedule.Rate(epoch.Epoch * batches - 1), epoch.LearningRate, 12);
        }

        // Warming up after epoch 1 (a quarter of the steps is more than one epoch), decaying after, at the floor at the end.
        Assert.True(history[0].LearningRate < 0.9 * options.LearningRate, $"epoch 1 at {history[0].LearningRate}");
        Assert.True(history[1].LearningRate > history[0].LearningRate);
        Assert.True(history.Skip(2).Zip(history.Skip(1), (now, before) => now.LearningRate < before.LearningRate).All(x => x));
        Assert.Equal(options.MinLearningRate, history[^1].LearningRate, 12);
    }

    [Fact]
    public void The_warmup_cosine_schedule_rises_linearly_peaks_and_ends_at_the_floor()
    {
        var s = WarmupCosineSchedule.For(1e-3, 1e-6, epochs: 4, batchesPerEpoch: 25, warmupFraction: 0.1);
        Assert.Equal(100, s.TotalSteps);
        Assert.Equal(10, s.WarmupSteps);
        Assert.Equal(1e-4, s.Rate(0), 15);
        Assert.Equal(5e-4, s.Rate(4), 15);
        Assert.Equal(1e-3, s.Rate(9), 15);
        Assert.Equal(1e-3, s.Rate(10), 15);
        // Half-way through the decay (step 54 of the 89 decay steps 10-99), half-way down.
        Assert.InRange(s.Rate(54) / ((1e-3 + 1e-6) / 2), 0.97, 1.03);
        Assert.Equal(1e-6, s.Rate(99), 15);
        var decay = Enumerable.Range(10, 90).Select(s.Rate).ToList();
        Assert.True(decay.Zip(decay.Skip(1), (a, b) => b < a).All(x => x));
        Assert.Throws<ArgumentOutOfRangeException>(() => WarmupCosineSchedule.For(1e-3, 1e-6, 4, 25, 1.0));
    }
}

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
}

using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Training;

namespace MalariaML.Tests.Training;

[Collection("torch")]
public class TrainingLoopTests
{
    [Fact]
    public void Same_seed_same_data_gives_the_same_history_and_metrics_to_the_last_digit()
    {
        var first = TinyTraining.Train(TinyTraining.Options());
        var second = TinyTraining.Train(TinyTraining.Options());
        Assert.Equal(first.History.ToCsv().Split('\n').Select(StripSeconds), second.History.ToCsv().Split('\n').Select(StripSeconds));
        Assert.Equal(first.Validation, second.Validation);
        first.Model.Dispose();
        second.Model.Dispose();
    }

    [Fact]
    public void Preparing_the_next_batch_ahead_changes_nothing_even_with_augmentation()
    {
        // The augmentation draws from one Random in batch order; prefetching must keep that order exactly.
        var decoded = new MalariaML.Preprocessing.CellImageLoader(ImageLoadOptions.Square(32)).Decode(TestData.SampleCells(20));
        var labels = decoded.Cells.Select(c => c.Label == "Parasitized").ToArray();
        IReadOnlyList<EpochRecord> Run(bool prefetch)
        {
            TorchSharp.torch.manual_seed(5);
            using var network = new MalariaML.Models.BasicCnn(32);
            var options = new TrainingOptions { Epochs = 2, BatchSize = 8, Seed = 5, Device = "cpu", EarlyStoppingPatience = 0, PrefetchBatches = prefetch };
            var result = Trainer.Train(network, new ImageBatchSource(decoded.Images, labels, ImageAugmentation.Article),
                new ImageBatchSource(decoded.Images, labels), options);
            return result.History.Epochs.Select(e => e with { Seconds = 0 }).ToList();
        }

        var ahead = Run(prefetch: true);
        Assert.Equal(Run(prefetch: false), ahead);
        Assert.Equal(2, ahead.Count);
    }

    [Fact]
    public void A_run_stopped_mid_epoch_resumes_from_its_checkpoint_and_ends_as_an_uninterrupted_run()
    {
        using var temp = TestData.NewTempFolder();
        var checkpoint = Path.Combine(temp.Path, "run.checkpoint");
        var uninterrupted = TinyTraining.Train(TinyTraining.Options(epochs: 3));

        // Cancel in the middle of the second epoch, as Ctrl+C would.
        using var cancel = new CancellationTokenSource();
        var stopper = new Stopper(cancel, epoch: 2, batch: 2);
        Assert.ThrowsAny<OperationCanceledException>(() => TinyTraining.Train(TinyTraining.Options(checkpoint, epochs: 3), stopper, cancel.Token));
        Assert.Single(TrainingCheckpoint.Load(checkpoint).History.Epochs);

        var resumed = TinyTraining.Train(TinyTraining.Options(checkpoint, epochs: 3));
        Assert.Equal(3, resumed.History.Epochs.Count);
        Assert.Equal(1, resumed.ResumedEpochs);
        Assert.True(resumed.Model.Metadata.TrainingSeconds >= resumed.History.Epochs.Sum(e => e.Seconds));
        Assert.Equal(uninterrupted.History.Epochs.Select(e => e with { Seconds = 0 }), resumed.History.Epochs.Select(e => e with { Seconds = 0 }));
        Assert.Equal(uninterrupted.Validation, resumed.Validation);
        uninterrupted.Model.Dispose();
        resumed.Model.Dispose();
    }

    [Fact]
    public void Training_lowers_the_loss_and_keeps_the_best_epoch()
    {
        var trained = TinyTraining.Train(TinyTraining.Options(epochs: 6) with { LearningRate = 3e-4 });
        var history = trained.History.Epochs;
        Assert.True(history[^1].Loss < history[0].Loss, $"loss went from {history[0].Loss} to {history[^1].Loss}");
        var best = history.MinBy(e => e.ValidationLoss)!;
        Assert.Equal(best.Epoch, trained.BestEpoch);
        trained.Model.Dispose();
    }

    [Fact]
    public void Plateau_schedule_halves_the_rate_after_patience_and_respects_the_floor()
    {
        var s = PlateauSchedule.Start(1e-3).Step(1.0, 0.5, 2, 1e-6);
        s = s.Step(1.0, 0.5, 2, 1e-6).Step(1.0, 0.5, 2, 1e-6);
        Assert.Equal(1e-3, s.LearningRate);
        s = s.Step(1.0, 0.5, 2, 1e-6);
        Assert.Equal(5e-4, s.LearningRate);
        var floor = new PlateauSchedule(1.5e-6, 0.1, 2).Step(1.0, 0.5, 2, 1e-6);
        Assert.Equal(1e-6, floor.LearningRate);
    }

    private static string StripSeconds(string line) => line.Contains(',') ? line[..line.LastIndexOf(',')] : line;

    private sealed class Stopper(CancellationTokenSource cancel, int epoch, int batch) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Completed is null && value.Epoch == epoch && value.Batch == batch)
            {
                cancel.Cancel();
            }
        }
    }
}

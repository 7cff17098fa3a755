using MalariaML.Splits;
using MalariaML.Training;

namespace MalariaML.Tests.Training;

/// <summary>Tiny but real training runs on the committed cells: 32x32 inputs, a few epochs, seconds each.</summary>
internal static class TinyTraining
{
    public static DataSplit Split { get; } = DatasetSplitter.Split(TestData.Sample(), SplitStrategy.Patient, SplitRatios.Default, seed: 3);

    public static ModelTrainingOptions Options(string? checkpoint = null, int epochs = 3) => new()
    {
        Model = "basic-cnn",
        ImageSize = 32,
        Epochs = epochs,
        BatchSize = 32,
        Seed = 11,
        Device = "cpu",
        EarlyStoppingPatience = 0,
        CheckpointPath = checkpoint,
        Resume = checkpoint is not null,
    };

    public static TrainedModel Train(ModelTrainingOptions options, IProgress<TrainingProgress>? progress = null, CancellationToken token = default)
        => ModelTrainer.Train(Split, ["Parasitized", "Uninfected"], "Parasitized", options, null, progress, token);
}

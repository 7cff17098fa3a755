using MalariaML.Evaluation;
using System.IO.Compression;
using System.Text.Json;

namespace MalariaML.Training;

/// <summary>
/// Everything needed to resume training, in one file: current and best weights, optimizer state, the epoch to run
/// next, history, learning-rate schedule and early-stopping counters. Written atomically after every epoch, so a
/// kill loses at most the epoch in progress and never the previous checkpoint.
/// </summary>
internal sealed record TrainingCheckpoint(
    int NextEpoch,
    TrainingHistory History,
    PlateauSchedule Schedule,
    int BestEpoch,
    double BestLoss,
    int EpochsWithoutImprovement,
    int Seed,
    byte[] Weights,
    byte[] BestWeights,
    byte[] OptimizerState)
{
    /// <summary>Version of the checkpoint layout.</summary>
    public const int FormatVersion = 1;

    /// <summary>Writes the checkpoint to <paramref name="path"/> (temporary file, then rename).</summary>
    public void Save(string path)
    {
        var state = new State(FormatVersion, NextEpoch, History.Epochs.ToList(), Schedule, BestEpoch, BestLoss, EpochsWithoutImprovement, Seed);
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            ZipEntries.Put(zip, "state.json", JsonSerializer.SerializeToUtf8Bytes(state, JsonOptions));
            ZipEntries.Put(zip, "weights.bin", Weights);
            ZipEntries.Put(zip, "best-weights.bin", BestWeights);
            ZipEntries.Put(zip, "optimizer.bin", OptimizerState);
        });
    }

    /// <summary>Reads a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="MalariaMLException">The file is not a readable checkpoint.</exception>
    public static TrainingCheckpoint Load(string path)
    {
        try
        {
            using var zip = ZipFile.OpenRead(path);
            var state = JsonSerializer.Deserialize<State>(Get(zip, "state.json", path), JsonOptions)
                ?? throw new MalariaMLException($"{path}: empty checkpoint state");
            if (state.FormatVersion > FormatVersion)
            {
                throw new MalariaMLException($"{path}: checkpoint format {state.FormatVersion} is newer than this library supports ({FormatVersion})");
            }

            return new TrainingCheckpoint(state.NextEpoch, new TrainingHistory(state.History), state.Schedule, state.BestEpoch,
                state.BestLoss, state.EpochsWithoutImprovement, state.Seed,
                Get(zip, "weights.bin", path), Get(zip, "best-weights.bin", path), Get(zip, "optimizer.bin", path));
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException)
        {
            throw new MalariaMLException($"{path}: not a readable training checkpoint ({e.Message})", e);
        }
    }

    private static byte[] Get(ZipArchive zip, string name, string path)
        => ZipEntries.Get(zip, name) ?? throw new MalariaMLException($"{path}: checkpoint lacks '{name}'");

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private sealed record State(int FormatVersion, int NextEpoch, List<EpochRecord> History, PlateauSchedule Schedule,
        int BestEpoch, double BestLoss, int EpochsWithoutImprovement, int Seed);
}

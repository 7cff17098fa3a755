using System.Security.Cryptography;
using MalariaML.Evaluation;
using MalariaML.Inference;
using MalariaML.Training;
using Xunit.Abstractions;

namespace MalariaML.Tests.Robustness;

/// <summary>
/// A real <c>malaria train</c> run in a child process, killed with SIGKILL while a checkpoint is being written and in the
/// middle of an epoch, then resumed; and killed while it writes the model file. A power cut must cost at most the epoch
/// in progress, never a checkpoint or a model.
/// </summary>
/// <remarks>
/// The kills during writes use the test-only hook of <see cref="AtomicFile"/> (<c>MALARIAML_TEST_PAUSE_BEFORE_RENAME_MS</c>),
/// which holds each write with its new content complete in the temporary file, right before the rename.
/// </remarks>
[Collection("torch")]
public class CrashSafeTrainingTests(CrashSafeTrainingTests.InterruptedRun run, ITestOutputHelper output) : IClassFixture<CrashSafeTrainingTests.InterruptedRun>
{
    private const string PauseVariable = "MALARIAML_TEST_PAUSE_BEFORE_RENAME_MS";

    /// <summary>Long enough for the test to see the hook's line and kill; the kill normally lands within milliseconds.</summary>
    private static readonly Dictionary<string, string> PauseWrites = new() { [PauseVariable] = "1500" };

    private static string[] Train(string model, bool resume = false, int epochs = 4) =>
    [
        "train", "--data", TestData.SampleRoot, "--model", "basic-cnn", "--image-size", "32", "--epochs", $"{epochs}", "--batch-size", "16",
        "--patience", "0", "--seed", "5", "--device", "cpu", "--out", model, .. resume ? new[] { "--resume" } : [],
    ];

    private static Func<string, bool> PausedBeforeRenaming(string path, int occurrence = 1)
    {
        var seen = 0;
        return line => line.StartsWith("[test] pausing before renaming ", StringComparison.Ordinal)
            && line.EndsWith(" to " + path, StringComparison.Ordinal) && ++seen == occurrence;
    }

    [Fact]
    public void A_run_killed_while_writing_a_checkpoint_and_mid_epoch_resumes_without_losing_or_repeating_epochs()
    {
        output.WriteLine($"first run killed at: {run.First.KilledAt}");
        output.WriteLine($"second run killed at: {run.Second.KilledAt}");
        output.WriteLine("history of the resumed run:\n" + run.HistoryCsv);

        // Killed while the epoch-2 checkpoint sat complete in its temporary file: the epoch-1 checkpoint is intact.
        Assert.NotNull(run.First.KilledAt);
        Assert.Equal(1, run.AfterFirst.NextEpoch);
        Assert.Equal([1], run.AfterFirst.History.Epochs.Select(e => e.Epoch));
        Assert.NotEmpty(run.AfterFirst.Weights);
        Assert.Equal(2, run.LostCheckpoint.NextEpoch);
        Assert.Equal(run.AfterFirst.History.Epochs[0], run.LostCheckpoint.History.Epochs[0]);

        // Killed in epoch 2 of the first resume: it did not redo epoch 1 and left the checkpoint untouched.
        Assert.NotNull(run.Second.KilledAt);
        Assert.StartsWith("Epoch 2/4 [", run.Second.KilledAt);
        Assert.DoesNotContain(run.Second.Stderr.Concat(run.Second.Stdout), l => l.StartsWith("Epoch 1/", StringComparison.Ordinal));
        Assert.Equal(run.CheckpointAfterFirst, run.CheckpointAfterSecond);

        // The second resume ran epochs 2 to 4 only and finished.
        Assert.True(run.Third.ExitCode == 0, run.Third.Transcript);
        Assert.Equal(["Epoch 2/4", "Epoch 3/4", "Epoch 4/4"],
            run.Third.Stdout.Where(l => l.StartsWith("Epoch ", StringComparison.Ordinal)).Select(l => l[..l.IndexOf(" - ", StringComparison.Ordinal)]));

        // History beside the model: epochs 1 to 4 exactly once; epoch 1 is the checkpointed one, to the last digit.
        var lines = run.HistoryCsv.TrimEnd('\n').Split('\n');
        Assert.Equal("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds", lines[0]);
        Assert.Equal(["1", "2", "3", "4"], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.Equal(new TrainingHistory(run.AfterFirst.History.Epochs).ToCsv().Split('\n')[1], lines[1]);
        Assert.Equal(run.Final.History.ToCsv(), run.HistoryCsv);

        // Epoch 2, lost with the first kill and run again in another process, came out exactly the same: the resumed run
        // continues as if it had never stopped.
        Assert.Equal(Stripped(run.LostCheckpoint.History.Epochs[1]), Stripped(run.Final.History.Epochs[1]));
    }

    [Fact]
    public void A_process_killed_while_writing_a_model_file_leaves_the_old_model_loading_and_predicting_as_before()
    {
        var files = TestData.SampleCells(10).Select(c => c.Path).ToList();
        var oldBytes = File.ReadAllBytes(run.Model);
        IReadOnlyList<CellPrediction> before;
        using (var old = MalariaModel.Load(run.Model))
        {
            before = old.PredictMany(files).Predictions;
        }

        // One more epoch, then the model is saved over the old one; SIGKILL while the new file waits to be renamed.
        var leftovers = Directory.GetFiles(run.Folder.Path, ".m.malaria.*.tmp").ToHashSet();
        var killed = CliProcess.Run(Train(run.Model, resume: true, epochs: 5), PauseWrites, PausedBeforeRenaming(run.Model));
        Assert.True(killed.KilledAt is not null, killed.Transcript);
        output.WriteLine($"killed at: {killed.KilledAt}");

        Assert.Equal(SHA256.HashData(oldBytes), SHA256.HashData(File.ReadAllBytes(run.Model)));
        using var reloaded = MalariaModel.Load(run.Model);
        Assert.Equal(4, reloaded.Metadata.EpochsRun);
        Assert.Equal(before, reloaded.PredictMany(files).Predictions);

        // The kill did land during the write of a different, complete model.
        var temp = Assert.Single(Directory.GetFiles(run.Folder.Path, ".m.malaria.*.tmp"), f => !leftovers.Contains(f) && !f.Contains(".checkpoint.", StringComparison.Ordinal));
        using var unfinished = MalariaModel.Load(temp);
        Assert.Equal(5, unfinished.Metadata.EpochsRun);
    }

    private static EpochRecord Stripped(EpochRecord e) => e with { Seconds = 0 };

    /// <summary>
    /// One training run interrupted twice and finished: killed while writing the epoch-2 checkpoint, resumed and killed in
    /// epoch 2, resumed to the end. Shared by the tests of this class (training takes most of their time).
    /// </summary>
    public sealed class InterruptedRun : IDisposable
    {
        public InterruptedRun()
        {
            Model = Path.Combine(Folder.Path, "m.malaria");
            var checkpoint = Model + ".checkpoint";

            // 1. SIGKILL while the epoch-2 checkpoint is complete in its temporary file, before the rename.
            First = CliProcess.Run(Train(Model), PauseWrites, PausedBeforeRenaming(checkpoint, occurrence: 2));
            if (First.KilledAt is null)
            {
                throw new InvalidOperationException("the first run was not killed\n" + First.Transcript);
            }

            AfterFirst = TrainingCheckpoint.Load(checkpoint);
            CheckpointAfterFirst = File.ReadAllBytes(checkpoint);
            LostCheckpoint = TrainingCheckpoint.Load(Directory.GetFiles(Folder.Path, ".m.malaria.checkpoint.*.tmp").Single());

            // 2. Resume; SIGKILL at the first progress line of epoch 2. Writes pause before their rename: on an idle machine
            // these few cells train a whole epoch before the kill lands, and the rename would then (correctly) replace
            // the checkpoint, which is not the case this step tests.
            Second = CliProcess.Run(Train(Model, resume: true), PauseWrites, l => l.StartsWith("Epoch ", StringComparison.Ordinal) && l.Contains('['));
            CheckpointAfterSecond = File.ReadAllBytes(checkpoint);

            // 3. Resume to the end.
            Third = CliProcess.Run(Train(Model, resume: true));
            HistoryCsv = File.Exists(Model + ".history.csv") ? File.ReadAllText(Model + ".history.csv") : "";
            Final = TrainingCheckpoint.Load(checkpoint);
        }

        public TempFolder Folder { get; } = TestData.NewTempFolder();

        public string Model { get; }

        public CliResult First { get; }

        internal TrainingCheckpoint AfterFirst { get; }

        public byte[] CheckpointAfterFirst { get; }

        internal TrainingCheckpoint LostCheckpoint { get; }

        public CliResult Second { get; }

        public byte[] CheckpointAfterSecond { get; }

        public CliResult Third { get; }

        public string HistoryCsv { get; }

        internal TrainingCheckpoint Final { get; }

        public void Dispose() => Folder.Dispose();
    }
}

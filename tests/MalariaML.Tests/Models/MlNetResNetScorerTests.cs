using System.Diagnostics;
using System.IO.Compression;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Preprocessing;
using Xunit.Abstractions;

namespace MalariaML.Tests.Models;

/// <summary>Trains the all-ML.NET baseline once on real cells and shares it between the tests.</summary>
public sealed class MlNetResNetScorerFixture : IDisposable
{
    /// <summary>Cells per class to train on: enough for a clear signal, few enough for ML.NET's one-image-at-a-time featurizer.</summary>
    public const int TrainPerClass = 20;

    /// <summary>Cells per class held out (later in the sample's order than the training cells).</summary>
    public const int HeldOutPerClass = 5;

    public MlNetResNetScorerFixture()
    {
        var loader = new CellImageLoader(ImageLoadOptions.Square(MlNetResNetScorer.InputSize));
        var train = loader.Decode(TestData.SampleCells(TrainPerClass));
        var heldOut = loader.Decode(TestData.Sample().Cells.GroupBy(c => c.Label)
            .SelectMany(g => g.Skip(TrainPerClass).Take(HeldOutPerClass)).ToList());
        TrainImages = train.Images;
        TrainLabels = train.Cells.Select(c => c.Label == "Parasitized").ToArray();
        HeldOutImages = heldOut.Images;
        HeldOutLabels = heldOut.Cells.Select(c => c.Label == "Parasitized").ToArray();

        var clock = Stopwatch.StartNew();
        Scorer = MlNetResNetScorer.Train(TrainImages, TrainLabels, seed: 42, Progress);
        TrainingSeconds = clock.Elapsed.TotalSeconds;
    }

    public IReadOnlyList<RgbImage> TrainImages { get; }

    public bool[] TrainLabels { get; }

    public IReadOnlyList<RgbImage> HeldOutImages { get; }

    public bool[] HeldOutLabels { get; }

    internal MlNetResNetScorer Scorer { get; }

    public double TrainingSeconds { get; }

    public RecordingProgress Progress { get; } = new();

    public void Dispose() => Scorer.Dispose();
}

/// <summary>Collects progress reports synchronously (unlike <see cref="Progress{T}"/>, which posts them).</summary>
public sealed class RecordingProgress : IProgress<WorkProgress>
{
    private readonly List<WorkProgress> _reports = [];

    public IReadOnlyList<WorkProgress> Reports
    {
        get
        {
            lock (_reports)
            {
                return _reports.ToList();
            }
        }
    }

    public void Report(WorkProgress value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }
    }
}

/// <summary>The <c>resnet18-mlnet</c> baseline: ML.NET's ResNet18 featurizer + L-BFGS logistic regression.</summary>
public sealed class MlNetResNetScorerTests(MlNetResNetScorerFixture fixture, ITestOutputHelper output) : IClassFixture<MlNetResNetScorerFixture>
{
    [Fact]
    public void LearnsTheTrainingCellsAndReportsProgress()
    {
        var clock = Stopwatch.StartNew();
        var probabilities = fixture.Scorer.Score(fixture.TrainImages);
        var scoreSeconds = clock.Elapsed.TotalSeconds;
        var train = BinaryEvaluator.Evaluate(probabilities.Select(p => (double)p), fixture.TrainLabels);
        var heldOut = BinaryEvaluator.Evaluate(fixture.Scorer.Score(fixture.HeldOutImages).Select(p => (double)p), fixture.HeldOutLabels);
        output.WriteLine($"trained on {fixture.TrainImages.Count} cells in {fixture.TrainingSeconds:F1} s; scored them in {scoreSeconds:F1} s " +
            $"({fixture.TrainImages.Count / scoreSeconds:F1} images/s)");
        output.WriteLine($"training accuracy {train.Accuracy:F3}, AUC {train.Auc:F3}; held-out ({fixture.HeldOutImages.Count} cells) accuracy {heldOut.Accuracy:F3}, AUC {heldOut.Auc:F3}");

        Assert.Equal(fixture.TrainImages.Count, probabilities.Length);
        Assert.All(probabilities, p => Assert.InRange(p, 0f, 1f));
        // Chance is 0.5 on this balanced set; 512 ImageNet features separate 40 cells almost surely.
        Assert.True(train.Accuracy >= 0.85, $"training accuracy {train.Accuracy:F3} is not clearly above chance");
        Assert.True(train.Auc >= 0.9, $"training AUC {train.Auc:F3}");

        var reports = fixture.Progress.Reports;
        Assert.NotEmpty(reports);
        Assert.All(reports, r => Assert.Equal("featurizing", r.Stage));
        Assert.Equal(0, reports[0].Done);
        Assert.Equal(fixture.TrainImages.Count, reports[^1].Done);
        Assert.Equal(fixture.TrainImages.Count, reports[^1].Total);
    }

    [Fact]
    public void SaveAndLoadGiveIdenticalScores()
    {
        var expected = fixture.Scorer.Score(fixture.HeldOutImages);
        var clock = Stopwatch.StartNew();
        var entries = fixture.Scorer.Save();
        var saveSeconds = clock.Elapsed.TotalSeconds;
        Assert.Equal([MlNetResNetScorer.ModelEntry], entries.Keys);
        clock.Restart();
        using (var loaded = MlNetResNetScorer.Load(entries[MlNetResNetScorer.ModelEntry], "test"))
        {
            var loadSeconds = clock.Elapsed.TotalSeconds;
            Assert.Equal(expected, loaded.Score(fixture.HeldOutImages));
            output.WriteLine($"model entry: {entries[MlNetResNetScorer.ModelEntry].Length / 1e6:F1} MB, saved in {saveSeconds:F1} s, loaded in {loadSeconds:F1} s");
        }

        // Through the .malaria file, as a user loads it.
        using var folder = TestData.NewTempFolder();
        var path = Path.Combine(folder.Path, "model.malaria");
        var metadata = new ModelMetadata
        {
            ModelKind = ModelCatalog.ResNet18MlNet,
            InputWidth = MlNetResNetScorer.InputSize,
            InputHeight = MlNetResNetScorer.InputSize,
            ClassNames = ["Uninfected", "Parasitized"],
            PositiveClass = "Parasitized",
        };
        clock.Restart();
        ModelFile.Write(path, metadata, entries);
        var writeSeconds = clock.Elapsed.TotalSeconds;
        clock.Restart();
        using var model = MalariaModel.Load(path);
        output.WriteLine($".malaria file: {new FileInfo(path).Length / 1e6:F1} MB, written in {writeSeconds:F1} s, loaded in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.IsType<MlNetResNetScorer>(model.Scorer);
        Assert.Equal(expected, model.PredictProbabilities(fixture.HeldOutImages));
    }

    [Fact]
    public void ScoresNothingForNoImages() => Assert.Empty(fixture.Scorer.Score([]));

    [Fact]
    public void GarbageIsRefusedWithAModelFileError()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        var error = Assert.Throws<ModelFileException>(() => MlNetResNetScorer.Load(garbage, "garbage.malaria"));
        Assert.Equal("garbage.malaria", error.Path);

        // A well-formed zip that is not an ML.NET model.
        using var zipBytes = new MemoryStream();
        using (var zip = new ZipArchive(zipBytes, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = new StreamWriter(zip.CreateEntry("readme.txt").Open());
            entry.Write("not a model");
        }

        Assert.Throws<ModelFileException>(() => MlNetResNetScorer.Load(zipBytes.ToArray(), "foreign.zip"));
        Assert.Throws<ModelFileException>(() => MlNetResNetScorer.Load([], "empty"));
    }

    [Fact]
    public void TrainingRefusesOneClassAndMismatchedLabels()
    {
        var images = fixture.TrainImages.Take(2).ToList();
        Assert.Throws<ArgumentException>(() => MlNetResNetScorer.Train(images, [true, true], seed: 1));
        Assert.Throws<ArgumentException>(() => MlNetResNetScorer.Train(images, [true], seed: 1));
    }

    [Fact]
    public void TrainingInChunksGivesTheSameModelAsInOneGo()
    {
        // The trainer streams decoded chunks through the featurizer to bound memory; chunking must change nothing.
        var images = fixture.TrainImages;
        var labels = fixture.TrainLabels;
        var chunks = Enumerable.Range(0, (images.Count + 6) / 7)
            .Select(k => ((IReadOnlyList<RgbImage>)images.Skip(k * 7).Take(7).ToList(), (IReadOnlyList<bool>)labels.Skip(k * 7).Take(7).ToList()));
        var progress = new RecordingProgress();
        using var chunked = MlNetResNetScorer.Train(chunks, images.Count, seed: 42, progress);

        Assert.Equal(fixture.Scorer.Score(fixture.HeldOutImages), chunked.Score(fixture.HeldOutImages));
        var reports = progress.Reports;
        Assert.Equal(new WorkProgress("featurizing", 0, images.Count), reports[0]);
        Assert.Equal(new WorkProgress("featurizing", images.Count, images.Count), reports[^1]);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.Done <= p.Second.Done), "progress went backwards");
    }
}

using System.Diagnostics;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Tests.Training;

namespace MalariaML.Tests.Inference;

/// <summary>A trained model as an application uses it: saved, loaded, evaluated, shared between threads, cancelled.</summary>
[Collection("torch")]
public sealed class ModelUseTests : IClassFixture<ModelUseTests.SavedModel>
{
    private readonly SavedModel _saved;

    public ModelUseTests(SavedModel saved) => _saved = saved;

    public sealed class SavedModel : IDisposable
    {
        public SavedModel()
        {
            var trained = TinyTraining.Train(TinyTraining.Options(epochs: 2));
            Validation = trained.Validation!;
            trained.Model.Save(Path);
            trained.Model.Dispose();
        }

        public TempFolder Folder { get; } = TestData.NewTempFolder();

        public string Path => System.IO.Path.Combine(Folder.Path, "model.malaria");

        public MalariaML.Evaluation.BinaryMetrics Validation { get; }

        public void Dispose() => Folder.Dispose();
    }

    [Fact]
    public void The_metrics_stored_at_training_time_equal_a_fresh_evaluation_of_the_saved_model()
    {
        using var model = MalariaModel.Load(_saved.Path);
        var stored = model.Metadata.Metrics["validation"];
        var fresh = model.Evaluate(TinyTraining.Split.Validation);
        Assert.Equal(TinyTraining.Split.Validation.Count, fresh.Metrics.Count);
        Assert.Equal(stored, fresh.Metrics);
        Assert.Equal(_saved.Validation, fresh.Metrics);
        Assert.True(fresh.Metrics.Tp + fresh.Metrics.Fn > 0 && fresh.Metrics.Tn + fresh.Metrics.Fp > 0, "the validation part needs both classes");
    }

    [Theory]
    [InlineData(ScoringEngine.TorchSharp)]
    [InlineData(ScoringEngine.OnnxRuntime)]
    public void Eight_threads_sharing_one_model_get_what_one_thread_gets(ScoringEngine engine)
    {
        using var model = MalariaModel.Load(_saved.Path, engine: engine);
        var files = TestData.Sample().Cells.Take(96).Select(c => c.Path).ToList();
        var alone = files.Select(f => model.Predict(f).Probability).ToArray();

        // Every thread scores every cell, each from its own starting point, so at any moment the threads hold
        // different cells: a buffer, tensor or session state shared between calls would hand one thread another's cell.
        var shared = new double[8][];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            var mine = new double[files.Count];
            start.SignalAndWait();
            for (var k = 0; k < files.Count; k++)
            {
                var i = (k + (t * files.Count / 8)) % files.Count;
                mine[i] = model.Predict(files[i]).Probability;
            }

            shared[t] = mine;
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.All(shared, mine => Assert.Equal(alone, mine));
        Assert.True(alone.Distinct().Count() > 10, "the model gives nearly constant outputs");
    }

    [Fact]
    public void Calls_follow_the_threshold_stored_in_the_model_file()
    {
        var cells = TestData.Sample().Cells.Take(64).ToList();
        var files = cells.Select(c => c.Path).ToList();
        var edited = System.IO.Path.Combine(_saved.Folder.Path, "threshold.malaria");
        double threshold;
        using (var model = MalariaModel.Load(_saved.Path))
        {
            Assert.Equal(0.5, model.Metadata.Threshold); // a trained model's documented default
            var sorted = model.PredictMany(files).Predictions.Select(p => p.Probability).Order().ToList();
            Assert.True(sorted[31] < sorted[32], "the tiny model gives ties in the middle of its probabilities");
            // Between the two middle probabilities, so half the cells fall on each side whatever the tiny model learnt:
            // a call made at any other threshold (a constant, the default, the file's value ignored) moves cells across.
            threshold = (sorted[31] + sorted[32]) / 2;
            model.UpdateMetadata(m => m with { Threshold = threshold });
            model.Save(edited);
        }

        using var reloaded = MalariaModel.Load(edited);
        Assert.Equal(threshold, reloaded.Metadata.Threshold);
        var predictions = reloaded.PredictMany(files).Predictions;
        Assert.Equal(32, predictions.Count(p => p.IsPositive));
        Assert.All(predictions, p =>
        {
            Assert.Equal(p.Probability >= threshold, p.IsPositive);
            Assert.Equal(p.IsPositive ? "Parasitized" : "Uninfected", p.Label);
        });
        var metrics = reloaded.Evaluate(cells).Metrics;
        Assert.Equal(32, metrics.Tp + metrics.Fp);
    }

    [Fact]
    public void A_cancelled_prediction_stops_within_a_second()
    {
        using var model = MalariaModel.Load(_saved.Path);
        var files = Enumerable.Repeat(TestData.Sample().Cells.Select(c => c.Path), 40).SelectMany(f => f).ToList(); // 11,560 cells
        AssertStopsWithinASecond(token => model.PredictMany(files, null, token));
    }

    [Fact]
    public void A_cancelled_scan_stops_within_a_second()
    {
        using var temp = TestData.NewTempFolder();
        // 40 copies of the sample under other names: a scan far longer than a second.
        foreach (var cell in TestData.Sample().Cells)
        {
            var folder = Directory.CreateDirectory(Path.Combine(temp.Path, cell.Label)).FullName;
            for (var copy = 0; copy < 40; copy++)
            {
                File.Copy(cell.Path, Path.Combine(folder, $"C{copy}P{copy}thin_{Path.GetFileName(cell.Path)}"));
            }
        }

        var dataset = CellDataset.Load(temp.Path);
        AssertStopsWithinASecond(token => dataset.Summarize(null, null, token));
    }

    private static void AssertStopsWithinASecond(Action<CancellationToken> work)
    {
        using var cancel = new CancellationTokenSource();
        var started = new ManualResetEventSlim();
        var stopped = Stopwatch.StartNew();
        var task = Task.Run(() =>
        {
            started.Set();
            work(cancel.Token);
        });
        started.Wait();
        Thread.Sleep(300);
        Assert.False(task.IsCompleted, "the work ended before it could be cancelled; give it more to do");
        stopped.Restart();
        cancel.Cancel();
        var ex = Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            try
            {
                task.GetAwaiter().GetResult();
            }
            finally
            {
                stopped.Stop();
            }
        });
        Assert.NotNull(ex);
        Assert.True(stopped.Elapsed < TimeSpan.FromSeconds(1), $"stopped {stopped.Elapsed.TotalMilliseconds:F0} ms after the cancellation");
    }
}

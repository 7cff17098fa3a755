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

    [Fact]
    public void Eight_threads_sharing_one_model_get_what_one_thread_gets()
    {
        using var model = MalariaModel.Load(_saved.Path);
        var files = TestData.Sample().Cells.Take(96).Select(c => c.Path).ToList();
        var alone = files.Select(f => model.Predict(f).Probability).ToArray();

        var shared = new double[files.Count];
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            // Interleaved, so neighbouring cells are scored by different threads at the same time.
            for (var i = t; i < files.Count; i += 8)
            {
                shared[i] = model.Predict(files[i]).Probability;
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Equal(alone, shared);
        Assert.True(alone.Distinct().Count() > 10, "the model gives nearly constant outputs");
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

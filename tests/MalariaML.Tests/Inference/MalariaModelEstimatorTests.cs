using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.MLNet;
using MalariaML.Models;
using MalariaML.Tests.Training;
using MalariaML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MalariaML.Tests.Inference;

/// <summary>MalariaML in an ML.NET pipeline: fitted on a view, scored lazily, evaluated by ML.NET, saved and loaded.</summary>
[Collection("torch")]
public sealed class MalariaModelEstimatorTests
{
    public sealed class Row
    {
        public string Path { get; set; } = "";

        public bool Label { get; set; }
    }

    private static IEnumerable<Row> Rows(IEnumerable<CellImage> cells, Action? onRow = null)
    {
        foreach (var c in cells)
        {
            onRow?.Invoke();
            yield return new Row { Path = c.Path, Label = c.Label == "Parasitized" };
        }
    }

    [Fact]
    public void Fit_in_a_pipeline_scores_lazily_evaluates_with_MlNet_and_survives_save_and_load()
    {
        var mlContext = new MLContext(seed: 1);
        var training = mlContext.Data.LoadFromEnumerable(Rows(TinyTraining.Split.Train.Concat(TinyTraining.Split.Validation)));
        var test = mlContext.Data.LoadFromEnumerable(Rows(TinyTraining.Split.Test));
        var options = new ModelTrainingOptions { Model = ModelCatalog.BasicCnn, ImageSize = 32, Epochs = 2, BatchSize = 32, Seed = 11, Device = "cpu", EarlyStoppingPatience = 0 };
        // The estimator follows another one, as in any ML.NET pipeline: the path column is copied to the name it reads.
        var pipeline = mlContext.Transforms.CopyColumns("ImagePath", nameof(Row.Path))
            .Append(mlContext.BinaryClassification.Trainers.MalariaModel(options));
        var fitted = pipeline.Fit(training);
        using var transformer = fitted.LastTransformer;

        var scored = fitted.Transform(test);
        var metrics = mlContext.BinaryClassification.Evaluate(scored, labelColumnName: nameof(Row.Label));
        var library = transformer.Model.Evaluate(TinyTraining.Split.Test).Metrics;
        Assert.Equal(library.Accuracy, metrics.Accuracy, 12);
        Assert.Equal(library.Auc, metrics.AreaUnderRocCurve, 6);
        var probabilities = scored.GetColumn<float>(MalariaModelTransformer.ProbabilityColumn).ToArray();
        Assert.Equal(TinyTraining.Split.Test.Count, probabilities.Length);

        // Lazy: reading the first scored row reads one batch of the input ahead, not the whole view.
        var read = 0;
        var counted = mlContext.Data.LoadFromEnumerable(Rows(Enumerable.Repeat(TinyTraining.Split.Test, 20).SelectMany(c => c), () => Interlocked.Increment(ref read)));
        // Applied to the view directly: ML.NET's own row mappers (CopyColumns above) may read ahead on worker threads.
        var lazy = new MalariaModelTransformer(transformer.Model, nameof(Row.Path)).Transform(counted);
        Assert.Equal(0, read);
        using (var cursor = lazy.GetRowCursor(lazy.Schema))
        {
            Assert.True(cursor.MoveNext());
        }

        Assert.InRange(read, 1, 2 * transformer.BatchSize + 2);

        using var temp = TestData.NewTempFolder();
        var file = Path.Combine(temp.Path, "pipeline.malaria");
        transformer.Save(file);
        using var loaded = MalariaModelTransformer.Load(file);
        var again = loaded.Transform(fitted.Take(fitted.Count() - 1).Aggregate(test, (view, t) => t.Transform(view)));
        Assert.Equal(probabilities, again.GetColumn<float>(MalariaModelTransformer.ProbabilityColumn).ToArray());
    }
}

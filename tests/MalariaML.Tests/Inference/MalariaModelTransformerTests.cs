using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;
using MalariaML.MLNet;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Splits;
using MalariaML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace MalariaML.Tests.Inference;

/// <summary>A <see cref="MalariaModel"/> used as an ML.NET transformer and evaluated with ML.NET's metrics.</summary>
public sealed class MalariaModelTransformerTests(ITestOutputHelper output)
{
    private const string PositiveClass = "Parasitized";
    private const string IsPositiveColumn = "IsParasitized";

    [Fact]
    public void MlNetEvaluationOfATrainedModelMatchesBinaryEvaluator()
    {
        var dataset = TestData.Sample();
        var split = DatasetSplitter.Split(dataset, SplitStrategy.Patient, SplitRatios.Default, 1);
        var options = new ModelTrainingOptions { Model = ModelCatalog.BasicCnn, ImageSize = 32, Epochs = 1, BatchSize = 16, Device = "cpu", Seed = 1 };
        var trained = ModelTrainer.Train(split, dataset.Classes, dataset.PositiveClass, options);
        using var model = trained.Model;
        // One epoch at 32x32 barely separates the classes, so its probabilities may all fall on one side of 0.5; a
        // threshold at their median gives a confusion matrix with every cell filled and a probability exactly on it.
        var direct = model.PredictMany(split.Test.Select(c => c.Path).ToList()).Predictions;
        var median = direct.Select(p => p.Probability).Order().ElementAt(direct.Count / 2);
        model.UpdateMetadata(m => m with { Threshold = median });

        var mlContext = new MLContext(seed: 1);
        var cells = MlNetImagePipeline.ToDataView(mlContext, split.Test);
        // The transformer follows another transformer in a chain, as in any ML.NET pipeline.
        var pipeline = LabelMapping(mlContext, cells).Append(model.AsTransformer());
        var scored = pipeline.Transform(cells);

        var mlNet = mlContext.BinaryClassification.Evaluate(scored, labelColumnName: IsPositiveColumn);
        var (probabilities, labels) = ReadPredictions(scored);
        var ours = BinaryEvaluator.Evaluate(probabilities.Select(p => (double)p), labels, model.Metadata.Threshold);
        output.WriteLine($"{split.Test.Count} test cells: ML.NET accuracy {mlNet.Accuracy:F4}, AUC {mlNet.AreaUnderRocCurve:F4}; " +
            $"BinaryEvaluator accuracy {ours.Accuracy:F4}, AUC {ours.Auc:F4} at threshold {median:F4} (tp {ours.Tp}, fp {ours.Fp}, tn {ours.Tn}, fn {ours.Fn})");

        Assert.Equal(split.Test.Count, probabilities.Length);
        Assert.Equal(ours.Accuracy, mlNet.Accuracy, 12);
        Assert.Equal(ours.Auc, mlNet.AreaUnderRocCurve, 6);
        AssertSameConfusion(ours, mlNet);

        Assert.Contains(probabilities, p => p == median);
        Assert.True(Math.Min(ours.Tp, ours.Fp) + Math.Min(ours.Tn, ours.Fn) > 0, "the threshold does not split the predictions");

        // The transformer gives exactly the model's own predictions.
        Assert.Equal(direct.Select(p => (float)p.Probability), probabilities);
    }

    [Fact]
    public void ProbabilityAtTheThresholdIsPositiveForMlNetTooAndUnreadableImagesAreSkipped()
    {
        using var folder = TestData.NewTempFolder();
        var cells = TestData.SampleCells(6).ToList();
        var broken = Path.Combine(folder.Path, "C1P1thinF_IMG_0_cell_1.png");
        File.WriteAllText(broken, "not a png");
        cells.Add(new CellImage(broken, PositiveClass, "P1"));

        // The fake scorer gives each image its mean byte / 255; the threshold is set to one cell's value exactly.
        var loadOptions = ImageLoadOptions.Square(8);
        var decoded = new CellImageLoader(loadOptions).Decode(cells);
        var values = decoded.Images.Select(MeanScorer.ProbabilityOf).ToArray();
        var threshold = (double)values.OrderBy(v => v).ElementAt(values.Length / 2);
        using var model = new MalariaModel(new MeanScorer(), new ModelMetadata
        {
            ModelKind = ModelCatalog.BasicCnn,
            InputWidth = loadOptions.Width,
            InputHeight = loadOptions.Height,
            Sampling = loadOptions.Sampling.ToString(),
            ClassNames = ["Uninfected", PositiveClass],
            PositiveClass = PositiveClass,
            Threshold = threshold,
        });

        var mlContext = new MLContext(seed: 1);
        var view = MlNetImagePipeline.ToDataView(mlContext, cells);
        var scored = LabelMapping(mlContext, view).Append(model.AsTransformer()).Transform(view);

        var scores = scored.GetColumn<float>(MalariaModelTransformer.ScoreColumn).ToArray();
        var predicted = scored.GetColumn<bool>(MalariaModelTransformer.PredictedLabelColumn).ToArray();
        var probabilities = scored.GetColumn<float>(MalariaModelTransformer.ProbabilityColumn).ToArray();
        Assert.Equal(cells.Count, scores.Length);
        Assert.Contains(probabilities, p => p == threshold);
        for (var i = 0; i < cells.Count - 1; i++)
        {
            Assert.Equal(predicted[i], scores[i] > 0);
            Assert.Equal(model.LabelOf(probabilities[i]) == PositiveClass, predicted[i]);
        }

        Assert.True(float.IsNaN(scores[^1]) && float.IsNaN(probabilities[^1]) && !predicted[^1], "an unreadable image scores NaN");

        // ML.NET skips the NaN row, and counts the cell at the threshold as positive, as BinaryEvaluator does.
        var mlNet = mlContext.BinaryClassification.Evaluate(scored, labelColumnName: IsPositiveColumn);
        var (p, y) = ReadPredictions(scored);
        var ours = BinaryEvaluator.Evaluate(p.Take(cells.Count - 1).Select(v => (double)v), y.Take(cells.Count - 1), threshold);
        Assert.Equal(ours.Accuracy, mlNet.Accuracy, 12);
        AssertSameConfusion(ours, mlNet);
    }

    [Fact]
    public void SchemaPassesInputColumnsThroughAndRefusesBadInputs()
    {
        using var model = new MalariaModel(new MeanScorer(), new ModelMetadata
        {
            ModelKind = ModelCatalog.BasicCnn,
            InputWidth = 8,
            InputHeight = 8,
            ClassNames = ["Uninfected", PositiveClass],
            PositiveClass = PositiveClass,
        });
        var mlContext = new MLContext(seed: 1);
        var view = MlNetImagePipeline.ToDataView(mlContext, TestData.SampleCells(2));
        var transformer = model.AsTransformer();

        var schema = transformer.GetOutputSchema(view.Schema);
        Assert.Equal(
            [nameof(CellImageRow.ImagePath), nameof(CellImageRow.Label), nameof(CellImageRow.Patient), "Score", "Probability", "PredictedLabel"],
            schema.Select(c => c.Name));
        Assert.Equal(NumberDataViewType.Single, schema["Score"].Type);
        Assert.Equal(BooleanDataViewType.Instance, schema["PredictedLabel"].Type);
        Assert.False(transformer.IsRowToRowMapper);

        // Input columns pass through, and the view can be read again without scoring again.
        var scored = transformer.Transform(view);
        Assert.Equal(view.GetColumn<string>(nameof(CellImageRow.Label)), scored.GetColumn<string>(nameof(CellImageRow.Label)));
        Assert.Equal(scored.GetColumn<float>("Probability").ToArray(), scored.GetColumn<float>("Probability").ToArray());
        Assert.Equal(4, scored.GetRowCount());

        Assert.Throws<ArgumentException>(() => model.AsTransformer("NoSuchColumn").Transform(view));
        var numbers = mlContext.Data.LoadFromEnumerable(new[] { new NumberRow { ImagePath = 1f } });
        Assert.Throws<ArgumentException>(() => transformer.Transform(numbers));
        using var stream = new MemoryStream();
        Assert.Throws<NotSupportedException>(() => mlContext.Model.Save(transformer, view.Schema, stream));
    }

    private static ITransformer LabelMapping(MLContext mlContext, IDataView cells)
        => mlContext.Transforms.CustomMapping<LabelInput, LabelOutput>((input, output) => output.IsParasitized = input.Label == PositiveClass, contractName: null)
            .Fit(cells);

    private static (float[] Probabilities, bool[] Labels) ReadPredictions(IDataView scored)
        => (scored.GetColumn<float>(MalariaModelTransformer.ProbabilityColumn).ToArray(), scored.GetColumn<bool>(IsPositiveColumn).ToArray());

    private static void AssertSameConfusion(BinaryMetrics ours, CalibratedBinaryClassificationMetrics mlNet)
    {
        // ML.NET's matrix: rows are the true class, columns the predicted class, positive first.
        var counts = mlNet.ConfusionMatrix.Counts;
        Assert.Equal([ours.Tp, ours.Fn, ours.Fp, ours.Tn], new[] { counts[0][0], counts[0][1], counts[1][0], counts[1][1] }.Select(c => (int)c));
    }

    public sealed class LabelInput
    {
        public string Label { get; set; } = "";
    }

    public sealed class LabelOutput
    {
        public bool IsParasitized { get; set; }
    }

    public sealed class NumberRow
    {
        public float ImagePath { get; set; }
    }

    /// <summary>Scores an image by its mean byte, so a test can put a probability exactly on the threshold.</summary>
    private sealed class MeanScorer : ICellScorer
    {
        public static float ProbabilityOf(RgbImage image) => (float)(image.Pixels.Average(b => (double)b) / 255);

        public float[] Score(IReadOnlyList<RgbImage> images) => images.Select(ProbabilityOf).ToArray();

        public IReadOnlyDictionary<string, byte[]> Save() => new Dictionary<string, byte[]>();

        public void Dispose()
        {
        }
    }
}

// MalariaML the ML.NET way: cells as an IDataView, an estimator in a pipeline, ML.NET's own evaluator, and the
// fitted model saved and loaded.
//
//   dotnet run -- CELL_IMAGES_FOLDER          # Parasitized/ and Uninfected/ sub-folders; 1 epoch by default
//   MALARIA_EPOCHS=5 dotnet run -- FOLDER
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.MLNet;
using MalariaML.Models;
using MalariaML.Splits;
using MalariaML.Training;
using Microsoft.ML;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: MalariaDetection.MLNet CELL_IMAGES_FOLDER");
    return 2;
}

var mlContext = new MLContext(seed: 42);

// Test patients are kept apart from training patients: the split is by patient, read from the file names.
var dataset = CellDataset.Load(args[0]);
var split = DatasetSplitter.Split(dataset.Summarize().Usable, SplitStrategy.Patient, new SplitRatios(0.7, 0.0, 0.3), seed: 42);
IDataView View(IEnumerable<CellImage> cells) =>
    mlContext.Data.LoadFromEnumerable(cells.Select(c => new Cell { ImagePath = c.Path, Label = c.Label == dataset.PositiveClass }));

// The estimator holds back a tenth of the training patients itself to choose the best epoch.
var epochs = int.TryParse(Environment.GetEnvironmentVariable("MALARIA_EPOCHS"), out var n) ? n : 1;
var pipeline = mlContext.BinaryClassification.Trainers.MalariaModel(new ModelTrainingOptions { Model = ModelCatalog.BasicCnn, Epochs = epochs });
using var model = pipeline.Fit(View(split.Train));

// Scoring is lazy and batched; ML.NET's evaluator reads the Score, Probability and PredictedLabel columns.
var predictions = model.Transform(View(split.Test));
var metrics = mlContext.BinaryClassification.Evaluate(predictions);
Console.WriteLine($"test patients: accuracy {metrics.Accuracy:F4}, F1 {metrics.F1Score:F4}, AUC {metrics.AreaUnderRocCurve:F4}");
Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

// The fitted model is a .malaria file; loaded again it scores exactly as before.
var file = Path.Combine(Path.GetTempPath(), "mlnet-sample.malaria");
model.Save(file);
using var loaded = MalariaModelTransformer.Load(file);
var first = mlContext.Data.CreateEnumerable<Scored>(loaded.Transform(View(split.Test.Take(3))), reuseRowObject: false);
foreach (var row in first)
{
    Console.WriteLine($"{Path.GetFileName(row.ImagePath)}: probability {row.Probability:F3}, parasitized {row.PredictedLabel}");
}

return 0;

internal sealed class Cell
{
    public string ImagePath { get; set; } = "";

    public bool Label { get; set; }
}

internal sealed class Scored
{
    public string ImagePath { get; set; } = "";

    public float Probability { get; set; }

    public bool PredictedLabel { get; set; }
}

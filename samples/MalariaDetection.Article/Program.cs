// The article "Detecting malaria with deep learning", step by step, with the MalariaML library:
// load the cells, summarise them, split them by patient, train the article's three models, evaluate each on the
// held-out patients, compare them, and save, load and use the best one.
//
//   dotnet run                        # the repository's embedded sample (289 cells): small images, 3 epochs
//   dotnet run -- DIR                 # any cell_images folder (Parasitized/, Uninfected/) with the models' own settings
//   MALARIA_EPOCHS=5 dotnet run -- DIR
using System.Globalization;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Splits;
using MalariaML.Training;

var embedded = args.Length == 0;
var folder = embedded ? EmbeddedSample() : args[0];
int? epochs = int.TryParse(Environment.GetEnvironmentVariable("MALARIA_EPOCHS"), out var n) ? n : embedded ? 3 : null;
int? imageSize = embedded ? 64 : null; // the sample is tiny: small images keep it to a couple of minutes

// 1. Load: one folder per class; the patient is read from each file name.
var dataset = CellDataset.Load(folder);
Console.WriteLine($"{dataset.Cells.Count} images in {string.Join(", ", dataset.Classes)}");

// 2. Summarise: every image is decoded once; unusable files are listed, never fatal.
var summary = dataset.Summarize();
foreach (var c in dataset.Classes)
{
    Console.WriteLine($"  {c,-12} {summary.Classes[c],6} cells from {summary.Patients[c],3} patients");
}

Console.WriteLine(Invariant($"  image sizes {summary.Width.Min}-{summary.Width.Max} px wide (median {summary.Width.Median:F0}); {summary.Skipped.Count} files skipped"));

// 3. Split by patient, as the article's 63:7:30: no patient has cells in two parts, so the test metrics are honest.
var split = DatasetSplitter.Split(summary.Usable, SplitStrategy.Patient, SplitRatios.Article, seed: 42);
Console.WriteLine($"train {split.Train.Count}, validation {split.Validation.Count}, test {split.Test.Count} cells");

// 4. Train the article's three models; 5. evaluate each on the test patients; 6. compare them.
var comparison = ModelComparison.Empty;
var best = (Name: "", F1: -1.0, File: "");
foreach (var kind in new[] { ModelCatalog.BasicCnn, ModelCatalog.ResNet18Frozen, ModelCatalog.ResNet18FineTune })
{
    Console.WriteLine($"\n{kind}: {ModelCatalog.Describe(kind)}");
    var options = new ModelTrainingOptions { Model = kind, Epochs = epochs, ImageSize = imageSize };
    var trained = ModelTrainer.Train(split, dataset.Classes, dataset.PositiveClass, options, training: new Print<TrainingProgress>(p =>
    {
        if (p.Completed is { } epoch)
        {
            Console.WriteLine($"  {epoch}");
        }
    }));
    using var model = trained.Model;
    var test = model.Evaluate(split.Test).Metrics;
    Console.WriteLine(Invariant($"  test: accuracy {test.Accuracy:F4}  precision {test.Precision:F4}  recall {test.Recall:F4}  F1 {test.F1:F4}  AUC {test.Auc:F4}"));
    comparison = comparison.Add(kind, test);

    var file = Path.Combine(Path.GetTempPath(), $"article-{kind}.malaria");
    model.Save(file);
    best = test.F1 > best.F1 ? (kind, test.F1, file) : best;
}

Console.WriteLine();
Console.Write(comparison.ToConsoleTable());

// 7. Save, load and predict: the best model on one test cell, as a lab would use it.
using (var model = MalariaModel.Load(best.File))
{
    var cell = split.Test[0];
    var prediction = model.Predict(cell.Path);
    Console.WriteLine(Invariant($"\n{best.Name} says {prediction.Label} ({prediction.Probability:F3}) for {Path.GetFileName(cell.Path)}, labelled {cell.Label}"));
}

return 0;

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

// data/sample/cell_images of the repository, found by walking up from the app's folder to MalariaML.sln.
static string EmbeddedSample()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "MalariaML.sln")))
        {
            return Path.Combine(dir.FullName, "data", "sample", "cell_images");
        }
    }

    throw new DirectoryNotFoundException("no data folder given and no MalariaML.sln above the app to find the embedded sample");
}

// Progress<T> reports on the thread pool, out of order; the epochs should print as they finish.
internal sealed class Print<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}

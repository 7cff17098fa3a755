// The article "Detecting malaria with deep learning", step by step, with the MalariaML library:
// load the cells, summarise them, split them by patient, train three models, evaluate them, compare them.
//
//   dotnet run                      # the repository's embedded sample (289 cells), small settings, a couple of minutes
//   dotnet run -- DIR               # any cell_images folder (Parasitized/, Uninfected/), the models' own settings
//   dotnet run -- DIR --epochs 5 --image-size 96 --models basic-cnn,resnet18-frozen --out runs
//
// Every option can also be set with an environment variable (MALARIA_EPOCHS=5 ...); see README.md.
using System.Diagnostics;
using System.Globalization;
using MalariaML;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Models;
using MalariaML.Splits;
using MalariaML.Training;

try
{
    var options = ArticleOptions.Parse(args);
    return Run(options);
}
catch (Exception e) when (e is ArgumentException or FormatException or MalariaMLException or IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

static int Run(ArticleOptions o)
{
    var clock = Stopwatch.StartNew();
    Console.WriteLine($"data: {o.DataDirectory}{(o.IsEmbeddedSample ? " (the repository's embedded sample: small settings)" : "")}");
    Console.WriteLine($"settings: models {string.Join(", ", o.Models)}; image size {o.ImageSize?.ToString(CultureInfo.InvariantCulture) ?? "model default"}; " +
                      $"epochs {o.Epochs?.ToString(CultureInfo.InvariantCulture) ?? "model default"}; batch size {o.BatchSize?.ToString(CultureInfo.InvariantCulture) ?? "model default"}; " +
                      $"split {o.Ratios} by patient, seed {o.Seed}; device {o.Device}");

    // 1. Load: one folder per class, the patient is read from each file name.
    Section("1. Load the data");
    var dataset = CellDataset.Load(o.DataDirectory);
    Console.WriteLine($"{dataset.Cells.Count} files in classes {string.Join(", ", dataset.Classes)} (positive class: {dataset.PositiveClass})");

    // 2. Summary: every image is decoded once; unusable files are listed, never fatal.
    Section("2. Summary");
    var scan = DatasetScanner.Scan(dataset, progress: new StageProgress());
    var summary = DatasetSummary.From(scan);
    foreach (var c in dataset.Classes)
    {
        Console.WriteLine($"{c,-12} {summary.Classes[c],6} cells from {summary.Patients[c],4} patients");
    }

    Console.WriteLine($"{"total",-12} {summary.Total,6} cells from {summary.PatientCount,4} patients");
    Console.WriteLine(Invariant($"image width  min {summary.Width.Min}, mean {summary.Width.Mean:F1}, median {summary.Width.Median:F1}, max {summary.Width.Max}"));
    Console.WriteLine(Invariant($"image height min {summary.Height.Min}, mean {summary.Height.Mean:F1}, median {summary.Height.Median:F1}, max {summary.Height.Max}"));
    foreach (var skipped in summary.Skipped)
    {
        Console.WriteLine($"skipped {skipped.Path}: {skipped.Reason}");
    }

    // 3. Split by patient: no patient has cells in two parts, so the test metrics are honest.
    Section("3. Split by patient");
    var split = DatasetSplitter.Split(scan.UsableDataset, SplitStrategy.Patient, o.Ratios, o.Seed);
    foreach (var part in Enum.GetValues<SplitPart>())
    {
        var cells = split[part];
        Console.WriteLine($"{part,-10} {cells.Count,6} cells ({cells.Count(dataset.IsPositive),5} {dataset.PositiveClass}) from {cells.Select(c => c.PatientKey).Distinct().Count(),4} patients");
    }

    if (o.OutputDirectory is not null)
    {
        Directory.CreateDirectory(o.OutputDirectory);
        split.Save(Path.Combine(o.OutputDirectory, "split.json"), dataset.Root);
    }

    // 4. Train each model on the same split; 5. evaluate it on the held-out test part.
    var comparison = ModelComparison.Empty;
    foreach (var name in o.Models)
    {
        Section($"4. Train {name}");
        Console.WriteLine(ModelCatalog.Get(name).Description);
        var trainingOptions = new ModelTrainingOptions
        {
            Model = name,
            ImageSize = o.ImageSize,
            Epochs = o.Epochs,
            BatchSize = o.BatchSize,
            Seed = o.Seed,
            Device = o.Device,
        };
        var modelClock = Stopwatch.StartNew();
        var trained = ModelTrainer.Train(split, dataset.Classes, dataset.PositiveClass, trainingOptions, new StageProgress(), new EpochPrinter());
        Console.WriteLine(Invariant($"best epoch {trained.Training.BestEpoch} of {trained.Training.History.Epochs.Count}{(trained.Training.StoppedEarly ? " (stopped early)" : "")}, {modelClock.Elapsed.TotalSeconds:F0} s"));

        Section($"5. Evaluate {name} on the test part");
        if (!trained.Metrics.TryGetValue("test", out var test))
        {
            Console.WriteLine("no test cells: nothing to evaluate (use a test ratio above 0)");
            trained.Model.Dispose();
            continue;
        }

        Console.WriteLine(Invariant($"accuracy {test.Accuracy:F4}  precision {test.Precision:F4}  recall {test.Recall:F4}  F1 {test.F1:F4}  AUC {(double.IsNaN(test.Auc) ? "n/a" : test.Auc.ToString("F4", CultureInfo.InvariantCulture))}  MCC {test.Mcc:F4}"));
        Console.WriteLine($"confusion matrix on {test.Count} cells: TP {test.Tp}  FP {test.Fp}  TN {test.Tn}  FN {test.Fn}");
        comparison = comparison.Add(name, test);

        if (o.OutputDirectory is not null)
        {
            var path = Path.Combine(o.OutputDirectory, name + ".malaria");
            trained.Model.Save(path);
            Console.WriteLine($"saved {path}");
        }

        trained.Model.Dispose();
    }

    // 6. The article's comparison table.
    Section("6. Compare");
    Console.Write(comparison.ToConsoleTable());
    if (o.OutputDirectory is not null)
    {
        var path = Path.Combine(o.OutputDirectory, "comparison.md");
        File.WriteAllText(path, comparison.ToMarkdown());
        Console.WriteLine($"saved {path}");
    }

    Console.WriteLine(Invariant($"done in {clock.Elapsed.TotalSeconds:F0} s"));
    return 0;
}

static void Section(string title)
{
    Console.WriteLine();
    Console.WriteLine($"== {title}");
}

static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

/// <summary>The sample's settings: command-line arguments, then MALARIA_* environment variables, then defaults.</summary>
internal sealed record ArticleOptions(
    string DataDirectory, bool IsEmbeddedSample, IReadOnlyList<string> Models, int? ImageSize, int? Epochs, int? BatchSize,
    SplitRatios Ratios, int Seed, string Device, string? OutputDirectory)
{
    private const string Usage = "usage: MalariaDetection.Article [DIR] [--models a,b,c] [--image-size N] [--epochs N] [--batch-size N] " +
                                 "[--ratios train,validation,test] [--seed N] [--device auto|cpu|cuda] [--out DIR]";

    private static readonly string[] ArticleModels = [ModelCatalog.BasicCnn, ModelCatalog.ResNet18Frozen, ModelCatalog.ResNet18FineTune];

    public static ArticleOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string? data = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException($"{arg} needs a value\n{Usage}");
                }

                values[arg[2..]] = args[++i];
            }
            else if (data is null)
            {
                data = arg;
            }
            else
            {
                throw new ArgumentException($"unexpected argument '{arg}'\n{Usage}");
            }
        }

        string? Get(string name)
        {
            if (values.Remove(name, out var value))
            {
                return value;
            }

            var variable = Environment.GetEnvironmentVariable("MALARIA_" + name.Replace('-', '_').ToUpperInvariant());
            return string.IsNullOrWhiteSpace(variable) ? null : variable;
        }

        int? GetInt(string name)
        {
            var text = Get(name);
            if (text is null)
            {
                return null;
            }

            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new ArgumentException($"--{name} must be a positive whole number, got '{text}'");
        }

        data ??= Get("data");
        var embedded = data is null;
        data ??= FindEmbeddedSample();
        var models = (Get("models")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) ?? ArticleModels).ToList();
        foreach (var model in models)
        {
            _ = ModelCatalog.Get(model); // fails early, naming the known models
        }

        var options = new ArticleOptions(
            Path.GetFullPath(data),
            embedded,
            models,
            GetInt("image-size") ?? (embedded ? 64 : null),
            GetInt("epochs") ?? (embedded ? 3 : null),
            GetInt("batch-size") ?? (embedded ? 32 : null),
            Get("ratios") is { } ratios ? SplitRatios.Parse(ratios) : SplitRatios.Article,
            Get("seed") is { } seed ? int.Parse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture) : 42,
            Get("device") ?? "auto",
            Get("out"));
        if (values.Count > 0)
        {
            throw new ArgumentException($"unknown option --{values.Keys.First()}\n{Usage}");
        }

        return options;
    }

    /// <summary>data/sample/cell_images of the repository: walks up from the app's folder to the one holding MalariaML.sln.</summary>
    private static string FindEmbeddedSample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MalariaML.sln")))
            {
                return Path.Combine(dir.FullName, "data", "sample", "cell_images");
            }
        }

        throw new ArgumentException($"no data folder given and no MalariaML.sln above {AppContext.BaseDirectory} to find the embedded sample\n{Usage}");
    }
}

/// <summary>Prints one line per tenth of a long job (decoding, feature extraction), in order, from any thread.</summary>
internal sealed class StageProgress : IProgress<WorkProgress>
{
    private readonly Lock _lock = new();
    private string? _stage;
    private int _printedTenth = -1;

    public void Report(WorkProgress value)
    {
        if (value.Total <= 0)
        {
            return;
        }

        lock (_lock)
        {
            if (value.Stage != _stage)
            {
                _stage = value.Stage;
                _printedTenth = -1;
            }

            var tenth = (int)(10L * value.Done / value.Total);
            if (tenth > _printedTenth && (tenth == 10 || value.Total >= 1000))
            {
                _printedTenth = tenth;
                Console.WriteLine($"  {value.Stage}: {value.Done}/{value.Total}");
            }
        }
    }
}

/// <summary>One Keras-style line per finished epoch.</summary>
internal sealed class EpochPrinter : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        if (value.Completed is { } e)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  Epoch {e.Epoch}/{value.Epochs} - {e.Seconds:F0}s - loss: {e.Loss:F4} - accuracy: {e.Accuracy:F4} - val_loss: {e.ValidationLoss:F4} - val_accuracy: {e.ValidationAccuracy:F4} - lr: {e.LearningRate:0.0e+00}"));
        }
    }
}

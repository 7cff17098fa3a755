using System.CommandLine;
using MalariaML.Cli.Output;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Models;
using MalariaML.Splits;
using MalariaML.Training;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria train</c>: trains one model on a split and saves it as a <c>.malaria</c> file.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var flags = new TrainingFlags();
        var split = CellSelection.SplitOption();
        var by = new Option<SplitStrategy>("--by") { Description = "Split strategy when no --split is given.", DefaultValueFactory = _ => SplitStrategy.Patient };
        var ratios = new Option<string>("--ratios") { Description = "Train, validation, test shares when no --split is given.", DefaultValueFactory = _ => SplitRatios.Default.ToString() };
        var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint beside --out." };
        var output = new Option<string>("--out") { Description = "Model file to write (.malaria).", Required = true };
        var positive = new Option<string>("--positive") { Description = "Positive class.", DefaultValueFactory = _ => new DatasetOptions().PositiveClass };
        var command = new Command("train", "Train a model on a patient-disjoint (or given) split and save it.") { split, by, ratios, resume, output, positive };
        foreach (var flag in flags.All)
        {
            command.Options.Add(flag);
        }

        command.SetAction((result, token) =>
        {
            var outPath = Path.GetFullPath(result.GetValue(output)!);
            var dataDir = result.GetValue(flags.Data)!;
            var trainingOptions = flags.Read(result);
            var positiveClass = result.GetValue(positive)!;
            var (dataSplit, dataset) = LoadOrMakeSplit(dataDir, result.GetValue(split), result.GetValue(by), SplitRatios.Parse(result.GetValue(ratios)!),
                trainingOptions.Seed, positiveClass, outPath + ".split.json");

            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(token);
            ConsoleCancelEventHandler onCancel = (_, e) =>
            {
                e.Cancel = true;
                cancel.Cancel();
                Console.Error.WriteLine();
                Console.Error.WriteLine("stopping after this batch; the last epoch's checkpoint is kept (resume with --resume)");
            };
            Console.CancelKeyPress += onCancel;
            try
            {
                var options = trainingOptions with { CheckpointPath = outPath + ".checkpoint", Resume = result.GetValue(resume) };
                AnsiConsole.MarkupLine($"training [bold]{options.Model}[/] on {dataSplit.Train.Count} cells ({dataSplit.Validation.Count} validation, {dataSplit.Test.Count} test), split by {dataSplit.Strategy.ToString().ToLowerInvariant()}");
                var trained = ConsoleProgress.Run("preparing", work =>
                    ModelTrainer.Train(dataSplit, dataset.Classes, positiveClass, options, work, new TrainingConsole(), cancel.Token));
                using var model = trained.Model;
                DataCommands.PrintSkipped(trained.Skipped);
                trained.History.Save(outPath + ".history.csv", outPath + ".history.json");
                if (trained.History.Epochs.Count > 0)
                {
                    AnsiConsole.MarkupLine($"best epoch {trained.BestEpoch} of {trained.History.Epochs.Count}{(trained.StoppedEarly ? " (stopped early)" : "")}, {model.Metadata.TrainingSeconds:F0} s");
                }

                // Evaluating is its own step; the tool runs it on the test part so the file records its honest metrics.
                var metrics = new Dictionary<string, BinaryMetrics>(model.Metadata.Metrics);
                if (dataSplit.Test.Count > 0)
                {
                    var test = ConsoleProgress.Run("evaluating on the test part", p => model.Evaluate(dataSplit.Test, p, cancel.Token));
                    DataCommands.PrintSkipped(test.Skipped);
                    metrics["test"] = test.Metrics;
                    model.UpdateMetadata(m => m with { Metrics = metrics });
                }

                model.Save(outPath);
                EvaluateCommand.PrintMetrics(metrics);
                AnsiConsole.MarkupLine($"[green]model written to {Markup.Escape(outPath)}[/]");
                return Task.FromResult(0);
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
        });
        return command;
    }

    /// <summary><c>--color-aug</c>: colour, stain, blur and noise augmentation of training batches at the documented defaults.</summary>

    private static (DataSplit Split, CellDataset Dataset) LoadOrMakeSplit(string dataDir, string? splitPath, SplitStrategy by, SplitRatios ratios,
        int seed, string positiveClass, string savePath)
    {
        if (splitPath is not null)
        {
            var dataset = CellDataset.Load(dataDir, new DatasetOptions { PositiveClass = positiveClass });
            return (DataSplit.Load(splitPath, dataset.Root), dataset);
        }

        if (File.Exists(savePath))
        {
            // A resumed or repeated run must see the same cells as the first one.
            var dataset = CellDataset.Load(dataDir, new DatasetOptions { PositiveClass = positiveClass });
            AnsiConsole.MarkupLine($"[grey]using the split saved by an earlier run: {Markup.Escape(savePath)}[/]");
            return (DataSplit.Load(savePath, dataset.Root), dataset);
        }

        var scan = DataCommands.ScanDataset(dataDir, positiveClass);
        DataCommands.PrintSkipped(scan.Skipped);
        var usable = scan.UsableDataset;
        var split = DatasetSplitter.Split(usable, by, ratios, seed);
        split.Save(savePath, usable.Root);
        AnsiConsole.MarkupLine($"[grey]split saved to {Markup.Escape(savePath)}[/]");
        return (split, usable);
    }
}

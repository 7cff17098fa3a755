using System.CommandLine;
using System.Text;
using System.Text.Json;
using MalariaML.Cli.Output;
using MalariaML.CrossValidation;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Splits;
using MalariaML.Training;
using MalariaML.Training.Augmentation;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary>
/// <c>malaria cv</c>: k-fold cross-validation by patient. Folds are saved as split files in the output folder; a
/// rerun skips the folds that have a result and resumes an interrupted fold from its checkpoint.
/// </summary>
internal static class CrossValidateCommand
{
    public static Command Create()
    {
        var flags = new TrainingFlags();
        var folds = new Option<int>("--folds") { Description = "Number of folds.", DefaultValueFactory = _ => 5 };
        var only = new Option<string?>("--only-folds") { Description = "Run only these folds (1-based, comma-separated), e.g. 1,2; the summary covers every fold with a result." };
        var validation = new Option<double>("--validation-share") { Description = "Share of each fold's training patients kept for validation (best epoch, temperature, patient rule).", DefaultValueFactory = _ => 0.15 };
        var tta = new Option<bool>("--tta") { Description = "Score the test patients with test-time augmentation (8 orientations averaged)." };
        var refit = new Option<bool>("--refit-rule") { Description = "Refit each fold model's patient rule on its validation patients (and save it) before testing, e.g. after the rule fitter changed." };
        var output = new Option<string>("--out") { Description = "Folder for fold splits, models, results and summary.md.", Required = true };
        var positive = new Option<string>("--positive") { Description = "Positive class.", DefaultValueFactory = _ => new DatasetOptions().PositiveClass };
        var command = new Command("cv", "Cross-validate a model by patient (every patient in exactly one test fold); resumable.")
        {
            folds, only, validation, tta, refit, output, positive,
        };
        foreach (var flag in flags.All)
        {
            command.Options.Add(flag);
        }

        command.SetAction((result, token) =>
        {
            var outDir = Path.GetFullPath(result.GetValue(output)!);
            Directory.CreateDirectory(outDir);
            var k = result.GetValue(folds);
            var positiveClass = result.GetValue(positive)!;
            var trainingOptions = flags.Read(result);
            var (splits, dataset) = LoadOrMakeFolds(result.GetValue(flags.Data)!, k, trainingOptions.Seed, result.GetValue(validation), positiveClass, outDir);
            var selected = ParseFolds(result.GetValue(only), k);
            var useTta = result.GetValue(tta);
            var results = new List<FoldResult>();
            for (var fold = 1; fold <= k; fold++)
            {
                token.ThrowIfCancellationRequested();
                if (FinishedFold(outDir, fold) is { } finished)
                {
                    results.Add(finished);
                    continue;
                }

                if (!selected.Contains(fold))
                {
                    continue;
                }

                var split = splits[fold - 1];
                var modelPath = Path.Combine(outDir, $"fold-{fold}.malaria");
                var clock = System.Diagnostics.Stopwatch.StartNew();
                if (!File.Exists(modelPath))
                {
                    var options = trainingOptions with { CheckpointPath = modelPath + ".checkpoint", Resume = true };
                    AnsiConsole.MarkupLine($"fold {fold}/{k}: training [bold]{trainingOptions.Model}[/] on {split.Train.Count} cells ({split.Validation.Count} validation), testing on {split.Test.Count} cells of {split.Test.Select(c => c.PatientKey).Distinct().Count()} patients");
                    var trained = ConsoleProgress.Run("preparing", work => ModelTrainer.Train(split, dataset.Classes, positiveClass, options, work, new TrainingConsole(), token));
                    using (trained.Model)
                    {
                        trained.Model.Save(modelPath);
                    }

                    trained.History.Save(modelPath + ".history.csv", modelPath + ".history.json");
                }

                using var loaded = MalariaModel.Load(modelPath, trainingOptions.Device);
                if (result.GetValue(refit))
                {
                    var rule = ConsoleProgress.Run($"fold {fold}: refitting the patient rule", p => Inference.PatientCalls.PatientRuleRefit.Fit(loaded, split.Validation, positiveClass, trainingOptions.TargetPatientSensitivity, p, token));
                    loaded.UpdateMetadata(m => m with { PatientRule = rule });
                    loaded.Save(modelPath);
                }

                var foldResult = TestFold(loaded, split, fold, positiveClass, useTta, outDir, token);
                File.Delete(modelPath + ".checkpoint");
                results.Add(foldResult);
                AnsiConsole.MarkupLine(FormattableString.Invariant($"[grey]fold {fold}: {clock.Elapsed.TotalMinutes:F1} min in all[/]"));
            }

            var title = $"{trainingOptions.Model}, {k}-fold cross-validation by patient (seed {trainingOptions.Seed}){(trainingOptions.ColorAugmentation is not null ? ", colour augmentation" : "")}{(trainingOptions.StainNormalization ? ", stain normalisation" : "")}{(trainingOptions.Schedule == LearningRateSchedule.WarmupCosine ? ", warm-up + cosine schedule" : "")}{(useTta ? ", TTA" : "")}";
            WriteSummary(outDir, results, title);
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>The fold's saved result when it has one (a rerun resumes after it), else null.</summary>
    internal static FoldResult? FinishedFold(string outDir, int fold)
    {
        var resultPath = Path.Combine(outDir, $"fold-{fold}.result.json");
        if (!File.Exists(resultPath))
        {
            return null;
        }

        AnsiConsole.MarkupLine($"[grey]fold {fold}: result found, skipped ({Markup.Escape(resultPath)})[/]");
        return FoldResult.Load(resultPath);
    }

    /// <summary>
    /// Scores a fold's test patients with its model and writes <c>fold-N.result.json</c> and <c>fold-N.patients.csv</c>.
    /// </summary>
    internal static FoldResult TestFold(MalariaModel loaded, DataSplit split, int fold, string positiveClass, bool useTta, string outDir, CancellationToken token)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        loaded.TestTimeAugmentation = useTta;
        var evaluation = ConsoleProgress.Run($"fold {fold}: scoring test patients", p => TrustEvaluation.Run(loaded, split.Test, positiveClass, p, token));
        var m = loaded.Metadata;
        var foldResult = new FoldResult(fold, evaluation.Cells.Count, evaluation.Patients.Count, evaluation.Patients.Count(p => !p.Infected),
            evaluation.Cells.Accuracy, evaluation.Cells.F1, evaluation.Cells.Auc, evaluation.Ece,
            evaluation.PatientSensitivity, evaluation.PatientSpecificity, evaluation.ParasitemiaMae, evaluation.HealthyCalledPositive, evaluation.Flagged,
            loaded.Temperature, m.Calibration?.EceBefore ?? double.NaN, m.Calibration?.EceAfter ?? double.NaN, loaded.PatientRule.Describe(),
            m.EpochsRun, m.BestEpoch, m.TrainingSeconds, useTta);
        WritePatients(Path.Combine(outDir, $"fold-{fold}.patients.csv"), evaluation);
        foldResult.Save(Path.Combine(outDir, $"fold-{fold}.result.json"));
        AnsiConsole.MarkupLine(FormattableString.Invariant($"fold {fold}: accuracy {foldResult.Accuracy:P2}, AUC {foldResult.Auc:F4}, ECE {foldResult.Ece:F4}, patients sens {foldResult.PatientSensitivity:P0} spec {foldResult.PatientSpecificity:P0}, rule: {foldResult.Rule} (scored in {clock.Elapsed.TotalMinutes:F1} min)"));
        return foldResult;
    }

    /// <summary>Writes and prints <c>summary.md</c> and <c>summary.json</c> over the folds with a result.</summary>
    internal static void WriteSummary(string outDir, IReadOnlyList<FoldResult> results, string title)
    {
        var markdown = CrossValidationSummary.ToMarkdown(results, title);
        AtomicFile.WriteAllBytes(Path.Combine(outDir, "summary.md"), Encoding.UTF8.GetBytes(markdown));
        AtomicFile.WriteAllBytes(Path.Combine(outDir, "summary.json"), JsonSerializer.SerializeToUtf8Bytes(results, FoldResult.JsonOptions));
        Console.WriteLine(markdown);
    }

    internal static HashSet<int> ParseFolds(string? text, int folds)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [.. Enumerable.Range(1, folds)];
        }

        var set = new HashSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, out var fold) || fold < 1 || fold > folds)
            {
                throw new FormatException($"--only-folds: '{part}' is not a fold between 1 and {folds}");
            }

            set.Add(fold);
        }

        return set;
    }

    // The folds are made once and saved; a rerun (resume) reads them back so every fold sees the same patients.
    private static (IReadOnlyList<DataSplit> Splits, CellDataset Dataset) LoadOrMakeFolds(string dataDir, int folds, int seed, double validationShare, string positiveClass, string outDir)
    {
        var paths = Enumerable.Range(1, folds).Select(f => Path.Combine(outDir, $"fold-{f}.split.json")).ToList();
        if (paths.All(File.Exists))
        {
            var dataset = CellDataset.Load(dataDir, new DatasetOptions { PositiveClass = positiveClass });
            var loaded = paths.Select(p => DataSplit.Load(p, dataset.Root)).ToList();
            if (loaded.Any(s => s.Seed != seed))
            {
                throw new MalariaMLException($"{outDir}: its fold splits were made with seed {loaded[0].Seed}, not {seed}; use another --out or the same seed");
            }

            AnsiConsole.MarkupLine($"[grey]using the {folds} fold splits saved in {Markup.Escape(outDir)}[/]");
            return (loaded, dataset);
        }

        var scan = DataCommands.ScanDataset(dataDir, positiveClass);
        DataCommands.PrintSkipped(scan.Skipped);
        var usable = scan.UsableDataset;
        var splits = PatientFolds.Split(usable.Cells, folds, seed, validationShare);
        for (var f = 0; f < folds; f++)
        {
            splits[f].Save(paths[f], usable.Root);
        }

        AnsiConsole.MarkupLine($"[grey]{folds} fold splits saved to {Markup.Escape(outDir)}[/]");
        return (splits, usable);
    }

    private static void WritePatients(string path, TrustEvaluation evaluation)
    {
        var sb = new StringBuilder("patient,cells,parasitized,parasitemia,true_parasitemia,infected,call,shifted\n");
        foreach (var p in evaluation.Patients)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"{PredictCommand.Csv(p.Call.Patient)},{p.Call.Cells},{p.Call.Parasitized},{p.Call.Parasitemia:F4},{p.TrueParasitemia:F4},{(p.Infected ? "yes" : "no")},{p.Call.Call},{(p.Call.Shifted ? "yes" : "no")}\n");
        }

        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(sb.ToString()));
    }
}

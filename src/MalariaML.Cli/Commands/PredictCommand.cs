using System.CommandLine;
using System.Globalization;
using MalariaML.Cli.Output;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Inference.PatientCalls;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria predict</c>: scores cells from files or folders, writes per-cell and per-patient CSVs.</summary>
internal static class PredictCommand
{

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Image files or folders (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Model file (.malaria).", Required = true };
        var threshold = new Option<double?>("--threshold") { Description = "Probability at which a cell is called parasitized (default: the model's)." };
        var output = new Option<string?>("--out") { Description = "Per-cell CSV: path,patient,label,probability." };
        var summary = new Option<string?>("--summary") { Description = "Per-patient CSV: patient,cells,parasitized,parasitemia,ci_low,ci_high,call,shifted (call by the model's patient rule)." };
        var tta = new Option<bool>("--tta") { Description = "Test-time augmentation: average each cell over its 8 orientations (8x the work)." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var engine = new Option<ScoringEngine>("--engine")
        {
            Description = "What runs the network: auto (the faster: ONNX Runtime), torchsharp or onnxruntime. The ML.NET baseline ignores it.",
            DefaultValueFactory = _ => ScoringEngine.Auto,
        };
        var command = new Command("predict", "Predict cells and report parasitemia per patient.") { paths, model, threshold, output, summary, device, engine, tta };
        command.SetAction(result =>
        {
            using var loaded = MalariaModel.Load(result.GetValue(model)!, result.GetValue(device)!, result.GetValue(engine));
            if (result.GetValue(threshold) is { } t)
            {
                loaded.UpdateMetadata(m => m with { Threshold = t });
            }

            loaded.TestTimeAugmentation = result.GetValue(tta);

            var files = Expand(result.GetValue(paths)!);
            var batch = ConsoleProgress.Run("predicting", p => loaded.PredictMany(files, p));
            foreach (var skipped in batch.Skipped)
            {
                Console.Error.WriteLine($"skipped {skipped.Path}: {skipped.Reason}");
            }

            if (batch.Predictions.Count == 0)
            {
                return CliErrors.Fail($"no cell could be scored ({files.Count} file(s) given, {batch.Skipped.Count} unusable)");
            }

            var rule = loaded.PatientRule;
            var patients = PatientCall.Summarise(batch.Predictions, rule);
            if (result.GetValue(output) is { } csv)
            {
                PredictionCsv.WriteCells(csv, batch.Predictions);
            }

            if (result.GetValue(summary) is { } summaryCsv)
            {
                PredictionCsv.WritePatients(summaryCsv, patients);
            }

            var table = new Table().AddColumns("patient", "cells", "parasitized", "parasitemia", "95% CI", "call", "note");
            foreach (var p in patients.Take(100))
            {
                table.AddRow(Markup.Escape(p.Patient), I(p.Cells), I(p.Parasitized), P(p.Parasitemia), $"{P(p.CiLow)} - {P(p.CiHigh)}", p.Call,
                    p.Shifted ? "[yellow]cells unlike the training data: check the slide[/]" : "");
            }

            AnsiConsole.Write(table);
            if (patients.Count > 100)
            {
                AnsiConsole.MarkupLine($"... {patients.Count - 100} more patients (see --summary)");
            }

            AnsiConsole.MarkupLine(Markup.Escape(DescribeRule(loaded.Metadata.PatientRule, rule)));
            AnsiConsole.MarkupLine($"{batch.Predictions.Count} cells scored, {batch.Predictions.Count(p => p.IsPositive)} parasitized, {batch.Skipped.Count} skipped");
            return 0;
        });
        return command;
    }

    /// <summary>The patient rule and how it did on the validation patients, or why a model has none.</summary>
    internal static string DescribeRule(PatientRule? stored, PatientRule rule)
    {
        if (stored is null)
        {
            return $"call: {rule.Describe()} (this model file has no fitted patient rule)";
        }

        if (stored.Fit is not { } fit)
        {
            return $"call: {rule.Describe()}";
        }

        return FormattableString.Invariant($"call: {rule.Describe()}; fitted on {fit.InfectedPatients} infected and {fit.HealthyPatients} healthy validation patients for sensitivity >= {rule.TargetSensitivity:P0}: sensitivity {fit.Sensitivity:P0}, specificity {fit.Specificity:P0}{(fit.Reached ? "" : " (target not reached)")}");
    }

    internal static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(CellDataset.ImageFiles(path));
            }
            else if (File.Exists(path))
            {
                files.Add(path);
            }
            else
            {
                throw new FileNotFoundException($"{path}: no such file or folder");
            }
        }

        return files;
    }

    internal static string Csv(string value) => PredictionCsv.Csv(value);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string P(double v) => v.ToString("P1", CultureInfo.InvariantCulture);
}

using System.CommandLine;
using System.Globalization;
using MalariaML.Cli.Output;
using MalariaML.Inference;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria predict</c>: scores cells from files or folders, writes per-cell and per-patient CSVs.</summary>
internal static class PredictCommand
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp" };

    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "Image files or folders (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Model file (.malaria).", Required = true };
        var threshold = new Option<double?>("--threshold") { Description = "Probability at which a cell is called parasitized (default: the model's)." };
        var output = new Option<string?>("--out") { Description = "Per-cell CSV: path,patient,label,probability." };
        var summary = new Option<string?>("--summary") { Description = "Per-patient CSV: patient,cells,parasitized,parasitemia,ci_low,ci_high." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var engine = new Option<ScoringEngine>("--engine")
        {
            Description = "What runs the network: auto (the faster: ONNX Runtime), torchsharp or onnxruntime. The ML.NET baseline ignores it.",
            DefaultValueFactory = _ => ScoringEngine.Auto,
        };
        var command = new Command("predict", "Predict cells and report parasitemia per patient.") { paths, model, threshold, output, summary, device, engine };
        command.SetAction(result =>
        {
            using var loaded = MalariaModel.Load(result.GetValue(model)!, result.GetValue(device)!, result.GetValue(engine));
            if (result.GetValue(threshold) is { } t)
            {
                loaded.UpdateMetadata(m => m with { Threshold = t });
            }

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

            var patients = PatientParasitemia.Summarise(batch.Predictions);
            if (result.GetValue(output) is { } csv)
            {
                PredictionCsv.WriteCells(csv, batch.Predictions);
            }

            if (result.GetValue(summary) is { } summaryCsv)
            {
                PredictionCsv.WritePatients(summaryCsv, patients);
            }

            var table = new Table().AddColumns("patient", "cells", "parasitized", "parasitemia", "95% CI");
            foreach (var p in patients.Take(100))
            {
                table.AddRow(Markup.Escape(p.Patient), I(p.Cells), I(p.Parasitized), P(p.Parasitemia), $"{P(p.CiLow)} - {P(p.CiHigh)}");
            }

            AnsiConsole.Write(table);
            if (patients.Count > 100)
            {
                AnsiConsole.MarkupLine($"... {patients.Count - 100} more patients (see --summary)");
            }

            AnsiConsole.MarkupLine($"{batch.Predictions.Count} cells scored, {batch.Predictions.Count(p => p.IsPositive)} parasitized, {batch.Skipped.Count} skipped");
            return 0;
        });
        return command;
    }

    internal static List<string> Expand(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => ImageExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal));
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

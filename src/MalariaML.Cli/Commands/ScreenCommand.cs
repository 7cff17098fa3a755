using System.CommandLine;
using System.Globalization;
using System.Text;
using MalariaML.Cli.Output;
using MalariaML.Fields;
using MalariaML.Fields.Annotations;
using MalariaML.Inference;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria screen</c>: finds, classifies and counts the cells of whole field photographs.</summary>
internal static class ScreenCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("fields") { Description = "Field photographs or folders of them (searched recursively; a folder of fields is one patient).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Model file (.malaria).", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for cells.csv, fields.csv, patients.csv, overlays/ and crops/.", Required = true };
        var diameter = new Option<double?>("--cell-diameter") { Description = "Red-cell diameter in pixels (default: estimated per field)." };
        var saveCrops = new Option<bool>("--save-crops") { Description = "Write each counted cell to crops/<class>/<field>_cell_<n>.png for review and training." };
        var noOverlays = new Option<bool>("--no-overlays") { Description = "Do not draw overlays/<field>.png." };
        var threshold = new Option<double?>("--threshold") { Description = "Probability at which a cell is called parasitized (default: the model's)." };
        var minCells = new Option<int>("--min-cells") { Description = "Patients with fewer counted cells are flagged.", DefaultValueFactory = _ => new FieldScreeningOptions().MinCells };
        var normalize = new Option<bool>("--normalize-color") { Description = "Move each field's cell colours to the training cells' statistics (Reinhard) before classifying." };
        var pattern = new Option<string?>("--patient-pattern") { Description = "Regular expression on the file name whose first group (or group 'patient') names the patient (default: the parent folder)." };
        var annotations = new Option<string?>("--annotations") { Description = "Box annotations (COCO or IML JSON) of the same fields: also writes annotations.csv comparing detections and calls with the boxes." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("screen", "Find the red cells in whole field photographs, classify and count them per field and per patient.")
            { paths, model, output, diameter, saveCrops, noOverlays, threshold, minCells, normalize, pattern, annotations, device };
        command.SetAction(result =>
        {
            using var loaded = MalariaModel.Load(result.GetValue(model)!, result.GetValue(device)!);
            if (result.GetValue(threshold) is { } t)
            {
                loaded.UpdateMetadata(m => m with { Threshold = t });
            }

            var options = new FieldScreeningOptions
            {
                Segmentation = new FieldSegmentationOptions { CellDiameter = result.GetValue(diameter) },
                NormalizeColor = result.GetValue(normalize),
                MinCells = result.GetValue(minCells),
            };
            var boxes = result.GetValue(annotations) is { } a
                ? FieldAnnotations.Load(a).ToDictionary(f => Path.GetFileName(f.ImageName), StringComparer.OrdinalIgnoreCase)
                : null;
            var screener = new FieldScreener(loaded, options);
            var patients = new FieldPatients(result.GetValue(pattern));
            var files = PredictCommand.Expand(result.GetValue(paths)!);
            var outDir = result.GetValue(output)!;
            var writer = new ScreenWriter(outDir, !result.GetValue(noOverlays), result.GetValue(saveCrops), loaded.Metadata.Threshold);
            var fields = new List<FieldScreening>();
            var comparisons = new List<BoxComparison>();
            var skipped = new List<(string Path, string Reason)>();
            ConsoleProgress.Run("screening", progress =>
            {
                for (var i = 0; i < files.Count; i++)
                {
                    progress.Report(new Data.WorkProgress("screening", i, files.Count));
                    if (!screener.TryDecode(files[i], out var image, out var reason))
                    {
                        skipped.Add((files[i], reason!));
                        continue;
                    }

                    var crops = new List<(FieldObject Object, byte[] Png)>();
                    var screening = screener.Screen(image!, Path.GetFileName(files[i]), patients.Of(files[i]), crops);
                    fields.Add(screening);
                    writer.WriteField(image!, screening, crops);
                    if (boxes?.GetValueOrDefault(screening.Field) is { } annotated)
                    {
                        comparisons.Add(BoxComparison.Compute(screening, annotated));
                    }
                }

                progress.Report(new Data.WorkProgress("screening", files.Count, files.Count));
                return 0;
            });
            foreach (var (path, reason) in skipped)
            {
                Console.Error.WriteLine($"skipped {path}: {reason}");
            }

            if (fields.Count == 0)
            {
                return CliErrors.Fail($"no field could be screened ({files.Count} file(s) given, {skipped.Count} unusable)");
            }

            var summary = PatientScreening.Summarise(fields, options.MinCells);
            writer.WriteTables(fields, summary);
            if (boxes is not null)
            {
                writer.WriteComparisons(comparisons);
                PrintComparisons(comparisons);
            }

            Print(summary, fields);
            return 0;
        });
        return command;
    }

    private static void Print(IReadOnlyList<PatientScreening> patients, IReadOnlyList<FieldScreening> fields)
    {
        var table = new Table().AddColumns("patient", "fields", "cells", "parasitized", "parasitemia", "95% CI", "");
        foreach (var p in patients.Take(100))
        {
            table.AddRow(Markup.Escape(p.Patient), I(p.Fields), I(p.Cells), I(p.Parasitized), P(p.Parasitemia), $"{P(p.CiLow)} - {P(p.CiHigh)}",
                p.TooFewCells ? "[yellow]fewer cells than --min-cells[/]" : "");
        }

        AnsiConsole.Write(table);
        var empty = fields.Count(f => f.Cells == 0);
        AnsiConsole.MarkupLine($"{fields.Count} fields, {fields.Sum(f => f.Cells)} cells counted, {fields.Sum(f => f.Parasitized)} parasitized"
            + (empty > 0 ? $", [yellow]{empty} field(s) with no cell found[/]" : ""));
    }

    private static void PrintComparisons(IReadOnlyList<BoxComparison> comparisons)
    {
        int boxes = comparisons.Sum(c => c.Detection.Boxes), matched = comparisons.Sum(c => c.Detection.Matched);
        int pBoxes = comparisons.Sum(c => c.Detection.ParasitizedBoxes), pMatched = comparisons.Sum(c => c.Detection.ParasitizedMatched);
        int detections = comparisons.Sum(c => c.Detection.Detections), unmatched = comparisons.Sum(c => c.Detection.UnmatchedDetections);
        int pm = comparisons.Sum(c => c.ParasitizedMatched), pc = comparisons.Sum(c => c.ParasitizedCalled);
        int um = comparisons.Sum(c => c.UninfectedMatched), uc = comparisons.Sum(c => c.UninfectedCalled);
        var mae = comparisons.Count == 0 ? 0 : comparisons.Average(c => Math.Abs(c.PredictedParasitemia - c.AnnotatedParasitemia));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"detection: recall {R(matched, boxes)} of {boxes} boxes at IoU 0.5, parasitized {pMatched}/{pBoxes} at IoU 0.3; {detections} objects, {unmatched} match no box (precision >= {R(detections - unmatched, detections)})"));
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
            $"classification of matched cells: parasitized recall {R(pc, pm)} ({pc}/{pm}), false-positive rate on uninfected {R(uc, um)} ({uc}/{um}); per-field parasitemia error {mae * 100:F2} points (mean absolute)"));
    }

    private static string R(int a, int b) => b == 0 ? "-" : ((double)a / b).ToString("0.0000", CultureInfo.InvariantCulture);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    private static string P(double v) => v.ToString("P2", CultureInfo.InvariantCulture);
}

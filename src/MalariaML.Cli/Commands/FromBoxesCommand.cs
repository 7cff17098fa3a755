using System.CommandLine;
using MalariaML.Cli.Output;
using MalariaML.Fields;
using MalariaML.Fields.Annotations;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria data from-boxes</c>: a class-per-folder cell set from fields annotated with boxes.</summary>
internal static class FromBoxesCommand
{
    public static Command Create()
    {
        var annotationFile = new Argument<string>("annotations") { Description = "Box annotations: COCO JSON or the IML malaria format." };
        var fieldsDir = new Argument<string>("fields-dir") { Description = "Folder the annotations' image names are relative to." };
        var output = new Option<string>("--out") { Description = "Cell folder to write (Parasitized/, Uninfected/).", Required = true };
        var parasitized = new Option<string[]>("--parasitized") { Description = "Categories of parasitized cells (default: ring, trophozoite, schizont, gametocyte, parasitized, infected).", AllowMultipleArgumentsPerToken = true };
        var uninfected = new Option<string[]>("--uninfected") { Description = "Categories of uninfected cells (default: red blood cell, rbc, uninfected, healthy).", AllowMultipleArgumentsPerToken = true };
        var skip = new Option<string[]>("--skip") { Description = "Categories to leave out (default: difficult, white blood cell, leukocyte, platelet).", AllowMultipleArgumentsPerToken = true };
        var cellSize = new Option<double>("--cell-size") { Description = "Side in pixels of a typical written cell (default 130, as the NIH crops).", DefaultValueFactory = _ => new BoxCellOptions().CellSize };
        var command = new Command("from-boxes", "Cut the annotated cells of whole fields into a class-per-folder cell set for training.")
            { annotationFile, fieldsDir, output, parasitized, uninfected, skip, cellSize };
        command.SetAction(result =>
        {
            var defaults = CategoryMap.Default;
            var map = new CategoryMap(
                Names(result.GetValue(parasitized)) ?? defaults.Parasitized,
                Names(result.GetValue(uninfected)) ?? defaults.Uninfected,
                Names(result.GetValue(skip)) ?? defaults.Ignored);
            var fields = FieldAnnotations.Load(result.GetValue(annotationFile)!, map);
            var options = new BoxCellOptions { CellSize = result.GetValue(cellSize) };
            var export = ConsoleProgress.Run("cutting cells", p => BoxCells.Export(fields, result.GetValue(fieldsDir)!, result.GetValue(output)!, options, p));
            foreach (var problem in export.Problems)
            {
                Console.Error.WriteLine($"skipped {problem.Path}: {problem.Reason}");
            }

            AnsiConsole.MarkupLine($"{export.Fields} fields: {export.Parasitized} parasitized and {export.Uninfected} uninfected cells written, {export.Ignored} boxes left out, {export.Problems.Count} problem(s)");
            return export.Parasitized + export.Uninfected > 0 ? 0 : CliErrors.Fail("no cell was written");
        });
        return command;
    }

    private static IReadOnlySet<string>? Names(string[]? values)
        => values is { Length: > 0 } ? CategoryMap.Set(values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray()) : null;
}

using System.CommandLine;
using System.Globalization;
using MalariaML.Cli.Output;
using MalariaML.Data;
using MalariaML.Splits;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria data summary</c> and <c>malaria data split</c>.</summary>
internal static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect and split a folder of cell images (one sub-folder per class).");
        data.Subcommands.Add(Summary());
        data.Subcommands.Add(Split());
        data.Subcommands.Add(FromBoxesCommand.Create());
        return data;
    }

    private static Command Summary()
    {
        var dir = new Argument<string>("dir") { Description = "Dataset folder with one sub-folder per class, e.g. cell_images/" };
        var json = new Option<string?>("--json") { Description = "Also write the summary as JSON to this file." };
        var positive = PositiveOption();
        var command = new Command("summary", "Count cells per class and patient, measure image sizes, and list unusable files.") { dir, json, positive };
        command.SetAction(result =>
        {
            var scan = ScanDataset(result.GetValue(dir)!, result.GetValue(positive)!);
            var summary = DatasetSummary.From(scan);
            Print(summary);
            if (result.GetValue(json) is { } jsonPath)
            {
                Output.Json.Write(jsonPath, summary);
                AnsiConsole.MarkupLine($"[grey]summary written to {Markup.Escape(jsonPath)}[/]");
            }

            return summary.Total > 0 ? 0 : CliErrors.Fail("no usable cell images found");
        });
        return command;
    }

    private static Command Split()
    {
        var dir = new Argument<string>("dir") { Description = "Dataset folder with one sub-folder per class." };
        var by = new Option<SplitStrategy>("--by") { Description = "patient (default: no patient in two parts) or cell (the article's protocol, leaks patients).", DefaultValueFactory = _ => SplitStrategy.Patient };
        var ratios = new Option<string>("--ratios") { Description = "Train, validation, test shares.", DefaultValueFactory = _ => SplitRatios.Default.ToString() };
        var seed = new Option<int>("--seed") { Description = "Seed of the shuffle.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Split file to write (JSON).", Required = true };
        var positive = PositiveOption();
        var command = new Command("split", "Split usable cells into train, validation and test parts and save the file lists.") { dir, by, ratios, seed, output, positive };
        command.SetAction(result =>
        {
            var parsedRatios = SplitRatios.Parse(result.GetValue(ratios)!);
            var scan = ScanDataset(result.GetValue(dir)!, result.GetValue(positive)!);
            PrintSkipped(scan.Skipped);
            var usable = scan.UsableDataset;
            var split = DatasetSplitter.Split(usable, result.GetValue(by), parsedRatios, result.GetValue(seed));
            split.Save(result.GetValue(output)!, usable.Root);
            PrintSplit(split, usable);
            AnsiConsole.MarkupLine($"[grey]split written to {Markup.Escape(result.GetValue(output)!)}[/]");
            return 0;
        });
        return command;
    }

    private static Option<string> PositiveOption() => new("--positive")
    {
        Description = "Class treated as positive.",
        DefaultValueFactory = _ => new DatasetOptions().PositiveClass,
    };

    internal static DatasetScan ScanDataset(string dir, string positiveClass)
    {
        var options = new DatasetOptions { PositiveClass = positiveClass };
        var dataset = CellDataset.Load(dir, options);
        return ConsoleProgress.Run("scanning images", p => DatasetScanner.Scan(dataset, options, p));
    }

    private static void Print(DatasetSummary s)
    {
        var table = new Table().AddColumns("class", "cells", "patients");
        foreach (var (name, count) in s.Classes)
        {
            table.AddRow(Markup.Escape(name), count.ToString(CultureInfo.InvariantCulture), s.Patients[name].ToString(CultureInfo.InvariantCulture));
        }

        table.AddRow("[bold]total[/]", $"[bold]{s.Total}[/]", $"[bold]{s.PatientCount}[/]");
        AnsiConsole.Write(table);
        var sizes = new Table().AddColumns("pixels", "min", "mean", "median", "max");
        foreach (var (name, st) in new[] { ("width", s.Width), ("height", s.Height) })
        {
            sizes.AddRow(name, I(st.Min), I(st.Mean, "F1"), I(st.Median, "F1"), I(st.Max));
        }

        AnsiConsole.Write(sizes);
        PrintSkipped(s.Skipped);
    }

    internal static void PrintSkipped(IReadOnlyList<SkippedFile> skipped)
    {
        if (skipped.Count == 0)
        {
            return;
        }

        AnsiConsole.MarkupLine($"[yellow]{skipped.Count} file(s) skipped:[/]");
        foreach (var f in skipped.Take(50))
        {
            AnsiConsole.MarkupLine($"  [yellow]{Markup.Escape(f.Path)}[/]: {Markup.Escape(f.Reason)}");
        }

        if (skipped.Count > 50)
        {
            AnsiConsole.MarkupLine($"  ... and {skipped.Count - 50} more (see --json)");
        }
    }

    private static void PrintSplit(DataSplit split, CellDataset dataset)
    {
        var table = new Table().AddColumn("part").AddColumn("cells").AddColumn("patients");
        foreach (var c in dataset.Classes)
        {
            table.AddColumn(Markup.Escape(c));
        }

        foreach (var part in Enum.GetValues<SplitPart>())
        {
            var cells = split[part];
            var row = new List<string>
            {
                part.ToString().ToLowerInvariant(),
                I(cells.Count),
                I(cells.Select(c => c.PatientKey).Distinct().Count()),
            };
            row.AddRange(dataset.Classes.Select(c => I(cells.Count(x => x.Label == c))));
            table.AddRow(row.ToArray());
        }

        AnsiConsole.MarkupLine($"split by [bold]{split.Strategy.ToString().ToLowerInvariant()}[/], ratios {split.Ratios}, seed {split.Seed}");
        AnsiConsole.Write(table);
    }

    private static string I(double v, string format = "F0") => v.ToString(format, CultureInfo.InvariantCulture);
}

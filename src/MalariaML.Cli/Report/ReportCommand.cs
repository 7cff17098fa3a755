using System.CommandLine;
using System.Text;
using MalariaML.Cli.Commands;
using MalariaML.Cli.Output;
using MalariaML.Evaluation;
using MalariaML.Inference;
using Spectre.Console;

namespace MalariaML.Cli.Report;

/// <summary><c>malaria report</c>: evaluates models on the same cells and writes <c>report.md</c> with PNG charts.</summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model")
        {
            Description = "Model files (.malaria); repeat the option or list several after it.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var data = new Option<string>("--data") { Description = "Dataset folder with one sub-folder per class.", Required = true };
        var split = CellSelection.SplitOption();
        var part = CellSelection.PartOption();
        var output = new Option<string>("--out") { Description = "Folder for report.md and the PNG charts.", Required = true };
        var grid = new Option<int>("--grid") { Description = "Cells in each model's image grid (0: no grid).", DefaultValueFactory = _ => 48 };
        var seed = new Option<int>("--seed") { Description = "Picks the correctly classified cells shown after the errors.", DefaultValueFactory = _ => 42 };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("report", "Evaluate models on the same cells and write report.md with learning curves, confusion matrices, ROC curves and cell grids.")
        {
            models, data, split, part, output, grid, seed, device,
        };
        command.SetAction((result, cancellationToken) =>
        {
            var outDir = result.GetValue(output)!;
            var gridCells = result.GetValue(grid);
            if (gridCells < 0)
            {
                throw new MalariaMLException($"--grid must be 0 or more, got {gridCells}");
            }

            Directory.CreateDirectory(outDir);
            var reports = new List<ModelReport>();
            var skipped = 0;
            var paths = result.GetValue(models)!;
            foreach (var path in paths)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var loaded = MalariaModel.Load(path, result.GetValue(device)!);
                var (evaluation, cells) = EvaluateCommand.Score(loaded, result.GetValue(data)!, result.GetValue(split), result.GetValue(part));
                skipped = Math.Max(skipped, evaluation.Skipped.Count);
                var kind = loaded.Metadata.ModelKind;
                var predictions = evaluation.Predictions.Select((p, i) => new BinaryPrediction(p.Probability, evaluation.Labels[i])).ToList();
                reports.Add(new ModelReport(kind, kind, path, loaded.Metadata, cells, predictions, evaluation.Metrics, evaluation.Roc, History(path, loaded.Metadata)));
            }

            reports = Name(reports);

            var comparison = reports.Aggregate(ModelComparison.Empty, (c, m) => c.Add(m.Name, m.Metrics));
            Console.WriteLine(comparison.ToConsoleTable());

            var selection = result.GetValue(split) is { } s
                ? $"Cells: part `{result.GetValue(part).ToString().ToLowerInvariant()}` of split `{s}` of `{result.GetValue(data)}`"
                : $"Cells: every usable cell of `{result.GetValue(data)}`";
            var markdownPath = Path.Combine(outDir, "report.md");
            AtomicFile.WriteAllBytes(markdownPath, Encoding.UTF8.GetBytes(ReportMarkdown.Build(reports, comparison, selection, skipped, gridCells > 0)));

            var batch = ReportCharts.Build(reports, gridCells, result.GetValue(seed));
            var written = ConsoleProgress.RunWithStatus($"drawing {batch.Charts.Count} charts",
                () => PlotRenderer.Render(batch, Path.Combine(outDir, "charts.json"), outDir, cancellationToken));
            foreach (var file in written)
            {
                AnsiConsole.MarkupLine($"[grey]wrote {Markup.Escape(file)}[/]");
            }

            AnsiConsole.MarkupLine($"report written to {Markup.Escape(markdownPath)}");
            return Task.FromResult(0);
        });
        return command;
    }

    private static IReadOnlyList<EpochRecord> History(string modelPath, ModelMetadata metadata)
    {
        var beside = modelPath + ".history.json";
        if (metadata.History.Count > 0 || !File.Exists(beside))
        {
            return metadata.History;
        }

        try
        {
            return Training.TrainingHistory.FromJson(File.ReadAllText(beside)).Epochs;
        }
        catch (System.Text.Json.JsonException e)
        {
            AnsiConsole.MarkupLine($"[yellow]warning: {Markup.Escape(beside)}: not a training history ({Markup.Escape(e.Message)}); no learning curves[/]");
            return [];
        }
    }

    // Two files of one kind (e.g. two seeds) need their file names to tell them apart in tables, legends and file names.
    private static List<ModelReport> Name(IReadOnlyList<ModelReport> reports)
    {
        var named = new List<ModelReport>();
        foreach (var m in reports)
        {
            var kind = m.Metadata.ModelKind;
            var name = reports.Count(r => r.Metadata.ModelKind == kind) > 1 ? $"{kind} ({Path.GetFileNameWithoutExtension(m.ModelPath)})" : kind;
            named.Add(m with { Name = name, Slug = Slug(name, named) });
        }

        return named;
    }

    private static string Slug(string name, IReadOnlyList<ModelReport> earlier)
    {
        var slug = new string(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? char.ToLowerInvariant(c) : '-').ToArray()).Trim('-');
        while (slug.Contains("--", StringComparison.Ordinal))
        {
            slug = slug.Replace("--", "-", StringComparison.Ordinal);
        }

        var unique = slug;
        for (var k = 2; earlier.Any(m => m.Slug == unique); k++)
        {
            unique = $"{slug}-{k}";
        }

        return unique;
    }
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using MalariaML.Cli.Output;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Inference;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria evaluate</c> and <c>malaria compare</c>: metrics of saved models on the same cells.</summary>
internal static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file (.malaria).", Required = true };
        var data = new Option<string>("--data") { Description = "Dataset folder with one sub-folder per class.", Required = true };
        var split = CellSelection.SplitOption();
        var part = CellSelection.PartOption();
        var json = new Option<string?>("--json") { Description = "Write metrics as JSON." };
        var recall = new Option<double?>("--target-recall") { Description = "Also report the highest threshold reaching this recall (e.g. 0.98)." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var tta = new Option<bool>("--tta") { Description = "Test-time augmentation: average each cell over its 8 orientations (8x the work)." };
        var command = new Command("evaluate", "Evaluate a model: accuracy, precision, recall, F1, AUC, MCC, ECE, confusion matrix.") { model, data, split, part, json, recall, device, tta };
        command.SetAction(result =>
        {
            using var loaded = MalariaModel.Load(result.GetValue(model)!, result.GetValue(device)!);
            loaded.TestTimeAugmentation = result.GetValue(tta);
            var (evaluation, _) = Score(loaded, result.GetValue(data)!, result.GetValue(split), result.GetValue(part));
            var metrics = evaluation.Metrics;
            PrintMetrics(new Dictionary<string, BinaryMetrics> { [result.GetValue(split) is null ? "all" : result.GetValue(part).ToString().ToLowerInvariant()] = metrics });
            var ece = Evaluation.Calibration.CalibrationError.Compute(evaluation.Predictions.Select(p => p.Probability).ToList(), evaluation.Labels);
            AnsiConsole.MarkupLine(FormattableString.Invariant($"expected calibration error (15 bins) {ece:F4} at temperature {loaded.Temperature:0.###}{(loaded.TestTimeAugmentation ? ", with TTA" : "")}"));
            double? atRecall = null;
            if (result.GetValue(recall) is { } target)
            {
                var (threshold, at) = evaluation.AtRecall(target);
                atRecall = threshold;
                AnsiConsole.MarkupLine(FormattableString.Invariant($"threshold {threshold:F4} reaches recall {at.Recall:F4} (target {target:F4}) with precision {at.Precision:F4}, accuracy {at.Accuracy:F4}"));
            }

            if (result.GetValue(json) is { } jsonPath)
            {
                var node = System.Text.Json.Nodes.JsonNode.Parse(metrics.ToJson())!.AsObject();
                node["threshold"] = loaded.Metadata.Threshold;
                node["model"] = loaded.Metadata.ModelKind;
                node["ece"] = double.IsFinite(ece) ? ece : null;
                node["temperature"] = loaded.Temperature;
                node["tta"] = loaded.TestTimeAugmentation;
                if (atRecall is { } r)
                {
                    node["targetRecall"] = result.GetValue(recall);
                    node["thresholdForTargetRecall"] = double.IsFinite(r) ? r : null;
                }

                AtomicFile.WriteAllBytes(jsonPath, Encoding.UTF8.GetBytes(node.ToJsonString(new JsonSerializerOptions { WriteIndented = true })));
                AnsiConsole.MarkupLine($"[grey]metrics written to {Markup.Escape(jsonPath)}[/]");
            }

            return 0;
        });
        return command;
    }

    public static Command CreateCompare()
    {
        var models = new Argument<string[]>("models") { Description = "Model files (.malaria).", Arity = ArgumentArity.OneOrMore };
        var data = new Option<string>("--data") { Description = "Dataset folder with one sub-folder per class.", Required = true };
        var split = CellSelection.SplitOption();
        var part = CellSelection.PartOption();
        var markdown = new Option<string?>("--markdown") { Description = "Write the comparison table as Markdown." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("compare", "Evaluate several models on the same cells and print the article's comparison table.") { models, data, split, part, markdown, device };
        command.SetAction(result =>
        {
            var comparison = ModelComparison.Empty;
            foreach (var path in result.GetValue(models)!)
            {
                using var loaded = MalariaModel.Load(path, result.GetValue(device)!);
                var (evaluation, _) = Score(loaded, result.GetValue(data)!, result.GetValue(split), result.GetValue(part));
                comparison = comparison.Add($"{loaded.Metadata.ModelKind} ({Path.GetFileName(path)})", evaluation.Metrics);
            }

            Console.WriteLine(comparison.ToConsoleTable());
            if (result.GetValue(markdown) is { } md)
            {
                AtomicFile.WriteAllBytes(md, Encoding.UTF8.GetBytes(comparison.ToMarkdown()));
                AnsiConsole.MarkupLine($"[grey]table written to {Markup.Escape(md)}[/]");
            }

            return 0;
        });
        return command;
    }

    /// <summary>Evaluates the model on the selected cells with the library's evaluator, reporting unusable files; labels come from the class folders.</summary>
    public static (ModelEvaluation Evaluation, IReadOnlyList<CellImage> Cells) Score(MalariaModel model, string dataDir, string? splitPath, Splits.SplitPart part)
    {
        var (_, cells) = CellSelection.Select(dataDir, splitPath, part, model.Metadata.PositiveClass);
        var evaluation = ConsoleProgress.Run($"scoring with {model.Metadata.ModelKind}", p => model.Evaluate(cells, p));
        DataCommands.PrintSkipped(evaluation.Skipped);
        var byPath = cells.ToDictionary(c => c.Path);
        return (evaluation, evaluation.Predictions.Select(p => byPath[p.Source]).ToList());
    }

    public static void PrintMetrics(IReadOnlyDictionary<string, BinaryMetrics> metricsByPart)
    {
        var table = new Table().AddColumns("part", "count", "accuracy", "precision", "recall", "f1", "auc", "mcc", "tp", "fp", "tn", "fn");
        foreach (var (part, m) in metricsByPart)
        {
            table.AddRow(part, I(m.Count), F(m.Accuracy), F(m.Precision), F(m.Recall), F(m.F1), F(m.Auc), F(m.Mcc), I(m.Tp), I(m.Fp), I(m.Tn), I(m.Fn));
        }

        AnsiConsole.Write(table);
    }

    private static string F(double v) => double.IsNaN(v) ? "n/a" : v.ToString("F4", CultureInfo.InvariantCulture);

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}

using System.CommandLine;
using System.Globalization;
using System.Text;
using MalariaML.Cli.Output;
using MalariaML.Data;
using MalariaML.Explanations;
using MalariaML.Inference;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria explain</c>: a Grad-CAM overlay per cell, named with the model's label and probability.</summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("cells") { Description = "Cell image files or folders (searched recursively).", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Model file (.malaria) of a TorchSharp model (basic-cnn, resnet18-*, vgg19-*).", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the overlays (NAME.LABEL.PROBABILITY.gradcam.png) and explanations.csv.", Required = true };
        var explained = new Option<ExplainedClass>("--class") { Description = "Explain the predicted class or always the positive one.", DefaultValueFactory = _ => ExplainedClass.Predicted };
        var opacity = new Option<double>("--opacity") { Description = "Opacity of the heat map where it is hottest (0 to 1).", DefaultValueFactory = _ => 0.6 };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("explain", "Grad-CAM heat maps: where the network looked, as a PNG overlay per cell.") { paths, model, output, explained, opacity, device };
        command.SetAction(result =>
        {
            using var loaded = MalariaModel.Load(result.GetValue(model)!, result.GetValue(device)!);
            var options = new GradCamOptions { Class = result.GetValue(explained), OverlayOpacity = result.GetValue(opacity) };
            var explainer = new GradCamExplainer(loaded, options);
            var files = PredictCommand.Expand(result.GetValue(paths)!);
            var outDir = result.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var usable = new List<(string Name, byte[] Data)>();
            var skipped = 0;
            foreach (var file in files)
            {
                try
                {
                    var data = File.ReadAllBytes(file);
                    _ = ImageDecoder.Decode(data, file, loaded.LoadOptions); // refuse bad files here, one line each
                    usable.Add((file, data));
                }
                catch (Exception e) when (e is InvalidImageException or IOException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"skipped {file}: {(e is InvalidImageException bad ? bad.Reason : e.Message)}");
                    skipped++;
                }
            }

            if (usable.Count == 0)
            {
                return CliErrors.Fail($"no cell could be explained ({files.Count} file(s) given, {skipped} unusable)");
            }

            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var csv = new StringBuilder("path,patient,label,probability,explained_class,overlay\n");
            var positives = 0;
            ConsoleProgress.Run("explaining", progress =>
            {
                for (var start = 0; start < usable.Count; start += options.BatchSize)
                {
                    foreach (var cell in explainer.ExplainMany(usable.GetRange(start, Math.Min(options.BatchSize, usable.Count - start))))
                    {
                        var name = UniqueName(names, $"{Path.GetFileNameWithoutExtension(cell.Source)}.{cell.Label}.{cell.Probability.ToString("0.000", CultureInfo.InvariantCulture)}.gradcam.png");
                        AtomicFile.WriteAllBytes(Path.Combine(outDir, name), cell.OverlayPng(options.OverlayOpacity));
                        csv.Append(CultureInfo.InvariantCulture, $"{Csv(cell.Source)},{Csv(PatientKey.Parse(cell.Source))},{Csv(cell.Label)},{cell.Probability:F6},{Csv(cell.ExplainedClass)},{Csv(name)}\n");
                        positives += cell.Label == loaded.Metadata.PositiveClass ? 1 : 0;
                    }

                    progress.Report(new WorkProgress("explaining", Math.Min(usable.Count, start + options.BatchSize), usable.Count));
                }

                return 0;
            });
            AtomicFile.WriteAllBytes(Path.Combine(outDir, "explanations.csv"), Encoding.UTF8.GetBytes(csv.ToString()));
            AnsiConsole.MarkupLine($"{usable.Count} overlays in {Markup.Escape(outDir)} ({positives} {Markup.Escape(loaded.Metadata.PositiveClass)}, {skipped} skipped); target layer: {Markup.Escape(explainer.TargetLayer)}");
            return 0;
        });
        return command;
    }

    private static string UniqueName(HashSet<string> taken, string name)
    {
        var candidate = name;
        for (var n = 2; !taken.Add(candidate); n++)
        {
            candidate = $"{n}-{name}";
        }

        return candidate;
    }

    private static string Csv(string value) => value.Contains(',') || value.Contains('"') ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}

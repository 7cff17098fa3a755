using System.CommandLine;
using MalariaML.Inference;
using MalariaML.Inference.Ensemble;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria ensemble</c>: one model file whose members' calibrated probabilities are averaged.</summary>
internal static class EnsembleCommand
{
    public static Command Create()
    {
        var models = new Argument<string[]>("models") { Description = "Member model files (.malaria), taking the same input size.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Ensemble model file to write (.malaria).", Required = true };
        var data = new Option<string?>("--data") { Description = "Dataset folder: with --split, the ensemble's temperature and patient rule are fitted on the split's validation part." };
        var split = CellSelection.SplitOption();
        var target = new Option<double>("--target-sensitivity") { Description = "Patient-level sensitivity of the refitted rule.", DefaultValueFactory = _ => 0.98 };
        var command = new Command("ensemble", "Combine trained models into one model file that averages their calibrated probabilities.") { models, output, data, split, target };
        command.SetAction(result =>
        {
            var paths = result.GetValue(models)!;
            using var ensemble = EnsembleBuilder.Load(paths);
            if (result.GetValue(data) is { } dataDir && result.GetValue(split) is { } splitPath)
            {
                var (_, cells) = CellSelection.Select(dataDir, splitPath, Splits.SplitPart.Validation, ensemble.Metadata.PositiveClass);
                var fitted = Output.ConsoleProgress.Run("scoring validation cells", p => Training.ValidationFitting.RefitEnsemble(ensemble, cells, result.GetValue(target), p));
                AnsiConsole.MarkupLine(fitted.Calibration is { } c
                    ? FormattableString.Invariant($"temperature {c.Temperature:F3} fitted on {c.Cells} validation cells (ECE {c.EceBefore:F4} -> {c.EceAfter:F4})")
                    : "no temperature: fewer than 100 validation cells");
            }

            var outPath = result.GetValue(output)!;
            ensemble.Save(outPath);
            AnsiConsole.MarkupLine(Markup.Escape(PredictCommand.DescribeRule(ensemble.Metadata.PatientRule, ensemble.PatientRule)));
            AnsiConsole.MarkupLine($"[green]ensemble of {paths.Length} model(s) written to {Markup.Escape(outPath)}[/]");
            return 0;
        });
        return command;
    }
}

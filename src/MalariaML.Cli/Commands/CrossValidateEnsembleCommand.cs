using System.CommandLine;
using MalariaML.CrossValidation;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Inference.Ensemble;
using MalariaML.Splits;
using MalariaML.Training;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary>
/// <c>malaria cv-ensemble</c>: cross-validates an ensemble of models that <c>malaria cv</c> has already trained on the
/// same folds. Per fold the members' fold models are combined, the ensemble's temperature and patient rule are fitted
/// on that fold's validation patients (never its test patients), and the test patients are scored and summarised exactly as
/// <c>malaria cv</c> does, so the rows compare. Resumable: folds with a result are skipped.
/// </summary>
internal static class CrossValidateEnsembleCommand
{
    public static Command Create()
    {
        var members = new Argument<string[]>("cv-folders") { Description = "Output folders of `malaria cv` runs with the same folds (seed, data, fold count), one per member.", Arity = ArgumentArity.OneOrMore };
        var data = new Option<string>("--data") { Description = "Dataset folder the cv runs used.", Required = true };
        var output = new Option<string>("--out") { Description = "Folder for the ensembles, results and summary.md.", Required = true };
        var folds = new Option<int>("--folds") { Description = "Number of folds.", DefaultValueFactory = _ => 5 };
        var tta = new Option<bool>("--tta") { Description = "Score the test patients with test-time augmentation (8 orientations averaged)." };
        var target = new Option<double>("--target-sensitivity") { Description = "Patient-level sensitivity of the refitted rule.", DefaultValueFactory = _ => 0.98 };
        var positive = new Option<string>("--positive") { Description = "Positive class.", DefaultValueFactory = _ => new DatasetOptions().PositiveClass };
        var command = new Command("cv-ensemble", "Cross-validate an ensemble of models already cross-validated on the same folds (malaria cv); resumable.")
        {
            members, data, output, folds, tta, target, positive,
        };
        command.SetAction((result, token) =>
        {
            var dirs = result.GetValue(members)!.Select(Path.GetFullPath).ToList();
            var outDir = Path.GetFullPath(result.GetValue(output)!);
            Directory.CreateDirectory(outDir);
            var k = result.GetValue(folds);
            var positiveClass = result.GetValue(positive)!;
            var useTta = result.GetValue(tta);
            var dataset = CellDataset.Load(result.GetValue(data)!, new DatasetOptions { PositiveClass = positiveClass });
            var results = new List<FoldResult>();
            for (var fold = 1; fold <= k; fold++)
            {
                token.ThrowIfCancellationRequested();
                if (CrossValidateCommand.FinishedFold(outDir, fold) is { } finished)
                {
                    results.Add(finished);
                    continue;
                }

                // A member still training (or not yet run on this fold) leaves the fold for a later rerun.
                if (dirs.FirstOrDefault(d => !File.Exists(Path.Combine(d, $"fold-{fold}.result.json"))) is { } pending)
                {
                    AnsiConsole.MarkupLine($"[yellow]fold {fold}: skipped, {Markup.Escape(pending)} has no result for it yet[/]");
                    continue;
                }

                var split = SameFold(dirs, fold, dataset.Root, outDir);
                var modelPath = Path.Combine(outDir, $"fold-{fold}.malaria");
                if (!File.Exists(modelPath))
                {
                    using var built = EnsembleBuilder.Load(dirs.Select(d => Path.Combine(d, $"fold-{fold}.malaria")).ToList());
                    Output.ConsoleProgress.Run($"fold {fold}: fitting the ensemble's temperature and patient rule on validation patients",
                        p => ValidationFitting.RefitEnsemble(built, split.Validation, result.GetValue(target), p, token));
                    built.Save(modelPath);
                }

                using var loaded = MalariaModel.Load(modelPath, "cpu");
                results.Add(CrossValidateCommand.TestFold(loaded, split, fold, positiveClass, useTta, outDir, token));
            }

            var title = $"ensemble of {string.Join(" + ", dirs.Select(Path.GetFileName))}, {k}-fold cross-validation by patient{(useTta ? ", TTA" : "")}";
            CrossValidateCommand.WriteSummary(outDir, results, title);
            return Task.FromResult(0);
        });
        return command;
    }

    // Every member must have been trained and tested on the same patients, or the ensemble's test fold would hold
    // patients some member trained on; the first member's split is copied next to the ensemble for the record.
    private static DataSplit SameFold(IReadOnlyList<string> dirs, int fold, string datasetRoot, string outDir)
    {
        var paths = dirs.Select(d => Path.Combine(d, $"fold-{fold}.split.json")).ToList();
        foreach (var path in paths.Where(p => !File.Exists(p)))
        {
            throw new MalariaMLException($"{path}: missing; run `malaria cv` for this member first");
        }

        var first = File.ReadAllBytes(paths[0]);
        foreach (var path in paths.Skip(1).Where(p => !File.ReadAllBytes(p).AsSpan().SequenceEqual(first)))
        {
            throw new MalariaMLException($"{path}: fold {fold} differs from {paths[0]}; members must be cross-validated on the same folds (same data, seed and fold count)");
        }

        var copy = Path.Combine(outDir, $"fold-{fold}.split.json");
        AtomicFile.WriteAllBytes(copy, first);
        return DataSplit.Load(copy, datasetRoot);
    }
}

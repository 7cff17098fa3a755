using System.Text.Json;
using MalariaML.CrossValidation;
using MalariaML.Inference;
using MalariaML.Inference.Ensemble;
using MalariaML.Tests.Robustness;

namespace MalariaML.Tests.Trust;

/// <summary>
/// <c>malaria cv-ensemble</c> on two members' fold folders: the ensemble's test fold is scored like <c>malaria cv</c>
/// scores a fold, a rerun skips it, and members cross-validated on other patients are refused by name.
/// </summary>
[Collection("torch")]
public class CrossValidatedEnsembleTests
{
    [Fact]
    public void A_fold_of_the_ensemble_is_scored_on_the_members_test_patients_and_equals_the_ensemble_built_by_hand()
    {
        using var temp = TestData.NewTempFolder();
        var dataset = TestData.Sample();
        var folds = PatientFolds.Split(dataset.Cells, folds: 2, seed: 7);
        var members = new[] { 11, 12 }.Select(seed => Member(temp.Path, $"m{seed}", seed, folds[0], dataset.Root)).ToList();
        var outDir = Path.Combine(temp.Path, "ensemble");

        var run = CliProcess.Run(["cv-ensemble", "--data", TestData.SampleRoot, "--folds", "2", "--out", outDir, .. members]);

        Assert.True(run.ExitCode == 0, run.Transcript);
        Assert.Contains(run.Stdout, l => l.Contains("fold 2: skipped", StringComparison.Ordinal));
        var result = FoldResult.Load(Path.Combine(outDir, "fold-1.result.json"));
        Assert.Equal(folds[0].Test.Count, result.TestCells);
        using (var byHand = EnsembleBuilder.Create(members.Select(m => MalariaModel.Load(Path.Combine(m, "fold-1.malaria"))).ToList()))
        {
            var expected = TrustEvaluation.Run(byHand, folds[0].Test, dataset.PositiveClass);
            Assert.Equal(expected.Cells.Accuracy, result.Accuracy, 12);
            Assert.Equal(expected.Cells.Auc, result.Auc, 12);
            Assert.Equal(expected.Ece, result.Ece, 12);
        }

        Assert.Equal(File.ReadAllText(Path.Combine(members[0], "fold-1.split.json")), File.ReadAllText(Path.Combine(outDir, "fold-1.split.json")));
        var again = CliProcess.Run(["cv-ensemble", "--data", TestData.SampleRoot, "--folds", "2", "--out", outDir, .. members]);
        Assert.True(again.ExitCode == 0, again.Transcript);
        Assert.Contains(again.Stdout, l => l.Contains("fold 1: result found, skipped", StringComparison.Ordinal));

        var other = Member(temp.Path, "other", 13, folds[1], dataset.Root);
        var refused = CliProcess.Run(["cv-ensemble", "--data", TestData.SampleRoot, "--folds", "2", "--out", Path.Combine(temp.Path, "refused"), members[0], other]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains(Path.Combine(other, "fold-1.split.json"), refused.Transcript, StringComparison.Ordinal);
        Assert.Contains("same folds", refused.Transcript, StringComparison.Ordinal);
    }

    // A member's cv folder with fold 1 finished: its split, its model and a result (whose numbers cv-ensemble ignores).
    private static string Member(string root, string name, int seed, MalariaML.Splits.DataSplit fold, string datasetRoot)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        fold.Save(Path.Combine(dir, "fold-1.split.json"), datasetRoot);
        using (var model = TrustFixtures.BasicCnn(seed))
        {
            model.Save(Path.Combine(dir, "fold-1.malaria"));
        }

        File.WriteAllText(Path.Combine(dir, "fold-1.result.json"), JsonSerializer.Serialize(new { fold = 1 }));
        return dir;
    }
}

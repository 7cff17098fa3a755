using MalariaML.CrossValidation;
using MalariaML.Inference;
using MalariaML.Inference.PatientCalls;
using MalariaML.Splits;
using MalariaML.Training;
using MalariaML.Tests.Training;

namespace MalariaML.Tests.Trust;

[Collection("torch")]
public class PatientRuleTests
{
    private static IEnumerable<ScoredCell> Patient(string key, int cells, int calledPositive, bool infected)
        => Enumerable.Range(0, cells).Select(i => new ScoredCell(key, i < calledPositive ? 0.9 : 0.1, infected && i < Math.Max(1, calledPositive)));

    [Fact]
    public void The_fitted_rule_keeps_every_infected_patient_and_clears_healthy_patients_with_a_few_false_cells()
    {
        // Healthy patients with up to 3 false positives of 100 cells; infected ones with 5 to 40 parasitized.
        var cells = new List<ScoredCell>();
        cells.AddRange(Patient("H1", 100, 0, false));
        cells.AddRange(Patient("H2", 100, 2, false));
        cells.AddRange(Patient("H3", 100, 3, false));
        cells.AddRange(Patient("P1", 100, 5, true));
        cells.AddRange(Patient("P2", 100, 12, true));
        cells.AddRange(Patient("P3", 100, 40, true));
        var rule = PatientRuleFitter.Fit(cells, 0.5, 0.98);
        Assert.Equal(1.0, rule.Fit!.Sensitivity);
        Assert.Equal(1.0, rule.Fit.Specificity);
        Assert.True(rule.Fit.Reached);
        Assert.False(rule.IsPositive(3, 100));
        Assert.True(rule.IsPositive(5, 100));
        // The naive rule of models without one calls all three healthy patients with a false cell positive.
        Assert.True(PatientRule.AnyParasitizedCell.IsPositive(2, 100));
    }

    [Fact]
    public void Sensitivity_comes_before_specificity_when_patients_overlap()
    {
        var cells = new List<ScoredCell>();
        cells.AddRange(Patient("H1", 100, 6, false));
        cells.AddRange(Patient("P1", 100, 4, true));
        cells.AddRange(Patient("P2", 100, 30, true));
        var rule = PatientRuleFitter.Fit(cells, 0.5, 0.98);
        Assert.Equal(1.0, rule.Fit!.Sensitivity);
        Assert.Equal(0.0, rule.Fit.Specificity);
        Assert.True(rule.IsPositive(4, 100));
    }

    [Fact]
    public void A_patient_whose_clean_cells_score_high_is_flagged()
    {
        var reference = new ScoreShiftReference(-4, -2);
        var rule = PatientRule.AnyParasitizedCell with { Shift = reference };
        static CellPrediction Cell(string patient, int i, double p) => new($"C1{patient}thinF_IMG_1_cell_{i}.png", "x", p, p >= 0.5);
        var predictions = Enumerable.Range(0, 30).Select(i => Cell("P7", i, 0.02))
            .Concat(Enumerable.Range(0, 30).Select(i => Cell("P8", i, 0.25))).ToList();
        var calls = PatientCall.Summarise(predictions, rule);
        Assert.False(calls.Single(c => c.Patient == "P7").Shifted);
        Assert.True(calls.Single(c => c.Patient == "P8").Shifted);
    }

    [Fact]
    public void A_trained_models_rule_reaches_its_target_sensitivity_on_its_validation_patients()
    {
        // Validation by patient with enough patients to mean something: half of the sample's patients.
        var split = DatasetSplitter.Split(TestData.Sample(), SplitStrategy.Patient, new SplitRatios(0.5, 0.5, 0), seed: 3);
        var trained = ModelTrainer.Train(split, ["Parasitized", "Uninfected"], "Parasitized", TinyTraining.Options(epochs: 2));
        using var model = trained.Model;
        var rule = model.Metadata.PatientRule!;
        Assert.NotNull(rule.Fit);
        Assert.NotNull(model.Metadata.Calibration);
        Assert.True(rule.Fit.InfectedPatients >= 3, $"{rule.Fit.InfectedPatients} infected validation patients");

        // Scored again from scratch with the saved model's calibrated probabilities, the rule meets its target.
        using var temp = TestData.NewTempFolder();
        var path = Path.Combine(temp.Path, "m.malaria");
        model.Save(path);
        using var loaded = MalariaModel.Load(path);
        var evaluation = TrustEvaluation.Run(loaded, split.Validation, "Parasitized");
        Assert.True(evaluation.PatientSensitivity >= rule.TargetSensitivity, $"sensitivity {evaluation.PatientSensitivity} under {rule.TargetSensitivity} with {rule.Describe()}");
        Assert.Equal(rule.Fit.Sensitivity, evaluation.PatientSensitivity, 9);
        Assert.Equal(rule.Fit.Specificity, evaluation.PatientSpecificity, 9);
    }
}

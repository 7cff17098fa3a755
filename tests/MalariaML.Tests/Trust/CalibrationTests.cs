using MalariaML.Evaluation.Calibration;
using MalariaML.Inference;

namespace MalariaML.Tests.Trust;

[Collection("torch")]
public class CalibrationTests
{
    // Cells whose true chance of being parasitized is sigmoid(z), reported by an overconfident model as sigmoid(3 z):
    // the miscalibration temperature scaling exists for.
    private static (List<double> Reported, List<bool> Labels) Overconfident(int seed, double sharpening)
    {
        var random = new Random(seed);
        var reported = new List<double>();
        var labels = new List<bool>();
        for (var i = 0; i < 4000; i++)
        {
            var z = 2.5 * (random.NextDouble() * 2 - 1) * 1.5;
            var truth = random.NextDouble() < 1 / (1 + Math.Exp(-z));
            reported.Add(1 / (1 + Math.Exp(-sharpening * z)));
            labels.Add(truth);
        }

        return (reported, labels);
    }

    [Fact]
    public void Temperature_scaling_lowers_the_ece_of_an_overconfident_model_and_recovers_its_temperature()
    {
        var (reported, labels) = Overconfident(1, 3);
        var calibration = ModelCalibration.Fit(reported, labels);
        Assert.InRange(calibration.Temperature, 2.5, 3.5);
        Assert.True(calibration.EceBefore > 0.08, $"ECE before {calibration.EceBefore}");
        Assert.True(calibration.EceAfter < calibration.EceBefore / 3, $"ECE {calibration.EceBefore} -> {calibration.EceAfter}");
        Assert.True(calibration.EceAfter < 0.03, $"ECE after {calibration.EceAfter}");

        // Fitted on one sample, it holds on another drawn the same way (as validation to test).
        var (otherReported, otherLabels) = Overconfident(2, 3);
        var scaled = otherReported.Select(p => TemperatureScaling.Apply(p, calibration.Temperature)).ToList();
        Assert.True(CalibrationError.Compute(scaled, otherLabels) < CalibrationError.Compute(otherReported, otherLabels) / 3);
    }

    [Fact]
    public void A_calibrated_model_keeps_a_temperature_near_one_and_calls_at_one_half_do_not_move()
    {
        var (reported, labels) = Overconfident(3, 1);
        Assert.InRange(TemperatureScaling.Fit(reported, labels), 0.85, 1.15);
        Assert.Equal(0.5, TemperatureScaling.Apply(0.5, 2.7), 12);
        Assert.True(TemperatureScaling.Apply(0.9, 2) is > 0.5 and < 0.9);
        Assert.Equal(1, TemperatureScaling.Fit([0.2, 0.9], [true, true]));
    }

    [Fact]
    public void Ece_of_a_hand_computed_case()
    {
        // Bin [0.2, 0.2667): 0.25 twice, one positive -> gap 0.25; bin [0.8667, 0.9333): 0.9 twice, both positive -> gap 0.1.
        var ece = CalibrationError.Compute([0.25, 0.25, 0.9, 0.9], [true, false, true, true]);
        Assert.Equal((0.25 * 2 + 0.1 * 2) / 4, ece, 12);
    }

    [Fact]
    public void A_model_file_without_calibration_loads_with_temperature_one_and_a_stored_one_scales_its_probabilities()
    {
        using var temp = TestData.NewTempFolder();
        var images = TrustFixtures.Cells();
        var path = Path.Combine(temp.Path, "plain.malaria");
        float[] raw;
        using (var model = TrustFixtures.BasicCnn(seed: 9))
        {
            raw = model.Scorer.Score(images);
            model.Save(path);
        }

        using var plain = MalariaModel.Load(path);
        Assert.Null(plain.Metadata.Calibration);
        Assert.Equal(1, plain.Temperature);
        Assert.Equal(raw, plain.PredictProbabilities(images));

        var scaledPath = Path.Combine(temp.Path, "scaled.malaria");
        plain.UpdateMetadata(m => m with { Calibration = new ModelCalibration(2, 100, 0.1, 0.02) });
        plain.Save(scaledPath);
        using var scaled = MalariaModel.Load(scaledPath);
        Assert.Equal(2, scaled.Temperature);
        var expected = raw.Select(p => (float)TemperatureScaling.Apply(p, 2)).ToArray();
        Assert.Equal(expected, scaled.PredictProbabilities(images));
    }
}

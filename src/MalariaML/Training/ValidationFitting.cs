using MalariaML.Data;
using MalariaML.Evaluation.Calibration;
using MalariaML.Inference.PatientCalls;

namespace MalariaML.Training;

/// <summary>
/// What is fitted on the validation part once the weights are final: the temperature of the probabilities, then the
/// per-patient rule on the calibrated probabilities (the ones a saved model predicts).
/// </summary>
internal static class ValidationFitting
{
    /// <summary>Calibration and patient rule; both null without validation cells.</summary>
    /// <param name="probabilities">Uncalibrated validation probabilities, in the order of <paramref name="cells"/>.</param>
    /// <param name="cells">The usable validation cells.</param>
    /// <param name="positiveClass">The positive class.</param>
    /// <param name="threshold">The model's cell threshold.</param>
    /// <param name="targetSensitivity">Patient-level sensitivity the rule is fitted for.</param>
    public static (ModelCalibration? Calibration, PatientRule? Rule) Fit(IReadOnlyList<float> probabilities, IReadOnlyList<CellImage> cells,
        string positiveClass, double threshold, double targetSensitivity)
    {
        if (cells.Count == 0 || probabilities.Count != cells.Count)
        {
            return (null, null);
        }

        var labels = cells.Select(c => c.Label == positiveClass).ToList();
        var raw = probabilities.Select(p => (double)p).ToList();
        var calibration = ModelCalibration.Fit(raw, labels);
        var scored = cells.Select((c, i) => new ScoredCell(c.PatientKey, TemperatureScaling.Apply(raw[i], calibration.Temperature), labels[i])).ToList();
        return (calibration, PatientRuleFitter.Fit(scored, threshold, targetSensitivity));
    }
}

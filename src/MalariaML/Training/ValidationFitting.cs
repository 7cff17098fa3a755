using MalariaML.Data;
using MalariaML.Evaluation.Calibration;
using MalariaML.Inference;
using MalariaML.Inference.PatientCalls;

namespace MalariaML.Training;

/// <summary>
/// What is fitted on the validation part once the weights are final: the temperature of the probabilities, then the
/// per-patient rule on the calibrated probabilities (the ones a saved model predicts).
/// </summary>
internal static class ValidationFitting
{
    /// <summary>Fewest validation cells a temperature is fitted on.</summary>
    public const int MinCalibrationCells = 100;

    /// <summary>
    /// Fits <paramref name="ensemble"/>'s own temperature and patient rule on labelled validation cells, as training
    /// does for one network: its members' calibrated probabilities, averaged, are not calibrated themselves (an average
    /// of confident members is less confident than either). Any temperature the ensemble had is dropped first, so the
    /// fit starts from the plain average. Changes the model's metadata, which it returns; save the model to keep them.
    /// </summary>
    public static ModelMetadata RefitEnsemble(MalariaModel ensemble, IReadOnlyList<CellImage> validation, double targetSensitivity,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ensemble);
        ArgumentNullException.ThrowIfNull(validation);
        ensemble.UpdateMetadata(m => m with { Calibration = null });
        var batch = ensemble.PredictMany(validation.Select(c => c.Path).ToList(), progress, cancellationToken);
        var byPath = batch.Predictions.ToDictionary(p => p.Source, p => p.Probability, StringComparer.Ordinal);
        var usable = validation.Where(c => byPath.ContainsKey(c.Path)).ToList();
        var (calibration, rule) = Fit(usable.Select(c => (float)byPath[c.Path]).ToList(), usable, ensemble.Metadata.PositiveClass, ensemble.Metadata.Threshold, targetSensitivity);
        ensemble.UpdateMetadata(m => m with { Calibration = calibration, PatientRule = rule ?? m.PatientRule });
        return ensemble.Metadata;
    }

    /// <summary>Calibration (null under <see cref="MinCalibrationCells"/> validation cells) and patient rule (null without validation cells).</summary>
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
        // A temperature fitted on a handful of cells is noise (an untrained toy model on 38 cells got T = 50, flattening
        // every probability to 0.5), so small validation parts leave the probabilities as the network gives them.
        var calibration = cells.Count >= MinCalibrationCells ? ModelCalibration.Fit(raw, labels) : null;
        var temperature = calibration?.Temperature ?? 1;
        var scored = cells.Select((c, i) => new ScoredCell(c.PatientKey, TemperatureScaling.Apply(raw[i], temperature), labels[i])).ToList();
        return (calibration, PatientRuleFitter.Fit(scored, threshold, targetSensitivity));
    }
}

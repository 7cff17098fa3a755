namespace MalariaML.Evaluation.Calibration;

/// <summary>How a model's probabilities were calibrated, as stored in its metadata.</summary>
/// <param name="Temperature">Divides the logit before the sigmoid (1 = unchanged).</param>
/// <param name="Cells">Validation cells it was fitted on.</param>
/// <param name="EceBefore">Validation expected calibration error before scaling.</param>
/// <param name="EceAfter">Validation expected calibration error after scaling.</param>
internal sealed record ModelCalibration(double Temperature, int Cells, double EceBefore, double EceAfter)
{
    /// <summary>Fits a temperature on validation probabilities and measures the error before and after.</summary>
    public static ModelCalibration Fit(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var temperature = TemperatureScaling.Fit(probabilities, labels);
        var scaled = probabilities.Select(p => TemperatureScaling.Apply(p, temperature)).ToList();
        return new ModelCalibration(temperature, probabilities.Count, CalibrationError.Compute(probabilities, labels), CalibrationError.Compute(scaled, labels));
    }
}

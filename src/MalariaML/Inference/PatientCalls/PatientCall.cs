using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Evaluation.Calibration;

namespace MalariaML.Inference.PatientCalls;

/// <summary>
/// A patient's parasitemia with the decision a clinician reads: <c>positive</c> or <c>negative</c> by the model's
/// <see cref="PatientRule"/>, and whether the patient's cells look unlike the validation cells.
/// </summary>
/// <param name="Patient">Patient key.</param>
/// <param name="Cells">Cells scored.</param>
/// <param name="Parasitized">Cells called parasitized.</param>
/// <param name="Parasitemia">Share of cells called parasitized.</param>
/// <param name="CiLow">Lower bound of the 95% Wilson interval.</param>
/// <param name="CiHigh">Upper bound.</param>
/// <param name="Call"><c>positive</c> or <c>negative</c>.</param>
/// <param name="Shifted">True when the cells called uninfected score unusually high (see <see cref="ScoreShiftReference"/>).</param>
/// <param name="UninfectedMedianLogit">Median logit of the cells called uninfected (NaN when none).</param>
public sealed record PatientCall(string Patient, int Cells, int Parasitized, double Parasitemia, double CiLow, double CiHigh,
    string Call, bool Shifted, double UninfectedMedianLogit)
{
    /// <summary>The positive call.</summary>
    public const string Positive = "positive";

    /// <summary>The negative call.</summary>
    public const string Negative = "negative";

    /// <summary>Groups predictions by patient (file-name key) and calls each patient by <paramref name="rule"/>.</summary>
    internal static IReadOnlyList<PatientCall> Summarise(IEnumerable<CellPrediction> predictions, PatientRule rule)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(rule);
        // Parasitemia and its interval as PatientParasitemia counts them; the call and the shift flag on top.
        var byPatient = predictions.GroupBy(p => PatientKey.Parse(p.Source), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        return PatientParasitemia.Summarise(byPatient.Values.SelectMany(g => g))
            .Select(p =>
            {
                var clean = byPatient[p.Patient].Where(c => !c.IsPositive).Select(c => TemperatureScaling.Logit(c.Probability)).Order().ToArray();
                var median = clean.Length > 0 ? PatientRuleFitter.Quantile(clean, 0.5) : double.NaN;
                var shifted = rule.Shift is { } s && clean.Length >= s.MinCells && median > s.Upper;
                return new PatientCall(p.Patient, p.Cells, p.Parasitized, p.Parasitemia, p.CiLow, p.CiHigh,
                    rule.IsPositive(p.Parasitized, p.Cells) ? Positive : Negative, shifted, median);
            })
            .ToList();
    }
}

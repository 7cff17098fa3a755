using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Evaluation.Calibration;
using MalariaML.Inference;
using MalariaML.Inference.PatientCalls;

namespace MalariaML.CrossValidation;

/// <summary>One patient's call next to the truth of its labels.</summary>
/// <param name="Call">The model's call and parasitemia.</param>
/// <param name="Infected">Whether any of the patient's cells is labelled positive.</param>
/// <param name="TrueParasitemia">Share of the patient's cells labelled positive.</param>
internal sealed record PatientOutcome(PatientCall Call, bool Infected, double TrueParasitemia);

/// <summary>
/// How a model does on labelled cells of unseen patients, cell by cell and patient by patient: the numbers a clinician
/// needs to trust its calls.
/// </summary>
/// <param name="Cells">Metrics per cell at the model's threshold.</param>
/// <param name="Ece">Expected calibration error of the (calibrated) probabilities.</param>
/// <param name="Reliability">Bins of the reliability diagram.</param>
/// <param name="Patients">Every patient's call and truth.</param>
/// <param name="PatientSensitivity">Share of infected patients called positive (NaN without infected patients).</param>
/// <param name="PatientSpecificity">Share of healthy patients called negative (NaN without healthy patients).</param>
/// <param name="ParasitemiaMae">Mean absolute difference between called and labelled parasitemia, in percentage points.</param>
/// <param name="HealthyCalledPositive">Healthy patients called positive.</param>
/// <param name="Flagged">Patients flagged as unlike the validation cells.</param>
/// <param name="Skipped">Files that could not be decoded.</param>
internal sealed record TrustEvaluation(BinaryMetrics Cells, double Ece, IReadOnlyList<ReliabilityBin> Reliability, IReadOnlyList<PatientOutcome> Patients,
    double PatientSensitivity, double PatientSpecificity, double ParasitemiaMae, int HealthyCalledPositive, int Flagged, int Skipped)
{
    /// <summary>Scores <paramref name="cells"/> with <paramref name="model"/> (its TTA setting included) and evaluates.</summary>
    public static TrustEvaluation Run(MalariaModel model, IReadOnlyList<CellImage> cells, string positiveClass,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(cells);
        var batch = model.PredictMany(cells.Select(c => c.Path).ToList(), progress, cancellationToken);
        var truth = cells.ToDictionary(c => c.Path, c => c.Label == positiveClass, StringComparer.Ordinal);
        return Of(batch.Predictions, p => truth[p], model.PatientRule, model.Metadata.Threshold, batch.Skipped.Count);
    }

    /// <summary>Evaluates predictions already made.</summary>
    public static TrustEvaluation Of(IReadOnlyList<CellPrediction> predictions, Func<string, bool> isPositive, PatientRule rule, double threshold, int skipped = 0)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(isPositive);
        var probabilities = predictions.Select(p => p.Probability).ToList();
        var labels = predictions.Select(p => isPositive(p.Source)).ToList();
        var metrics = BinaryEvaluator.Evaluate(probabilities, labels, threshold);
        var bins = CalibrationError.Bins(probabilities, labels);
        var truthByPatient = predictions.Select((p, i) => (Patient: PatientKey.Parse(p.Source), Positive: labels[i]))
            .GroupBy(x => x.Patient, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (Infected: g.Any(x => x.Positive), Rate: (double)g.Count(x => x.Positive) / g.Count()), StringComparer.Ordinal);
        var outcomes = PatientCall.Summarise(predictions, rule)
            .Select(c => new PatientOutcome(c, truthByPatient[c.Patient].Infected, truthByPatient[c.Patient].Rate)).ToList();
        var infected = outcomes.Where(o => o.Infected).ToList();
        var healthy = outcomes.Where(o => !o.Infected).ToList();
        return new TrustEvaluation(metrics, CalibrationError.Of(bins), bins, outcomes,
            infected.Count == 0 ? double.NaN : (double)infected.Count(o => o.Call.Call == PatientCall.Positive) / infected.Count,
            healthy.Count == 0 ? double.NaN : (double)healthy.Count(o => o.Call.Call == PatientCall.Negative) / healthy.Count,
            outcomes.Count == 0 ? double.NaN : outcomes.Average(o => Math.Abs(o.Call.Parasitemia - o.TrueParasitemia)) * 100,
            healthy.Count(o => o.Call.Call == PatientCall.Positive), outcomes.Count(o => o.Call.Shifted), skipped);
    }
}

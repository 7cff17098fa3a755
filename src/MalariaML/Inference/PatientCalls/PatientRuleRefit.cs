using MalariaML.Data;

namespace MalariaML.Inference.PatientCalls;

/// <summary>Fits a model's patient rule after training, on labelled validation cells scored by the model as it predicts (ensembles, refits).</summary>
internal static class PatientRuleRefit
{
    /// <summary>Scores <paramref name="validation"/> with <paramref name="model"/> and fits a rule for <paramref name="targetSensitivity"/>.</summary>
    public static PatientRule Fit(MalariaModel model, IReadOnlyList<CellImage> validation, string positiveClass, double targetSensitivity = 0.98,
        IProgress<WorkProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(validation);
        var batch = model.PredictMany(validation.Select(c => c.Path).ToList(), progress, cancellationToken);
        var truth = validation.ToDictionary(c => c.Path, c => c.Label == positiveClass, StringComparer.Ordinal);
        var scored = batch.Predictions.Select(p => new ScoredCell(PatientKey.Parse(p.Source), p.Probability, truth[p.Source])).ToList();
        return PatientRuleFitter.Fit(scored, model.Metadata.Threshold, targetSensitivity);
    }
}

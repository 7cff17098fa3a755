using MalariaML.Evaluation.Calibration;

namespace MalariaML.Inference.PatientCalls;

/// <summary>One scored cell of a known patient and truth.</summary>
/// <param name="Patient">Patient key.</param>
/// <param name="Probability">The model's probability of the positive class.</param>
/// <param name="Truth">Whether the cell is labelled positive.</param>
internal readonly record struct ScoredCell(string Patient, double Probability, bool Truth);

/// <summary>
/// Fits a <see cref="PatientRule"/> on validation patients: of all rules (fewest parasitized cells 1 to 10, and a
/// parasitemia line just above one validation patient's parasitemia, or 0) whose patient-level sensitivity reaches the
/// target, the one with the highest specificity; ties go to the lower cell count, then the lower parasitemia line (a
/// missed infection costs more than a second look).
/// </summary>
internal static class PatientRuleFitter
{
    /// <summary>Largest minimum cell count tried.</summary>
    public const int MaxMinParasitized = 10;

    /// <summary>Fits the rule.</summary>
    /// <param name="cells">Validation cells with probabilities, patients and labels.</param>
    /// <param name="cellThreshold">Probability at which a cell is called parasitized (the model's threshold).</param>
    /// <param name="targetSensitivity">Required share of infected patients called positive, e.g. 0.98.</param>
    public static PatientRule Fit(IReadOnlyList<ScoredCell> cells, double cellThreshold, double targetSensitivity = 0.98)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (targetSensitivity is < 0 or > 1 || double.IsNaN(targetSensitivity))
        {
            throw new ArgumentOutOfRangeException(nameof(targetSensitivity), targetSensitivity, "target sensitivity must lie in [0, 1]");
        }

        var patients = cells.GroupBy(c => c.Patient, StringComparer.Ordinal).Select(g => (
            Infected: g.Any(c => c.Truth),
            Cells: g.Count(),
            Parasitized: g.Count(c => c.Probability >= cellThreshold))).ToList();
        var shift = Reference(cells, cellThreshold);
        var infected = patients.Count(p => p.Infected);
        var healthy = patients.Count - infected;
        if (infected == 0)
        {
            return PatientRule.AnyParasitizedCell with { TargetSensitivity = targetSensitivity, Fit = new PatientRuleFit(0, healthy, double.NaN, Specificity(1, 0), false), Shift = shift };
        }

        // A line just above each patient's parasitemia: the lowest line that clears a healthy patient hugs that patient,
        // leaving infected patients every margin there is. (Midpoints between neighbours put the line halfway to the
        // least infected validation patient, which with few validation patients lay far above many infected test
        // patients: 42% sensitivity on fold 1 of the NIH data.)
        var lines = new List<double> { 0 };
        lines.AddRange(patients.Select(p => ((double)p.Parasitized / p.Cells) + 1e-9).Distinct().Order());

        (int K, double Line, double Sensitivity, double Specificity)? best = null;
        for (var k = 1; k <= MaxMinParasitized; k++)
        {
            foreach (var line in lines)
            {
                var rule = new PatientRule(k, line, targetSensitivity, null, null);
                var tp = patients.Count(p => p.Infected && rule.IsPositive(p.Parasitized, p.Cells));
                var tn = patients.Count(p => !p.Infected && !rule.IsPositive(p.Parasitized, p.Cells));
                var sensitivity = (double)tp / infected;
                var specificity = healthy == 0 ? double.NaN : (double)tn / healthy;
                if (sensitivity + 1e-12 < targetSensitivity)
                {
                    continue;
                }

                var score = double.IsNaN(specificity) ? 0 : specificity;
                if (best is null || score > (double.IsNaN(best.Value.Specificity) ? 0 : best.Value.Specificity) + 1e-12)
                {
                    best = (k, line, sensitivity, specificity);
                }
            }
        }

        if (best is null)
        {
            // Unreachable in practice (k = 1 at line 0 calls every patient with a parasitized cell positive), unless an
            // infected patient has no cell above the threshold at all.
            var fallback = PatientRule.AnyParasitizedCell;
            var tp = patients.Count(p => p.Infected && fallback.IsPositive(p.Parasitized, p.Cells));
            var tn = patients.Count(p => !p.Infected && !fallback.IsPositive(p.Parasitized, p.Cells));
            return fallback with { TargetSensitivity = targetSensitivity, Fit = new PatientRuleFit(infected, healthy, (double)tp / infected, Specificity(tn, healthy), false), Shift = shift };
        }

        var b = best.Value;
        return new PatientRule(b.K, b.Line, targetSensitivity, new PatientRuleFit(infected, healthy, b.Sensitivity, b.Specificity, true), shift);
    }

    /// <summary>The uninfected-called cells' logit distribution of <paramref name="cells"/>; null when fewer than 20 such cells.</summary>
    public static ScoreShiftReference? Reference(IReadOnlyList<ScoredCell> cells, double cellThreshold)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var logits = cells.Where(c => c.Probability < cellThreshold).Select(c => TemperatureScaling.Logit(c.Probability)).Order().ToArray();
        return logits.Length < 20 ? null : new ScoreShiftReference(Quantile(logits, 0.5), Quantile(logits, 0.9));
    }

    internal static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = Math.Min(sorted.Length - 1, low + 1);
        return sorted[low] + ((position - low) * (sorted[high] - sorted[low]));
    }

    private static double Specificity(int tn, int healthy) => healthy == 0 ? double.NaN : (double)tn / healthy;
}

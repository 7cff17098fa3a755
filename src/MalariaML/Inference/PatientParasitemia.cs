using MalariaML.Data;
using MalariaML.Evaluation;

namespace MalariaML.Inference;

/// <summary>
/// Parasitemia of one patient as a clinician reads it (WHO protocol: parasitized red cells out of the cells counted),
/// with a 95% Wilson interval.
/// </summary>
/// <param name="Patient">Patient key (see <see cref="PatientKey"/>).</param>
/// <param name="Cells">Cells scored.</param>
/// <param name="Parasitized">Cells predicted parasitized.</param>
/// <param name="Parasitemia">Share of cells predicted parasitized.</param>
/// <param name="CiLow">Lower bound of the 95% interval.</param>
/// <param name="CiHigh">Upper bound of the 95% interval.</param>
public sealed record PatientParasitemia(string Patient, int Cells, int Parasitized, double Parasitemia, double CiLow, double CiHigh)
{
    /// <summary>Groups predictions by the patient key of their file names, sorted by key.</summary>
    public static IReadOnlyList<PatientParasitemia> Summarise(IEnumerable<CellPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        return predictions
            .GroupBy(p => PatientKey.Parse(p.Source), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var cells = g.Count();
                var positive = g.Count(p => p.IsPositive);
                var (low, high) = WilsonInterval.Compute(positive, cells);
                return new PatientParasitemia(g.Key, cells, positive, (double)positive / cells, low, high);
            })
            .ToList();
    }
}

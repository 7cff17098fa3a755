using MalariaML.Evaluation;

namespace MalariaML.Fields;

/// <summary>Parasitemia of one patient over all of its fields, with a 95% Wilson interval.</summary>
/// <param name="Patient">Patient key.</param>
/// <param name="Fields">Fields screened.</param>
/// <param name="Cells">Red cells counted.</param>
/// <param name="Parasitized">Cells called parasitized.</param>
/// <param name="Parasitemia">Share of cells called parasitized.</param>
/// <param name="CiLow">Lower bound of the interval.</param>
/// <param name="CiHigh">Upper bound of the interval.</param>
/// <param name="TooFewCells">Whether fewer cells were counted than <see cref="FieldScreeningOptions.MinCells"/>.</param>
public sealed record PatientScreening(string Patient, int Fields, int Cells, int Parasitized, double Parasitemia, double CiLow, double CiHigh, bool TooFewCells)
{
    /// <summary>Sums fields by patient, sorted by patient.</summary>
    public static IReadOnlyList<PatientScreening> Summarise(IEnumerable<FieldScreening> fields, int minCells)
    {
        ArgumentNullException.ThrowIfNull(fields);
        return fields
            .GroupBy(f => f.Patient, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                int cells = g.Sum(f => f.Cells), positive = g.Sum(f => f.Parasitized);
                var (low, high) = WilsonInterval.Compute(positive, cells);
                return new PatientScreening(g.Key, g.Count(), cells, positive, cells == 0 ? 0 : (double)positive / cells, low, high, cells < minCells);
            })
            .ToList();
    }
}

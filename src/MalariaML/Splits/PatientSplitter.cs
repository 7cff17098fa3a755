using MalariaML.Data;

namespace MalariaML.Splits;

/// <summary>
/// Splits by patient: every patient's cells go to exactly one part. Patients are grouped by which classes they have
/// (infected patients show both parasitized and uninfected cells, healthy ones only uninfected), and within each group
/// shuffled with the seed and dealt one by one to the part furthest below its share of cells, so class balance and
/// ratios come as close as whole patients allow.
/// </summary>
internal static class PatientSplitter
{
    /// <summary>Splits <paramref name="cells"/> so that no patient key appears in two parts.</summary>
    public static DataSplit Split(IReadOnlyList<CellImage> cells, SplitRatios ratios, int seed)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(ratios);
        var random = new Random(seed);
        double[] shares = [ratios.Train, ratios.Validation, ratios.Test];
        var parts = new[] { new List<CellImage>(), new List<CellImage>(), new List<CellImage>() };

        var patients = cells.GroupBy(c => c.PatientKey, StringComparer.Ordinal)
            .Select(g => g.ToList())
            .ToList();
        var strata = patients
            .GroupBy(p => string.Join("+", p.Select(c => c.Label).Distinct().Order(StringComparer.Ordinal)))
            .OrderBy(s => s.Key, StringComparer.Ordinal);

        foreach (var stratum in strata)
        {
            var group = stratum.OrderBy(p => p[0].PatientKey, StringComparer.Ordinal).ToArray();
            random.Shuffle(group);
            var total = group.Sum(p => p.Count);
            var assigned = new double[3];
            foreach (var patient in group)
            {
                var best = -1;
                var bestDeficit = double.NegativeInfinity;
                for (var k = 0; k < 3; k++)
                {
                    if (shares[k] <= 0)
                    {
                        continue;
                    }

                    // Relative deficit, so a small part (validation) is not starved by a large one.
                    var deficit = (shares[k] * total - assigned[k]) / (shares[k] * total);
                    if (deficit > bestDeficit)
                    {
                        bestDeficit = deficit;
                        best = k;
                    }
                }

                assigned[best] += patient.Count;
                parts[best].AddRange(patient);
            }
        }

        return new DataSplit(SplitStrategy.Patient, seed, ratios,
            CellSplitter.Sorted(parts[0]), CellSplitter.Sorted(parts[1]), CellSplitter.Sorted(parts[2]));
    }
}

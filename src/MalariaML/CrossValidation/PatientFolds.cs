using MalariaML.Data;
using MalariaML.Splits;

namespace MalariaML.CrossValidation;

/// <summary>
/// K-fold cross-validation by patient: every patient's cells go to exactly one test fold. Patients are grouped by the
/// classes they have (healthy patients have only uninfected cells), shuffled with the seed within each group, and dealt
/// one by one to the fold with the fewest cells of that group so far, so folds get similar cells and similar shares of
/// healthy patients. For each fold the other patients are split into training and validation by
/// <see cref="PatientSplitter"/> with the same seed.
/// </summary>
internal static class PatientFolds
{
    /// <summary>The fold (0-based) of every patient key.</summary>
    public static IReadOnlyDictionary<string, int> Assign(IReadOnlyList<CellImage> cells, int folds, int seed)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        var patients = cells.GroupBy(c => c.PatientKey, StringComparer.Ordinal).Select(g => g.ToList()).ToList();
        if (patients.Count < folds)
        {
            throw new MalariaMLException($"{folds} folds need at least {folds} patients; the data have {patients.Count}");
        }

        var random = new Random(seed);
        var fold = new Dictionary<string, int>(StringComparer.Ordinal);
        var strata = patients.GroupBy(p => string.Join("+", p.Select(c => c.Label).Distinct().Order(StringComparer.Ordinal)))
            .OrderBy(s => s.Key, StringComparer.Ordinal);
        foreach (var stratum in strata)
        {
            var group = stratum.OrderBy(p => p[0].PatientKey, StringComparer.Ordinal).ToArray();
            random.Shuffle(group);
            var load = new int[folds];
            var members = new int[folds];
            foreach (var patient in group)
            {
                // Fewest cells first; then fewest patients, so small patients do not all pile into one fold.
                var target = Enumerable.Range(0, folds).OrderBy(k => load[k]).ThenBy(k => members[k]).ThenBy(k => k).First();
                load[target] += patient.Count;
                members[target]++;
                fold[patient[0].PatientKey] = target;
            }
        }

        return fold;
    }

    /// <summary>One split per fold: that fold's patients as the test part, the others split into training and validation.</summary>
    /// <param name="cells">Usable cells of the dataset.</param>
    /// <param name="folds">Number of folds (default 5).</param>
    /// <param name="seed">Seed of the fold assignment and of each fold's training/validation split.</param>
    /// <param name="validationShare">Share of the non-test cells (by whole patients) used for validation. Default 0.15.</param>
    public static IReadOnlyList<DataSplit> Split(IReadOnlyList<CellImage> cells, int folds = 5, int seed = 42, double validationShare = 0.15)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var assignment = Assign(cells, folds, seed);
        var ratios = new SplitRatios(1 - validationShare, validationShare, 0);
        return Enumerable.Range(0, folds).Select(k =>
        {
            var test = cells.Where(c => assignment[c.PatientKey] == k).ToList();
            var rest = cells.Where(c => assignment[c.PatientKey] != k).ToList();
            var inner = PatientSplitter.Split(rest, ratios, seed + k);
            return new DataSplit(SplitStrategy.Patient, seed, new SplitRatios((1 - validationShare) * (folds - 1) / folds, validationShare * (folds - 1) / folds, 1.0 / folds),
                inner.Train, inner.Validation, CellSplitter.Sorted(test));
        }).ToList();
    }
}

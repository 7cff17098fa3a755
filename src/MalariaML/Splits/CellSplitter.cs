using MalariaML.Data;

namespace MalariaML.Splits;

/// <summary>
/// Stratified random split of cells, the article's protocol. Cells of one patient land in several parts, so test
/// metrics from this split overstate how a model does on a new patient; prefer <see cref="PatientSplitter"/>.
/// </summary>
internal static class CellSplitter
{
    /// <summary>Splits each class separately so every part keeps the class balance.</summary>
    public static DataSplit Split(IReadOnlyList<CellImage> cells, SplitRatios ratios, int seed)
    {
        ArgumentNullException.ThrowIfNull(cells);
        ArgumentNullException.ThrowIfNull(ratios);
        var random = new Random(seed);
        List<CellImage> train = [], validation = [], test = [];
        foreach (var group in cells.GroupBy(c => c.Label).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var shuffled = group.OrderBy(c => c.Path, StringComparer.Ordinal).ToArray();
            random.Shuffle(shuffled);
            var nTest = (int)Math.Round(shuffled.Length * ratios.Test);
            var nValidation = (int)Math.Round(shuffled.Length * ratios.Validation);
            test.AddRange(shuffled.Take(nTest));
            validation.AddRange(shuffled.Skip(nTest).Take(nValidation));
            train.AddRange(shuffled.Skip(nTest + nValidation));
        }

        return new DataSplit(SplitStrategy.Cell, seed, ratios, Sorted(train), Sorted(validation), Sorted(test));
    }

    internal static List<CellImage> Sorted(List<CellImage> cells)
    {
        cells.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        return cells;
    }
}

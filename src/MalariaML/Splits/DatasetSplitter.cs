using MalariaML.Data;

namespace MalariaML.Splits;

/// <summary>Entry point that picks the splitter for a <see cref="SplitStrategy"/>.</summary>
public static class DatasetSplitter
{
    /// <summary>Splits the cells of <paramref name="dataset"/>.</summary>
    /// <param name="dataset">Usable cells (see <see cref="DatasetSummary.Usable"/>).</param>
    /// <param name="strategy">By patient (default) or by cell.</param>
    /// <param name="ratios">Train, validation and test shares; <see cref="SplitRatios.Default"/> when null.</param>
    /// <param name="seed">Seed of the shuffles.</param>
    public static DataSplit Split(CellDataset dataset, SplitStrategy strategy = SplitStrategy.Patient, SplitRatios? ratios = null, int seed = 42)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ratios ??= SplitRatios.Default;
        return strategy switch
        {
            SplitStrategy.Patient => PatientSplitter.Split(dataset.Cells, ratios, seed),
            SplitStrategy.Cell => CellSplitter.Split(dataset.Cells, ratios, seed),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, null),
        };
    }
}

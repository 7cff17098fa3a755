namespace MalariaML.Data;

/// <summary>The result of decoding every image of a dataset once: the usable cells and the files skipped.</summary>
/// <param name="Dataset">The dataset that was scanned (all files, usable or not).</param>
/// <param name="Usable">Cells that decoded, in the dataset's order.</param>
/// <param name="Skipped">Files that did not, with reasons, in the dataset's order.</param>
internal sealed record DatasetScan(CellDataset Dataset, IReadOnlyList<ScannedCell> Usable, IReadOnlyList<SkippedFile> Skipped)
{
    /// <summary>The dataset restricted to usable cells: what splits and training should see.</summary>
    public CellDataset UsableDataset => Dataset.WithCells(Usable.Select(u => u.Cell));
}

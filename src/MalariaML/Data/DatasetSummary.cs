namespace MalariaML.Data;

/// <summary>
/// What a dataset holds: usable cells per class, patients per class, image sizes, and the files skipped.
/// Counts are of usable cells only.
/// </summary>
/// <param name="Total">Usable cells.</param>
/// <param name="Classes">Usable cells per class name.</param>
/// <param name="Patients">Distinct patient keys with at least one usable cell, per class name.</param>
/// <param name="Width">Widths of usable images.</param>
/// <param name="Height">Heights of usable images.</param>
/// <param name="Skipped">Files that could not be used, with reasons.</param>
public sealed record DatasetSummary(
    int Total,
    IReadOnlyDictionary<string, int> Classes,
    IReadOnlyDictionary<string, int> Patients,
    SizeStatistics Width,
    SizeStatistics Height,
    IReadOnlyList<SkippedFile> Skipped)
{
    /// <summary>Distinct patients over all classes (a patient with cells in two classes counts once).</summary>
    public int PatientCount { get; init; }

    /// <summary>The dataset restricted to usable cells: what splits and training should see.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public CellDataset Usable { get; init; } = null!; // set by From, the only maker of summaries

    /// <summary>Summarises a scan.</summary>
    internal static DatasetSummary From(DatasetScan scan)
    {
        ArgumentNullException.ThrowIfNull(scan);
        var byClass = scan.Dataset.Classes.ToDictionary(c => c, _ => 0, StringComparer.Ordinal);
        var patients = scan.Dataset.Classes.ToDictionary(c => c, _ => new HashSet<string>(StringComparer.Ordinal), StringComparer.Ordinal);
        foreach (var u in scan.Usable)
        {
            byClass[u.Cell.Label]++;
            patients[u.Cell.Label].Add(u.Cell.PatientKey);
        }

        return new DatasetSummary(
            scan.Usable.Count,
            byClass,
            patients.ToDictionary(p => p.Key, p => p.Value.Count, StringComparer.Ordinal),
            SizeStatistics.Of(scan.Usable.Select(u => u.Width).ToList()),
            SizeStatistics.Of(scan.Usable.Select(u => u.Height).ToList()),
            scan.Skipped)
        {
            PatientCount = scan.Usable.Select(u => u.Cell.PatientKey).Distinct(StringComparer.Ordinal).Count(),
            Usable = scan.UsableDataset,
        };
    }
}

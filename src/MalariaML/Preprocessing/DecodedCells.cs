using MalariaML.Data;

namespace MalariaML.Preprocessing;

/// <summary>
/// Cells decoded and resized once, kept as bytes. <see cref="Images"/>[i] belongs to <see cref="Cells"/>[i]; files that
/// failed to decode are in <see cref="Skipped"/> and in neither list.
/// </summary>
internal sealed record DecodedCells(
    IReadOnlyList<CellImage> Cells,
    IReadOnlyList<RgbImage> Images,
    IReadOnlyList<SkippedFile> Skipped,
    int Width,
    int Height);

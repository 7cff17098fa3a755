namespace MalariaML.Preprocessing;

/// <summary>
/// Mean and standard deviation of cell pixels in CIE Lab (L 0-100, a and b around 0), the statistics Reinhard's colour
/// transfer matches: enough to move one lab's stain and white balance towards another's.
/// </summary>
/// <param name="Mean">Mean of L, a, b.</param>
/// <param name="StdDev">Standard deviation of L, a, b.</param>
internal sealed record ColorStatistics(IReadOnlyList<double> Mean, IReadOnlyList<double> StdDev);

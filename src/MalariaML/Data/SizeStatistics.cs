namespace MalariaML.Data;

/// <summary>Minimum, mean, median and maximum of a set of image sizes in pixels.</summary>
public sealed record SizeStatistics(int Min, double Mean, double Median, int Max)
{
    /// <summary>Computes the statistics; all zero for an empty set.</summary>
    public static SizeStatistics Of(IReadOnlyCollection<int> values)
    {
        if (values.Count == 0)
        {
            return new SizeStatistics(0, 0, 0, 0);
        }

        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
        return new SizeStatistics(sorted[0], sorted.Average(v => (double)v), median, sorted[^1]);
    }
}

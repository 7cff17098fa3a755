namespace MalariaML.Evaluation;

/// <summary>
/// Wilson score interval for a proportion: unlike the normal approximation it stays inside [0, 1] and behaves for
/// small counts and for proportions near 0, which is where parasitemia usually is.
/// </summary>
internal static class WilsonInterval
{
    /// <summary>The interval for <paramref name="successes"/> out of <paramref name="trials"/>.</summary>
    /// <param name="successes">Count of positive cells.</param>
    /// <param name="trials">Count of cells.</param>
    /// <param name="z">Normal quantile; 1.96 for 95%.</param>
    /// <returns>(low, high); (0, 1) when there are no trials.</returns>
    public static (double Low, double High) Compute(int successes, int trials, double z = 1.96)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        if (trials == 0)
        {
            return (0, 1);
        }

        double n = trials, p = successes / n, z2 = z * z;
        var center = (p + z2 / (2 * n)) / (1 + z2 / n);
        var half = z / (1 + z2 / n) * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return (Math.Max(0, center - half), Math.Min(1, center + half));
    }
}

namespace MalariaML.Evaluation.Calibration;

/// <summary>One bin of a reliability diagram.</summary>
/// <param name="Lower">Lower edge of the bin (probability).</param>
/// <param name="Upper">Upper edge.</param>
/// <param name="Count">Cells whose probability fell in the bin.</param>
/// <param name="MeanProbability">Mean predicted probability of the positive class in the bin (NaN when empty).</param>
/// <param name="PositiveRate">Share of the bin's cells that really are positive (NaN when empty).</param>
internal sealed record ReliabilityBin(double Lower, double Upper, int Count, double MeanProbability, double PositiveRate);

/// <summary>
/// Expected calibration error of probabilities of the positive class: cells binned by predicted probability into
/// equal-width bins, and the mean gap between predicted probability and observed positive rate, weighted by the
/// bins' cell counts. 0 means a cell given 0.8 is parasitized 80% of the time, whatever the bin.
/// </summary>
/// <remarks>
/// Binned over the probability of the positive class (not the confidence of the predicted class), with 15 bins by
/// default: the reliability diagram of <c>malaria report</c> draws the same bins. With both sides of 0.5 this is the
/// binary form of Guo et al.'s ECE.
/// </remarks>
internal static class CalibrationError
{
    /// <summary>Default number of bins.</summary>
    public const int DefaultBins = 15;

    /// <summary>The bins of a reliability diagram.</summary>
    public static IReadOnlyList<ReliabilityBin> Bins(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        if (probabilities.Count != labels.Count)
        {
            throw new ArgumentException($"{probabilities.Count} probabilities but {labels.Count} labels");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var count = new int[bins];
        var sum = new double[bins];
        var positive = new int[bins];
        for (var i = 0; i < probabilities.Count; i++)
        {
            var p = probabilities[i];
            if (double.IsNaN(p))
            {
                throw new ArgumentException("a probability is NaN", nameof(probabilities));
            }

            var b = Math.Clamp((int)(p * bins), 0, bins - 1);
            count[b]++;
            sum[b] += p;
            positive[b] += labels[i] ? 1 : 0;
        }

        return Enumerable.Range(0, bins).Select(b => new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, count[b],
            count[b] > 0 ? sum[b] / count[b] : double.NaN, count[b] > 0 ? (double)positive[b] / count[b] : double.NaN)).ToList();
    }

    /// <summary>Expected calibration error in [0, 1]; NaN for no cells.</summary>
    public static double Compute(IReadOnlyList<double> probabilities, IReadOnlyList<bool> labels, int bins = DefaultBins) => Of(Bins(probabilities, labels, bins));

    /// <summary>Expected calibration error of bins made by <see cref="Bins"/>.</summary>
    public static double Of(IReadOnlyList<ReliabilityBin> bins)
    {
        ArgumentNullException.ThrowIfNull(bins);
        var total = bins.Sum(b => b.Count);
        return total == 0 ? double.NaN : bins.Where(b => b.Count > 0).Sum(b => b.Count * Math.Abs(b.MeanProbability - b.PositiveRate)) / total;
    }
}

namespace MalariaML.Evaluation;

/// <summary>
/// The exact (un-sampled) ROC curve of a set of predictions, for plotting and for choosing an operating
/// threshold.
/// </summary>
/// <remarks>
/// Points are ordered by decreasing threshold: the first is (0, 0) at +∞ (flag nothing) and there is one
/// point per distinct probability, the last being (1, 1) at the lowest probability (flag everything). Tied
/// probabilities form a single point, so the trapezoids between points give the tie-aware AUC that equals
/// the Mann-Whitney statistic. When a class is absent its rate is reported as 0 on every point and
/// <see cref="Auc"/> is NaN.
/// </remarks>
internal sealed class RocCurve
{
    // Absolute slack when comparing a reached recall (k/P, computed in floating point) with a requested one,
    // so that asking for 0.98 with 50 positives accepts 49/50 even if the two roundings differ.
    private const double RecallTolerance = 1e-12;

    private readonly RocPoint[] _points;

    private RocCurve(RocPoint[] points, int positives, int negatives, double auc)
    {
        _points = points;
        Positives = positives;
        Negatives = negatives;
        Auc = auc;
    }

    /// <summary>Operating points by decreasing threshold; see the type remarks for the shape.</summary>
    public IReadOnlyList<RocPoint> Points => _points;

    /// <summary>Number of infected (positive) cells the curve was built from.</summary>
    public int Positives { get; }

    /// <summary>Number of uninfected (negative) cells the curve was built from.</summary>
    public int Negatives { get; }

    /// <summary>
    /// Area under the curve by the trapezoid rule; equals <see cref="BinaryEvaluator.ComputeAuc"/> up to
    /// rounding. NaN when only one class is present.
    /// </summary>
    public double Auc { get; }

    /// <summary>Builds the exact ROC curve; O(n log n).</summary>
    /// <param name="predictions">Scored cells.</param>
    /// <exception cref="ArgumentException">A probability is NaN.</exception>
    internal static RocCurve Compute(IEnumerable<BinaryPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        BinaryPrediction[] sorted = BinaryEvaluator.Materialize(predictions);
        Array.Sort(sorted, static (a, b) => b.Probability.CompareTo(a.Probability));

        int positives = 0;
        foreach (BinaryPrediction prediction in sorted)
        {
            if (prediction.IsPositive) positives++;
        }

        int negatives = sorted.Length - positives;
        var points = new List<RocPoint>(sorted.Length + 1) { new(0, 0, double.PositiveInfinity) };
        int tp = 0, fp = 0, i = 0;
        while (i < sorted.Length)
        {
            double threshold = sorted[i].Probability;
            // Consume the whole tie group before emitting: a threshold cannot split equal probabilities.
            while (i < sorted.Length && sorted[i].Probability == threshold)
            {
                if (sorted[i].IsPositive) tp++; else fp++;
                i++;
            }

            points.Add(new RocPoint(Rate(fp, negatives), Rate(tp, positives), threshold));
        }

        double auc = double.NaN;
        if (positives > 0 && negatives > 0)
        {
            auc = 0;
            for (int k = 1; k < points.Count; k++)
            {
                auc += (points[k].Fpr - points[k - 1].Fpr) * (points[k].Tpr + points[k - 1].Tpr) / 2;
            }
        }

        return new RocCurve([.. points], positives, negatives, auc);
    }

    /// <summary>
    /// Finds the highest threshold whose recall (true positive rate) is at least <paramref name="targetRecall"/>.
    /// </summary>
    /// <remarks>
    /// A screening tool is tuned to miss few infected cells; among all thresholds that meet the recall
    /// target, the highest one flags the fewest uninfected cells, so it is the one to deploy. Use the
    /// returned <see cref="RocPoint.Threshold"/> with <see cref="BinaryEvaluator.Evaluate(IEnumerable{BinaryPrediction}, double)"/>
    /// to get the full metrics at that operating point; its recall will equal <see cref="RocPoint.Tpr"/>.
    /// A target of 0 returns the +∞ point (flag nothing).
    /// </remarks>
    /// <param name="targetRecall">Required recall in [0, 1], e.g. 0.98.</param>
    /// <returns>The operating point, including the recall and false positive rate actually reached.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The target is outside [0, 1] or NaN.</exception>
    /// <exception cref="InvalidOperationException">There are no positive cells, so recall is undefined.</exception>
    public RocPoint FindThresholdForRecall(double targetRecall)
    {
        if (double.IsNaN(targetRecall) || targetRecall < 0 || targetRecall > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(targetRecall), targetRecall, "Target recall must be in [0, 1].");
        }

        if (Positives == 0)
        {
            throw new InvalidOperationException("Recall is undefined without any positive (infected) cells.");
        }

        foreach (RocPoint point in _points)
        {
            if (point.Tpr >= targetRecall - RecallTolerance)
            {
                return point;
            }
        }

        // Unreachable: the last point flags every cell, so its recall is 1.
        return _points[^1];
    }

    private static double Rate(int count, int total) => total == 0 ? 0 : (double)count / total;
}

namespace MalariaML.Evaluation;

/// <summary>
/// Computes classification metrics for parasitized-vs-uninfected predictions.
/// </summary>
/// <remarks>
/// Plain C# on purpose: evaluation must give the same numbers whichever backend (ML.NET, TorchSharp,
/// ONNX) produced the probabilities, and it has to be checkable by hand. All members are pure; the
/// metrics agree with ML.NET's <c>BinaryClassification.Evaluate</c> (see the cross-check tests) except that
/// a probability exactly equal to the threshold counts as positive here (ML.NET flags strictly positive
/// raw scores), and that an AUC over a single class is NaN here where ML.NET throws.
/// </remarks>
internal static class BinaryEvaluator
{
    /// <summary>The usual decision threshold for calibrated probabilities.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>
    /// Evaluates predictions at <paramref name="threshold"/>: accuracy, precision, recall, F1, MCC and the
    /// confusion counts at that threshold, plus the threshold-independent ROC AUC.
    /// </summary>
    /// <param name="predictions">Scored cells; enumerated once.</param>
    /// <param name="threshold">A cell is predicted infected when its probability is &gt;= this value.</param>
    /// <returns>
    /// Metrics where empty denominators give 0 (e.g. precision with no positive predictions) and AUC is
    /// NaN when fewer than two classes are present (including an empty input).
    /// </returns>
    /// <exception cref="ArgumentException">The threshold or a probability is NaN.</exception>
    internal static BinaryMetrics Evaluate(IEnumerable<BinaryPrediction> predictions, double threshold = DefaultThreshold)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ValidateThreshold(threshold);
        BinaryPrediction[] items = Materialize(predictions);
        return BinaryMetrics.FromConfusionMatrix(ConfusionMatrix.FromPredictions(items, threshold), ComputeAuc(items));
    }

    /// <summary>
    /// Evaluates parallel sequences of probabilities and labels, the shape most model outputs come in.
    /// </summary>
    /// <param name="probabilities">Probability of "parasitized" per cell.</param>
    /// <param name="labels">True when the cell is parasitized; same order and length as the probabilities.</param>
    /// <param name="threshold">A cell is predicted infected when its probability is &gt;= this value.</param>
    /// <exception cref="ArgumentException">The sequences differ in length, or a value is NaN.</exception>
    public static BinaryMetrics Evaluate(IEnumerable<double> probabilities, IEnumerable<bool> labels, double threshold = DefaultThreshold) =>
        Evaluate(Zip(probabilities, labels), threshold);

    /// <summary>
    /// Exact ROC AUC by the Mann-Whitney U statistic: the share of (infected, uninfected) pairs in which the
    /// infected cell has the higher probability, a tie counting one half.
    /// </summary>
    /// <remarks>
    /// Computed from all pairs implicitly in O(n log n), without sampling, so the result is reproducible;
    /// it equals the trapezoid area under <see cref="RocCurve"/>.
    /// </remarks>
    /// <param name="predictions">Scored cells.</param>
    /// <returns>AUC in [0, 1], or NaN when there are no positives or no negatives.</returns>
    /// <exception cref="ArgumentException">A probability is NaN.</exception>
    internal static double ComputeAuc(IEnumerable<BinaryPrediction> predictions)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        BinaryPrediction[] sorted = Materialize(predictions);
        Array.Sort(sorted, static (a, b) => a.Probability.CompareTo(b.Probability));

        double u = 0;
        long positives = 0, negativesBelow = 0;
        int i = 0;
        while (i < sorted.Length)
        {
            double score = sorted[i].Probability;
            long groupPositives = 0, groupNegatives = 0;
            while (i < sorted.Length && sorted[i].Probability == score)
            {
                if (sorted[i].IsPositive) groupPositives++; else groupNegatives++;
                i++;
            }

            // Each positive beats every negative strictly below it and half-beats the tied negatives.
            u += groupPositives * (negativesBelow + (0.5 * groupNegatives));
            positives += groupPositives;
            negativesBelow += groupNegatives;
        }

        long negatives = negativesBelow;
        return positives == 0 || negatives == 0 ? double.NaN : u / ((double)positives * negatives);
    }

    /// <summary>Builds the exact ROC curve; shorthand for <see cref="RocCurve.Compute"/>.</summary>
    /// <param name="predictions">Scored cells.</param>
    internal static RocCurve ComputeRocCurve(IEnumerable<BinaryPrediction> predictions) => RocCurve.Compute(predictions);

    /// <summary>
    /// Finds the highest threshold that still reaches <paramref name="targetRecall"/>, i.e. the operating
    /// point with the fewest false alarms that misses at most (1 - target) of the infected cells.
    /// </summary>
    /// <param name="predictions">Scored cells, typically a validation set (not the final test set).</param>
    /// <param name="targetRecall">Required recall in [0, 1], e.g. 0.98.</param>
    /// <returns>The chosen point: its threshold, the recall reached and the false positive rate paid.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The target is outside [0, 1].</exception>
    /// <exception cref="InvalidOperationException">There are no positive cells.</exception>
    internal static RocPoint FindThresholdForRecall(IEnumerable<BinaryPrediction> predictions, double targetRecall) =>
        RocCurve.Compute(predictions).FindThresholdForRecall(targetRecall);

    internal static BinaryPrediction[] Materialize(IEnumerable<BinaryPrediction> predictions)
    {
        BinaryPrediction[] items = predictions.ToArray();
        for (int i = 0; i < items.Length; i++)
        {
            ValidateProbability(items[i].Probability, i);
        }

        return items;
    }

    internal static void ValidateProbability(double probability, int index)
    {
        if (double.IsNaN(probability))
        {
            throw new ArgumentException($"Prediction {index} has a NaN probability, which cannot be ranked or thresholded.", "predictions");
        }
    }

    internal static void ValidateThreshold(double threshold)
    {
        if (double.IsNaN(threshold))
        {
            throw new ArgumentException("The decision threshold must not be NaN.", nameof(threshold));
        }
    }

    private static IEnumerable<BinaryPrediction> Zip(IEnumerable<double> probabilities, IEnumerable<bool> labels)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        double[] p = probabilities.ToArray();
        bool[] y = labels.ToArray();
        if (p.Length != y.Length)
        {
            throw new ArgumentException($"Got {p.Length} probabilities but {y.Length} labels.", nameof(labels));
        }

        var result = new BinaryPrediction[p.Length];
        for (int i = 0; i < p.Length; i++)
        {
            result[i] = new BinaryPrediction(p[i], y[i]);
        }

        return result;
    }
}

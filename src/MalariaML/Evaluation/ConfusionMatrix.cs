using System.Globalization;

namespace MalariaML.Evaluation;

/// <summary>
/// Counts of a binary classifier's outcomes at one decision threshold, with the positive class
/// being "parasitized".
/// </summary>
/// <remarks>
/// Every ratio derived here returns 0 instead of NaN when its denominator is 0 (for example precision
/// when nothing was predicted positive). A screening report must always print and serialise, and 0 is
/// the honest score for "found no infected cells" / "predicted none"; ML.NET uses the same convention
/// for precision and recall.
/// </remarks>
internal readonly record struct ConfusionMatrix
{
    /// <summary>Creates a matrix from raw counts.</summary>
    /// <param name="truePositives">Infected cells predicted infected.</param>
    /// <param name="falsePositives">Uninfected cells predicted infected.</param>
    /// <param name="trueNegatives">Uninfected cells predicted uninfected.</param>
    /// <param name="falseNegatives">Infected cells predicted uninfected: the costly error in screening.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public ConfusionMatrix(int truePositives, int falsePositives, int trueNegatives, int falseNegatives)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(truePositives);
        ArgumentOutOfRangeException.ThrowIfNegative(falsePositives);
        ArgumentOutOfRangeException.ThrowIfNegative(trueNegatives);
        ArgumentOutOfRangeException.ThrowIfNegative(falseNegatives);
        TruePositives = truePositives;
        FalsePositives = falsePositives;
        TrueNegatives = trueNegatives;
        FalseNegatives = falseNegatives;
    }

    /// <summary>Infected cells predicted infected.</summary>
    public int TruePositives { get; }

    /// <summary>Uninfected cells predicted infected.</summary>
    public int FalsePositives { get; }

    /// <summary>Uninfected cells predicted uninfected.</summary>
    public int TrueNegatives { get; }

    /// <summary>Infected cells predicted uninfected.</summary>
    public int FalseNegatives { get; }

    /// <summary>Number of predictions the matrix summarises.</summary>
    public int Count => TruePositives + FalsePositives + TrueNegatives + FalseNegatives;

    /// <summary>Cells whose ground truth is positive.</summary>
    public int ActualPositives => TruePositives + FalseNegatives;

    /// <summary>Cells whose ground truth is negative.</summary>
    public int ActualNegatives => TrueNegatives + FalsePositives;

    /// <summary>Cells the model flagged as infected.</summary>
    public int PredictedPositives => TruePositives + FalsePositives;

    /// <summary>Fraction of correct predictions; 0 for an empty matrix.</summary>
    public double Accuracy => Ratio(TruePositives + TrueNegatives, Count);

    /// <summary>Fraction of flagged cells that really are infected; 0 when nothing was flagged.</summary>
    public double Precision => Ratio(TruePositives, PredictedPositives);

    /// <summary>Fraction of infected cells that were flagged (sensitivity); 0 when there are no infected cells.</summary>
    public double Recall => Ratio(TruePositives, ActualPositives);

    /// <summary>Fraction of uninfected cells correctly cleared; 0 when there are no uninfected cells.</summary>
    public double Specificity => Ratio(TrueNegatives, ActualNegatives);

    /// <summary>
    /// Harmonic mean of precision and recall; 0 when there are no true positives.
    /// </summary>
    /// <remarks>
    /// Computed as 2TP / (2TP + FP + FN), which equals 2PR / (P + R) but stays defined (0) when both are 0.
    /// </remarks>
    public double F1 => Ratio(2.0 * TruePositives, 2.0 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>
    /// Matthews correlation coefficient in [-1, 1]; 0 when any row or column of the matrix is empty.
    /// </summary>
    /// <remarks>
    /// Reported because, unlike accuracy and F1, it stays informative when the classes are imbalanced,
    /// which is the norm for real smears. Products are taken in double so large test sets cannot overflow.
    /// </remarks>
    public double Mcc
    {
        get
        {
            double tp = TruePositives, fp = FalsePositives, tn = TrueNegatives, fn = FalseNegatives;
            double denominator = Math.Sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn));
            return denominator == 0 ? 0 : ((tp * tn) - (fp * fn)) / denominator;
        }
    }

    /// <summary>
    /// Tallies predictions at <paramref name="threshold"/>: a cell counts as predicted positive when its
    /// probability is greater than or equal to the threshold.
    /// </summary>
    /// <remarks>
    /// "Greater or equal" makes every threshold reported on a <see cref="RocCurve"/> reproduce that point's
    /// recall exactly. ML.NET's evaluator uses a strict "greater than" on its raw score; the two only
    /// differ for a probability exactly equal to the threshold.
    /// </remarks>
    /// <param name="predictions">Scored cells.</param>
    /// <param name="threshold">Decision threshold; any non-NaN value.</param>
    /// <exception cref="ArgumentException">The threshold or a probability is NaN.</exception>
    internal static ConfusionMatrix FromPredictions(IEnumerable<BinaryPrediction> predictions, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        BinaryEvaluator.ValidateThreshold(threshold);

        int tp = 0, fp = 0, tn = 0, fn = 0, index = 0;
        foreach (BinaryPrediction prediction in predictions)
        {
            BinaryEvaluator.ValidateProbability(prediction.Probability, index++);
            bool predictedPositive = prediction.Probability >= threshold;
            if (prediction.IsPositive)
            {
                if (predictedPositive) tp++; else fn++;
            }
            else
            {
                if (predictedPositive) fp++; else tn++;
            }
        }

        return new ConfusionMatrix(tp, fp, tn, fn);
    }

    /// <summary>Compact one-line form for logs, independent of the current culture.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"TP={TruePositives} FP={FalsePositives} TN={TrueNegatives} FN={FalseNegatives}");

    private static double Ratio(double numerator, double denominator) =>
        denominator == 0 ? 0 : numerator / denominator;
}

using MalariaML.Evaluation;
using Microsoft.ML;
using MlNetMetrics = Microsoft.ML.Data.CalibratedBinaryClassificationMetrics;

namespace MalariaML.Tests.Evaluation;

/// <summary>
/// Checks the evaluator against ML.NET's <c>BinaryClassification.Evaluate</c> on identical predictions.
/// </summary>
/// <remarks>
/// Probabilities are multiples of 1/4096 so that they are exact in float (ML.NET's column type) and
/// in double (ours), and so that <c>Score = Probability - 0.5</c> is exact too. ML.NET 5.0.1 derives its
/// confusion matrix from the Score column with a strict <c>Score &gt; 0</c> rule, ignoring both the
/// PredictedLabel and Probability columns (checked by feeding it contradictory columns), so with this Score
/// it flags <c>Probability &gt; 0.5</c>. Ours flags <c>&gt;= 0.5</c>, so the data avoids probabilities of
/// exactly 0.5 except in the test that pins down that one difference. ML.NET's AUC is computed on all rows
/// (no sampling by default) and also counts a tied (positive, negative) pair as one half, so it agrees
/// with our Mann-Whitney AUC even with heavy ties.
/// </remarks>
public class MlNetCrossCheckTests
{
    private const double Tolerance = 1e-6;
    private const int Resolution = 4096;

    [Fact]
    public void RealisticOverlapMatchesMlNet()
    {
        var random = new Random(20240917);
        var predictions = new List<BinaryPrediction>();
        while (predictions.Count < 400)
        {
            // Infected cells score high, uninfected low, with overlapping logit distributions (AUC ~0.85).
            bool positive = random.NextDouble() < 0.45;
            double logit = (positive ? 1.0 : -1.0) + (1.3 * Gaussian(random));
            double probability = Quantize(1.0 / (1.0 + Math.Exp(-logit)));
            if (probability != 0.5)
            {
                predictions.Add(new BinaryPrediction(probability, positive));
            }
        }

        AssertMatchesMlNet(predictions);
    }

    [Fact]
    public void HeavyTiesMatchMlNet()
    {
        // Only six distinct scores, shared by both classes, so almost every (pos, neg) pair is tied or
        // the ranking is decided group-by-group: this exercises the "tie counts one half" rule.
        double[] levels = [0.125, 0.25, 0.375, 0.625, 0.75, 0.875];
        var random = new Random(11);
        BinaryPrediction[] predictions = Enumerable.Range(0, 300)
            .Select(_ =>
            {
                bool positive = random.NextDouble() < 0.4;
                int index = Math.Clamp(random.Next(0, 4) + (positive ? 2 : 0), 0, levels.Length - 1);
                return new BinaryPrediction(levels[index], positive);
            })
            .ToArray();

        MlNetMetrics mlNet = AssertMatchesMlNet(predictions);

        // ML.NET's AucAggregator also scores a tie as one half, so the two agree exactly even with ties.
        Assert.Equal(BinaryEvaluator.ComputeAuc(predictions), mlNet.AreaUnderRocCurve, 12);
    }

    [Fact]
    public void HandComputedExampleMatchesMlNet()
    {
        BinaryPrediction[] quantized = HandComputedExample.Predictions
            .Select(p => p with { Probability = Quantize(p.Probability) })
            .ToArray();

        AssertMatchesMlNet(quantized);
    }

    [Fact]
    public void ProbabilityExactlyAtThresholdIsTheOneDocumentedDifference()
    {
        // One infected cell at exactly 0.5: we flag it (>=), ML.NET does not (strict >).
        BinaryPrediction[] predictions = [new(0.5, true), new(0.9, true), new(0.1, false), new(0.2, false)];

        BinaryMetrics ours = BinaryEvaluator.Evaluate(predictions);
        MlNetMetrics mlNet = EvaluateWithMlNet(predictions);

        Assert.Equal(1.0, ours.Recall);
        Assert.Equal(0.5, mlNet.PositiveRecall, 12);
        Assert.Equal(ours.Auc, mlNet.AreaUnderRocCurve, 12);
    }

    [Fact]
    public void SingleClassAucIsNaNHereWhereMlNetThrows()
    {
        BinaryPrediction[] onlyNegatives = [new(0.25, false), new(0.75, false)];

        Assert.True(double.IsNaN(BinaryEvaluator.Evaluate(onlyNegatives).Auc));
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluateWithMlNet(onlyNegatives));
    }

    private static MlNetMetrics AssertMatchesMlNet(IReadOnlyCollection<BinaryPrediction> predictions)
    {
        BinaryMetrics ours = BinaryEvaluator.Evaluate(predictions);
        MlNetMetrics mlNet = EvaluateWithMlNet(predictions);

        // Guard against a degenerate sample that would make the comparison vacuous.
        Assert.True(ours.Tp > 0 && ours.Fp > 0 && ours.Tn > 0 && ours.Fn > 0, ours.ToString());

        Assert.Equal(mlNet.Accuracy, ours.Accuracy, Tolerance);
        Assert.Equal(mlNet.PositivePrecision, ours.Precision, Tolerance);
        Assert.Equal(mlNet.PositiveRecall, ours.Recall, Tolerance);
        Assert.Equal(mlNet.F1Score, ours.F1, Tolerance);
        Assert.Equal(mlNet.AreaUnderRocCurve, ours.Auc, Tolerance);

        // ML.NET's confusion matrix: rows are the actual class, columns the predicted one, positive first.
        IReadOnlyList<IReadOnlyList<double>> counts = mlNet.ConfusionMatrix.Counts;
        Assert.Equal((double)ours.Tp, counts[0][0]);
        Assert.Equal((double)ours.Fn, counts[0][1]);
        Assert.Equal((double)ours.Fp, counts[1][0]);
        Assert.Equal((double)ours.Tn, counts[1][1]);
        return mlNet;
    }

    private static MlNetMetrics EvaluateWithMlNet(IEnumerable<BinaryPrediction> predictions)
    {
        var mlContext = new MLContext(seed: 1);
        IDataView data = mlContext.Data.LoadFromEnumerable(predictions.Select(p => new ScoredRow
        {
            Label = p.IsPositive,
            Probability = (float)p.Probability,
            Score = (float)p.Probability - 0.5f,
            PredictedLabel = p.Probability >= BinaryEvaluator.DefaultThreshold,
        }));
        return mlContext.BinaryClassification.Evaluate(data);
    }

    private static double Quantize(double probability) => Math.Round(probability * Resolution) / Resolution;

    private static double Gaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() avoids log(0).
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private sealed class ScoredRow
    {
        public bool Label { get; set; }

        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }
}

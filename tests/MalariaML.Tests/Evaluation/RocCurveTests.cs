using MalariaML.Evaluation;

namespace MalariaML.Tests.Evaluation;

public class RocCurveTests
{
    private const int Precision = 10;

    [Fact]
    public void HandComputedExampleHasOnePointPerDistinctProbability()
    {
        RocCurve curve = RocCurve.Compute(HandComputedExample.Predictions);

        (double Fpr, double Tpr, double Threshold)[] expected =
        [
            (0.0, 0.0, double.PositiveInfinity),
            (0.0, 0.2, 0.95), (0.0, 0.4, 0.85), (0.2, 0.4, 0.80), (0.2, 0.6, 0.70), (0.4, 0.6, 0.60),
            (0.4, 0.8, 0.55), (0.4, 1.0, 0.40), (0.6, 1.0, 0.30), (0.8, 1.0, 0.20), (1.0, 1.0, 0.10),
        ];
        Assert.Equal(expected.Length, curve.Points.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Fpr, curve.Points[i].Fpr, Precision);
            Assert.Equal(expected[i].Tpr, curve.Points[i].Tpr, Precision);
            Assert.Equal(expected[i].Threshold, curve.Points[i].Threshold);
        }

        Assert.Equal(5, curve.Positives);
        Assert.Equal(5, curve.Negatives);
        Assert.Equal(0.8, curve.Auc, Precision);
    }

    [Fact]
    public void TiedProbabilitiesCollapseIntoOnePointAndGiveADiagonalStep()
    {
        BinaryPrediction[] predictions = [new(0.9, true), new(0.5, true), new(0.5, false), new(0.1, false)];

        RocCurve curve = RocCurve.Compute(predictions);

        Assert.Equal(4, curve.Points.Count);
        Assert.Equal(new RocPoint(0.5, 1.0, 0.5), curve.Points[2]);
        Assert.Equal(0.875, curve.Auc, Precision);
    }

    [Fact]
    public void TrapezoidAucEqualsMannWhitneyAucOnRandomDataWithTies()
    {
        var random = new Random(7);
        BinaryPrediction[] predictions = Enumerable.Range(0, 500)
            .Select(_ =>
            {
                bool positive = random.NextDouble() < 0.3;
                // Rounded to two decimals so many scores tie across classes.
                double p = Math.Round(Math.Clamp((positive ? 0.65 : 0.35) + (0.25 * (random.NextDouble() - 0.5) * 2), 0, 1), 2);
                return new BinaryPrediction(p, positive);
            })
            .ToArray();

        Assert.Equal(BinaryEvaluator.ComputeAuc(predictions), RocCurve.Compute(predictions).Auc, 12);
    }

    [Fact]
    public void EveryPointsThresholdReproducesItsRatesThroughTheEvaluator()
    {
        RocCurve curve = RocCurve.Compute(HandComputedExample.Predictions);

        foreach (RocPoint point in curve.Points)
        {
            ConfusionMatrix m = ConfusionMatrix.FromPredictions(HandComputedExample.Predictions, point.Threshold);
            Assert.Equal(point.Tpr, m.Recall, Precision);
            Assert.Equal(point.Fpr, 1 - m.Specificity, Precision);
        }
    }

    [Theory]
    [InlineData(0.8, 0.55, 0.4)]
    [InlineData(0.98, 0.40, 0.4)]
    [InlineData(1.0, 0.40, 0.4)]
    [InlineData(0.5, 0.70, 0.2)]
    [InlineData(0.2, 0.95, 0.0)]
    public void FindThresholdForRecallReturnsTheHighestThresholdMeetingTheTarget(double target, double threshold, double fpr)
    {
        RocPoint point = BinaryEvaluator.FindThresholdForRecall(HandComputedExample.Predictions, target);

        Assert.Equal(threshold, point.Threshold);
        Assert.Equal(fpr, point.Fpr, Precision);
        Assert.True(point.Tpr >= target);
        Assert.Equal(point.Tpr, BinaryEvaluator.Evaluate(HandComputedExample.Predictions, point.Threshold).Recall, Precision);
    }

    [Fact]
    public void FindThresholdForRecallHitsAnExactFractionDespiteRounding()
    {
        // 49 of 50 positives is exactly recall 0.98; the 50th positive scores lowest, below all negatives.
        var predictions = new List<BinaryPrediction>();
        for (int i = 0; i < 49; i++) predictions.Add(new BinaryPrediction(0.99 - (i * 0.001), true));
        for (int i = 0; i < 10; i++) predictions.Add(new BinaryPrediction(0.5 - (i * 0.01), false));
        predictions.Add(new BinaryPrediction(0.01, true));

        RocPoint point = BinaryEvaluator.FindThresholdForRecall(predictions, 0.98);

        Assert.Equal(0.99 - (48 * 0.001), point.Threshold);
        Assert.Equal(0.0, point.Fpr);
    }

    [Fact]
    public void ZeroTargetRecallFlagsNothing()
    {
        RocPoint point = BinaryEvaluator.FindThresholdForRecall(HandComputedExample.Predictions, 0);

        Assert.Equal(new RocPoint(0, 0, double.PositiveInfinity), point);
    }

    [Fact]
    public void FindThresholdForRecallRejectsBadInput()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryEvaluator.FindThresholdForRecall(HandComputedExample.Predictions, 1.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => BinaryEvaluator.FindThresholdForRecall(HandComputedExample.Predictions, double.NaN));
        Assert.Throws<InvalidOperationException>(() => BinaryEvaluator.FindThresholdForRecall([new BinaryPrediction(0.3, false)], 0.9));
    }

    [Fact]
    public void SingleClassCurveHasUndefinedAuc()
    {
        RocCurve onlyNegatives = RocCurve.Compute([new BinaryPrediction(0.3, false), new BinaryPrediction(0.6, false)]);
        RocCurve empty = RocCurve.Compute([]);

        Assert.True(double.IsNaN(onlyNegatives.Auc));
        Assert.All(onlyNegatives.Points, p => Assert.Equal(0.0, p.Tpr));
        Assert.Equal(1.0, onlyNegatives.Points[^1].Fpr);
        Assert.True(double.IsNaN(empty.Auc));
        Assert.Single(empty.Points);
    }

    [Fact]
    public void RocPointSerialisesInfiniteThresholdAsNamedLiteral()
    {
        string json = System.Text.Json.JsonSerializer.Serialize(new RocPoint(0, 0, double.PositiveInfinity));

        Assert.Equal("{\"Fpr\":0,\"Tpr\":0,\"Threshold\":\"Infinity\"}", json);
    }
}

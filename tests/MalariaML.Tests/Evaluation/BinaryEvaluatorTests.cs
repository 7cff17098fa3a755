using System.Globalization;
using MalariaML.Evaluation;

namespace MalariaML.Tests.Evaluation;

public class BinaryEvaluatorTests
{
    private const int Precision = 10;

    [Fact]
    public void HandComputedExampleMatchesPencilAndPaper()
    {
        BinaryMetrics m = BinaryEvaluator.Evaluate(HandComputedExample.Predictions);

        Assert.Equal(10, m.Count);
        Assert.Equal((4, 2, 3, 1), (m.Tp, m.Fp, m.Tn, m.Fn));
        Assert.Equal(0.7, m.Accuracy, Precision);
        Assert.Equal(4.0 / 6.0, m.Precision, Precision);
        Assert.Equal(0.8, m.Recall, Precision);
        Assert.Equal(8.0 / 11.0, m.F1, Precision);
        Assert.Equal(10.0 / Math.Sqrt(600), m.Mcc, Precision);
        Assert.Equal(0.8, m.Auc, Precision);
    }

    [Fact]
    public void F1IsHarmonicMeanOfPrecisionAndRecall()
    {
        BinaryMetrics m = BinaryEvaluator.Evaluate(HandComputedExample.Predictions);

        Assert.Equal(2 * m.Precision * m.Recall / (m.Precision + m.Recall), m.F1, Precision);
    }

    [Fact]
    public void ThresholdMovesTheConfusionMatrixButNotTheAuc()
    {
        // At 0.75 only 0.95, 0.85 (both positive) and 0.80 (negative) are flagged.
        BinaryMetrics m = BinaryEvaluator.Evaluate(HandComputedExample.Predictions, threshold: 0.75);

        Assert.Equal((2, 1, 4, 3), (m.Tp, m.Fp, m.Tn, m.Fn));
        Assert.Equal(0.6, m.Accuracy, Precision);
        Assert.Equal(2.0 / 3.0, m.Precision, Precision);
        Assert.Equal(0.4, m.Recall, Precision);
        Assert.Equal(0.8, m.Auc, Precision);
    }

    [Fact]
    public void ProbabilityEqualToThresholdCountsAsPositive()
    {
        BinaryMetrics m = BinaryEvaluator.Evaluate([new BinaryPrediction(0.5, true), new BinaryPrediction(0.5, false)]);

        Assert.Equal((1, 1, 0, 0), (m.Tp, m.Fp, m.Tn, m.Fn));
    }

    [Fact]
    public void ParallelSequencesOverloadAgreesWithRecordOverload()
    {
        double[] probabilities = HandComputedExample.Predictions.Select(p => p.Probability).ToArray();
        bool[] labels = HandComputedExample.Predictions.Select(p => p.IsPositive).ToArray();

        Assert.Equal(
            BinaryEvaluator.Evaluate(HandComputedExample.Predictions, 0.3),
            BinaryEvaluator.Evaluate(probabilities, labels, 0.3));
    }

    [Fact]
    public void ParallelSequencesOfDifferentLengthAreRejected()
    {
        Assert.Throws<ArgumentException>(() => BinaryEvaluator.Evaluate([0.1, 0.9], [true]));
    }

    [Fact]
    public void NaNProbabilityOrThresholdIsRejected()
    {
        Assert.Throws<ArgumentException>(() => BinaryEvaluator.Evaluate([new BinaryPrediction(double.NaN, true)]));
        Assert.Throws<ArgumentException>(() => BinaryEvaluator.Evaluate(HandComputedExample.Predictions, double.NaN));
        Assert.Throws<ArgumentException>(() => BinaryEvaluator.ComputeAuc([new BinaryPrediction(double.NaN, true)]));
    }

    [Fact]
    public void AucCountsTiesAsHalf()
    {
        // Pairs (pos, neg): (0.9, 0.5) win, (0.9, 0.1) win, (0.5, 0.5) tie = 1/2, (0.5, 0.1) win -> 3.5 / 4.
        BinaryPrediction[] predictions = [new(0.9, true), new(0.5, true), new(0.5, false), new(0.1, false)];

        Assert.Equal(0.875, BinaryEvaluator.ComputeAuc(predictions), Precision);
    }

    [Fact]
    public void AucOfConstantScoresIsOneHalf()
    {
        BinaryPrediction[] predictions = [new(0.3, true), new(0.3, true), new(0.3, false)];

        Assert.Equal(0.5, BinaryEvaluator.ComputeAuc(predictions), Precision);
    }

    [Fact]
    public void PerfectAndInvertedRankingsGiveAucOneAndZero()
    {
        BinaryPrediction[] perfect = [new(0.9, true), new(0.8, true), new(0.2, false), new(0.1, false)];
        BinaryPrediction[] inverted = perfect.Select(p => p with { IsPositive = !p.IsPositive }).ToArray();

        Assert.Equal(1.0, BinaryEvaluator.ComputeAuc(perfect), Precision);
        Assert.Equal(0.0, BinaryEvaluator.ComputeAuc(inverted), Precision);
        Assert.Equal(1.0, BinaryEvaluator.Evaluate(perfect).Mcc, Precision);
        Assert.Equal(-1.0, BinaryEvaluator.Evaluate(inverted).Mcc, Precision);
    }

    [Fact]
    public void NoPositivesGivesZerosAndUndefinedAuc()
    {
        // All uninfected, all cleared: precision, recall, F1 and MCC have empty denominators.
        BinaryMetrics m = BinaryEvaluator.Evaluate([new BinaryPrediction(0.1, false), new BinaryPrediction(0.2, false)]);

        Assert.Equal((0, 0, 2, 0), (m.Tp, m.Fp, m.Tn, m.Fn));
        Assert.Equal(1.0, m.Accuracy);
        Assert.Equal(0.0, m.Precision);
        Assert.Equal(0.0, m.Recall);
        Assert.Equal(0.0, m.F1);
        Assert.Equal(0.0, m.Mcc);
        Assert.True(double.IsNaN(m.Auc));
    }

    [Fact]
    public void NothingPredictedPositiveGivesZeroPrecisionNotNaN()
    {
        BinaryMetrics m = BinaryEvaluator.Evaluate([new BinaryPrediction(0.4, true), new BinaryPrediction(0.1, false)]);

        Assert.Equal((0, 0, 1, 1), (m.Tp, m.Fp, m.Tn, m.Fn));
        Assert.Equal(0.0, m.Precision);
        Assert.Equal(0.0, m.Recall);
        Assert.Equal(0.0, m.F1);
        Assert.Equal(0.0, m.Mcc);
        Assert.Equal(1.0, m.Auc);
    }

    [Fact]
    public void OnlyPositivesGivesUndefinedAuc()
    {
        BinaryMetrics m = BinaryEvaluator.Evaluate([new BinaryPrediction(0.9, true), new BinaryPrediction(0.2, true)]);

        Assert.Equal(0.5, m.Recall);
        Assert.Equal(1.0, m.Precision);
        Assert.Equal(0.0, m.Mcc);
        Assert.True(double.IsNaN(m.Auc));
    }

    [Fact]
    public void EmptyInputGivesZeroCountsAndUndefinedAuc()
    {
        BinaryMetrics m = BinaryEvaluator.Evaluate([]);

        Assert.Equal(0, m.Count);
        Assert.Equal(0.0, m.Accuracy);
        Assert.Equal(0.0, m.F1);
        Assert.True(double.IsNaN(m.Auc));
    }

    [Fact]
    public void ToStringUsesInvariantCultureAndFourDecimals()
    {
        CultureInfo previous = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
            string text = BinaryEvaluator.Evaluate(HandComputedExample.Predictions).ToString();

            Assert.Contains("accuracy=0.7000", text, StringComparison.Ordinal);
            Assert.Contains("precision=0.6667", text, StringComparison.Ordinal);
            Assert.Contains("f1=0.7273", text, StringComparison.Ordinal);
            Assert.Contains("tp=4 fp=2 tn=3 fn=1", text, StringComparison.Ordinal);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }
}

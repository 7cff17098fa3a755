using MalariaML.Evaluation;

namespace MalariaML.Tests.Evaluation;

public class ConfusionMatrixTests
{
    [Fact]
    public void MccMatchesTheFormulaOnAKnownCase()
    {
        // TP=20 FP=5 TN=70 FN=5:
        // MCC = (20*70 - 5*5) / sqrt((20+5)(20+5)(70+5)(70+5)) = 1375 / (25*75) = 1375/1875 = 0.733333...
        var matrix = new ConfusionMatrix(truePositives: 20, falsePositives: 5, trueNegatives: 70, falseNegatives: 5);

        Assert.Equal(11.0 / 15.0, matrix.Mcc, 12);
        Assert.Equal(100, matrix.Count);
        Assert.Equal(0.9, matrix.Accuracy, 12);
        Assert.Equal(0.8, matrix.Precision, 12);
        Assert.Equal(0.8, matrix.Recall, 12);
        Assert.Equal(0.8, matrix.F1, 12);
        Assert.Equal(70.0 / 75.0, matrix.Specificity, 12);
    }

    [Fact]
    public void MccDoesNotOverflowOnLargeCounts()
    {
        var matrix = new ConfusionMatrix(1_000_000, 1_000, 1_000_000, 1_000);

        Assert.InRange(matrix.Mcc, 0.99, 1.0);
    }

    [Fact]
    public void EmptyMatrixHasZeroRatios()
    {
        ConfusionMatrix matrix = default;

        Assert.Equal(0, matrix.Count);
        Assert.Equal(0.0, matrix.Accuracy);
        Assert.Equal(0.0, matrix.Precision);
        Assert.Equal(0.0, matrix.Recall);
        Assert.Equal(0.0, matrix.F1);
        Assert.Equal(0.0, matrix.Mcc);
    }

    [Fact]
    public void NegativeCountsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConfusionMatrix(-1, 0, 0, 0));
    }

    [Fact]
    public void FromPredictionsAgreesWithEvaluator()
    {
        ConfusionMatrix matrix = ConfusionMatrix.FromPredictions(HandComputedExample.Predictions);
        BinaryMetrics metrics = BinaryEvaluator.Evaluate(HandComputedExample.Predictions);

        Assert.Equal(matrix, metrics.ConfusionMatrix);
        Assert.Equal("TP=4 FP=2 TN=3 FN=1", matrix.ToString());
    }
}

using System.Text.Json;
using MalariaML.Evaluation;

namespace MalariaML.Tests.Evaluation;

public class BinaryMetricsJsonTests
{
    private static readonly string[] ExpectedKeys = ["count", "accuracy", "precision", "recall", "f1", "auc", "mcc", "tp", "fp", "tn", "fn"];

    [Fact]
    public void ToJsonWritesFlatLowerCamelCaseKeysInOrder()
    {
        BinaryMetrics metrics = BinaryEvaluator.Evaluate(HandComputedExample.Predictions);

        using JsonDocument doc = JsonDocument.Parse(metrics.ToJson());

        Assert.Equal(ExpectedKeys, doc.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(10, doc.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(0.7, doc.RootElement.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(0.8, doc.RootElement.GetProperty("auc").GetDouble(), 12);
        Assert.Equal(4, doc.RootElement.GetProperty("tp").GetInt32());
        Assert.Equal(2, doc.RootElement.GetProperty("fp").GetInt32());
        Assert.Equal(3, doc.RootElement.GetProperty("tn").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("fn").GetInt32());
    }

    [Fact]
    public void KeysAreTheSameWithDefaultSerializerOptions()
    {
        // The CLI may serialise with its own options; the attribute-pinned names must not depend on them.
        string json = JsonSerializer.Serialize(BinaryEvaluator.Evaluate(HandComputedExample.Predictions));

        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.Equal(ExpectedKeys, doc.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public void UndefinedAucIsWrittenAsNullAndReadBackAsNaN()
    {
        BinaryMetrics metrics = BinaryEvaluator.Evaluate([new BinaryPrediction(0.2, false)]);

        string json = metrics.ToJson(indented: false);

        Assert.Contains("\"auc\":null", json, StringComparison.Ordinal);
        Assert.True(double.IsNaN(BinaryMetrics.FromJson(json).Auc));
        Assert.True(double.IsNaN(JsonSerializer.Deserialize<BinaryMetrics>(json)!.Auc));
    }

    [Fact]
    public void RoundTripPreservesEveryValue()
    {
        BinaryMetrics metrics = BinaryEvaluator.Evaluate(HandComputedExample.Predictions, 0.3);

        Assert.Equal(metrics, BinaryMetrics.FromJson(metrics.ToJson()));
        Assert.Equal(metrics, BinaryMetrics.FromJson(metrics.ToJson(indented: false)));
    }

    [Fact]
    public void CompactJsonIsOneLine()
    {
        string json = BinaryEvaluator.Evaluate(HandComputedExample.Predictions).ToJson(indented: false);

        Assert.DoesNotContain('\n', json);
        Assert.StartsWith("{\"count\":10,\"accuracy\":0.7,", json, StringComparison.Ordinal);
    }
}

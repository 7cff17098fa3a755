using MalariaML.Evaluation;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MalariaML.Training;

/// <summary>Per-epoch records of a training run, for learning curves; written as CSV and JSON.</summary>
public sealed record TrainingHistory(IReadOnlyList<EpochRecord> Epochs)
{
    /// <summary>An empty history.</summary>
    public static TrainingHistory Empty { get; } = new([]);

    /// <summary>A history with one more epoch.</summary>
    public TrainingHistory Add(EpochRecord record) => new([.. Epochs, record]);

    /// <summary>The history as CSV with header <c>epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds</c>.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds\n");
        foreach (var e in Epochs)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{e.Epoch},{e.Loss:R},{e.Accuracy:R},{e.ValidationLoss:R},{e.ValidationAccuracy:R},{e.LearningRate:R},{e.Seconds:F3}\n");
        }

        return sb.ToString();
    }

    /// <summary>The history as indented JSON (a list of lower-camel-case epoch records).</summary>
    public string ToJson() => JsonSerializer.Serialize(Epochs, JsonOptions);

    /// <summary>Reads JSON written by <see cref="ToJson"/>.</summary>
    public static TrainingHistory FromJson(string json)
        => new(JsonSerializer.Deserialize<List<EpochRecord>>(json, JsonOptions) ?? []);

    /// <summary>Writes <c>history.csv</c> and <c>history.json</c> style files next to each other, atomically.</summary>
    public void Save(string csvPath, string jsonPath)
    {
        AtomicFile.WriteAllBytes(csvPath, Encoding.UTF8.GetBytes(ToCsv()));
        AtomicFile.WriteAllBytes(jsonPath, Encoding.UTF8.GetBytes(ToJson()));
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };
}

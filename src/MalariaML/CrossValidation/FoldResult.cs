using System.Text.Json;
using System.Text.Json.Serialization;

namespace MalariaML.CrossValidation;

/// <summary>What one cross-validation fold measured on its test patients; written as <c>fold-N.result.json</c>.</summary>
/// <param name="Fold">1-based fold number.</param>
/// <param name="TestCells">Cells scored.</param>
/// <param name="TestPatients">Patients in the test fold.</param>
/// <param name="HealthyPatients">Healthy patients among them.</param>
/// <param name="Accuracy">Cell accuracy at the model's threshold.</param>
/// <param name="F1">Cell F1.</param>
/// <param name="Auc">Cell ROC AUC.</param>
/// <param name="Ece">Expected calibration error of the calibrated probabilities.</param>
/// <param name="PatientSensitivity">Infected patients called positive.</param>
/// <param name="PatientSpecificity">Healthy patients called negative.</param>
/// <param name="ParasitemiaMae">Mean absolute parasitemia error, percentage points.</param>
/// <param name="HealthyCalledPositive">Healthy patients called positive.</param>
/// <param name="Flagged">Patients flagged as unlike the validation cells.</param>
/// <param name="Temperature">Fitted temperature.</param>
/// <param name="ValidationEceBefore">Validation ECE before temperature scaling.</param>
/// <param name="ValidationEceAfter">Validation ECE after.</param>
/// <param name="Rule">The patient rule in words.</param>
/// <param name="Epochs">Epochs run.</param>
/// <param name="BestEpoch">Epoch kept.</param>
/// <param name="TrainingSeconds">Training wall time, resumed sessions included.</param>
/// <param name="Tta">Whether the test cells were scored with test-time augmentation.</param>
internal sealed record FoldResult(int Fold, int TestCells, int TestPatients, int HealthyPatients, double Accuracy, double F1, double Auc, double Ece,
    double PatientSensitivity, double PatientSpecificity, double ParasitemiaMae, int HealthyCalledPositive, int Flagged,
    double Temperature, double ValidationEceBefore, double ValidationEceAfter, string Rule, int Epochs, int BestEpoch, double TrainingSeconds, bool Tta)
{
    /// <summary>JSON settings of the result files (NaN written as a named literal).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the result atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(this, JsonOptions));

    /// <summary>Reads a result written by <see cref="Save"/>.</summary>
    public static FoldResult Load(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<FoldResult>(File.ReadAllBytes(path), JsonOptions) ?? throw new MalariaMLException($"{path}: empty fold result");
        }
        catch (JsonException e)
        {
            throw new MalariaMLException($"{path}: not a readable fold result ({e.Message})", e);
        }
    }

    /// <summary>The numbers the summary reports, by column name.</summary>
    public static IReadOnlyList<(string Name, Func<FoldResult, double> Value, bool Percent)> Columns { get; } =
    [
        ("accuracy", r => r.Accuracy, true), ("F1", r => r.F1, true), ("AUC", r => r.Auc, false), ("ECE", r => r.Ece, false),
        ("patient sens.", r => r.PatientSensitivity, true), ("patient spec.", r => r.PatientSpecificity, true),
        ("parasitemia MAE (pp)", r => r.ParasitemiaMae, false), ("healthy called +", r => r.HealthyCalledPositive, false),
        ("flagged", r => r.Flagged, false), ("T", r => r.Temperature, false), ("train min", r => r.TrainingSeconds / 60, false),
    ];
}

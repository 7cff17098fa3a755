using System.Globalization;
using System.Text;
using MalariaML.Inference;
using MalariaML.Inference.PatientCalls;

namespace MalariaML.Cli.Output;

/// <summary>
/// <c>malaria predict</c>'s two CSV files, written atomically: per cell and per patient. Shared with <c>malaria cluster
/// run</c>, whose merged outputs must be byte for byte what predict writes for the same files.
/// </summary>
internal static class PredictionCsv
{
    /// <summary>Per-cell CSV: path,patient,label,probability (6 decimals).</summary>
    public static void WriteCells(string path, IEnumerable<CellPrediction> predictions)
    {
        var sb = new StringBuilder("path,patient,label,probability\n");
        foreach (var p in predictions)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Csv(p.Source)},{Csv(MalariaML.Data.PatientKey.Parse(p.Source))},{Csv(p.Label)},{p.Probability:F6}\n");
        }

        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(sb.ToString()));
    }

    /// <summary>
    /// Per-patient CSV: patient,cells,parasitized,parasitemia,ci_low,ci_high (4 decimals), call (the model's patient rule)
    /// and shifted (yes when the patient's uninfected cells score unlike the validation patients').
    /// </summary>
    public static void WritePatients(string path, IEnumerable<PatientCall> patients)
    {
        var sb = new StringBuilder("patient,cells,parasitized,parasitemia,ci_low,ci_high,call,shifted\n");
        foreach (var p in patients)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Csv(p.Patient)},{p.Cells},{p.Parasitized},{p.Parasitemia:F4},{p.CiLow:F4},{p.CiHigh:F4},{p.Call},{(p.Shifted ? "yes" : "no")}\n");
        }

        AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(sb.ToString()));
    }

    /// <summary>A CSV field, quoted when it holds a comma or a quote.</summary>
    public static string Csv(string value) => value.Contains(',') || value.Contains('"') ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}

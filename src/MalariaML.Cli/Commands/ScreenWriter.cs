using System.Globalization;
using System.Text;
using MalariaML.Data;
using MalariaML.Fields;

namespace MalariaML.Cli.Commands;

/// <summary>Writes what <c>malaria screen</c> produces, every file atomically.</summary>
internal sealed class ScreenWriter(string directory, bool overlays, bool crops, double threshold)
{
    private readonly StringBuilder _cells = new(FieldCellsCsv.Header);
    private readonly HashSet<string> _stems = new(StringComparer.OrdinalIgnoreCase);

    public void WriteField(RgbImage image, FieldScreening screening, IReadOnlyList<(FieldObject Object, byte[] Png)> cellCrops)
    {
        AddCells(screening);

        // Two folders (patients) may hold fields of the same name; their files must not overwrite each other.
        var stem = Path.GetFileNameWithoutExtension(screening.Field);
        if (!_stems.Add(stem))
        {
            stem = $"{screening.Patient}_{stem}";
            _stems.Add(stem);
        }

        if (overlays)
        {
            var png = FieldOverlay.RenderPng(image, screening.Objects.Select(o => (o.Object, o.Probability)), threshold);
            AtomicFile.WriteAllBytes(Path.Combine(directory, "overlays", stem + ".png"), png);
        }

        if (crops)
        {
            var labels = screening.Objects.ToDictionary(o => o.Object.Id, o => o.IsPositive);
            foreach (var (cell, png) in cellCrops)
            {
                var folder = labels[cell.Id] ? "Parasitized" : "Uninfected";
                AtomicFile.WriteAllBytes(Path.Combine(directory, "crops", folder, $"{stem}_cell_{cell.Id}.png"), png);
            }
        }
    }

    /// <summary>Adds a field's rows to cells.csv without drawing or cropping it (a cluster job merges fields screened elsewhere).</summary>
    public void AddCells(FieldScreening screening) => FieldCellsCsv.AppendRows(_cells, screening);

    public void WriteTables(IReadOnlyList<FieldScreening> fields, IReadOnlyList<PatientScreening> patients)
    {
        Write("cells.csv", _cells);
        var f = new StringBuilder("field,cells,parasitized,parasitemia,ci_low,ci_high,patient,objects,excluded,cell_diameter,notes\n");
        foreach (var s in fields)
        {
            var (low, high) = s.Interval;
            var notes = s.Segmentation.Objects.Count == 0 ? "no cell found" : s.Cells == 0 ? "no whole red cell found" : "";
            f.Append(CultureInfo.InvariantCulture,
                $"{PredictCommand.Csv(s.Field)},{s.Cells},{s.Parasitized},{s.Parasitemia:F4},{low:F4},{high:F4},{PredictCommand.Csv(s.Patient)},{s.Objects.Count},{s.Objects.Count - s.Cells},{s.Segmentation.CellDiameter:F1},{notes}\n");
        }

        Write("fields.csv", f);
        var p = new StringBuilder("patient,fields,cells,parasitized,parasitemia,ci_low,ci_high,too_few_cells\n");
        foreach (var s in patients)
        {
            p.Append(CultureInfo.InvariantCulture,
                $"{PredictCommand.Csv(s.Patient)},{s.Fields},{s.Cells},{s.Parasitized},{s.Parasitemia:F4},{s.CiLow:F4},{s.CiHigh:F4},{(s.TooFewCells ? "yes" : "no")}\n");
        }

        Write("patients.csv", p);
    }

    public void WriteComparisons(IReadOnlyList<BoxComparison> comparisons)
    {
        var sb = new StringBuilder("field,boxes,matched,parasitized_boxes,parasitized_matched,detections,unmatched_detections,counted_cells,parasitized_classified,parasitized_called,uninfected_classified,uninfected_called,annotated_parasitemia,predicted_parasitemia\n");
        foreach (var c in comparisons)
        {
            var d = c.Detection;
            sb.Append(CultureInfo.InvariantCulture,
                $"{PredictCommand.Csv(d.Field)},{d.Boxes},{d.Matched},{d.ParasitizedBoxes},{d.ParasitizedMatched},{d.Detections},{d.UnmatchedDetections},{d.CountedCells},{c.ParasitizedMatched},{c.ParasitizedCalled},{c.UninfectedMatched},{c.UninfectedCalled},{c.AnnotatedParasitemia:F4},{c.PredictedParasitemia:F4}\n");
        }

        Write("annotations.csv", sb);
    }

    private void Write(string name, StringBuilder content) => AtomicFile.WriteAllBytes(Path.Combine(directory, name), Encoding.UTF8.GetBytes(content.ToString()));
}

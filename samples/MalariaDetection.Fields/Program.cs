// Screen whole microscope fields: find the red cells in each photograph, cut them out like the training cells,
// classify them with a trained model and report parasitemia per field and per patient (a folder of fields is one
// patient).
//
//   dotnet run -- MODEL.malaria FIELDS_FOLDER
//
// data/fields in the repository holds three composed fields of two patients to try it on.
using System.Globalization;
using MalariaML.Fields;
using MalariaML.Data;
using MalariaML.Inference;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: MalariaDetection.Fields MODEL.malaria FIELDS_FOLDER");
    return 2;
}

var files = CellDataset.ImageFiles(args[1]);

using var model = MalariaModel.Load(args[0]);
var screener = new FieldScreener(model);
var result = screener.ScreenFiles(files);
foreach (var skipped in result.Skipped)
{
    Console.Error.WriteLine($"skipped {skipped.Path}: {skipped.Reason}");
}

foreach (var field in result.Fields)
{
    var excluded = field.Objects.Count - field.Cells;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{field.Patient}/{field.Field}: {field.Cells} red cells (diameter {field.Segmentation.CellDiameter:F0} px), {field.Parasitized} parasitized, {excluded} other objects"));
}

Console.WriteLine($"{"patient",-12} {"fields",6} {"cells",6} {"positive",8} {"parasitemia",11}  95% interval");
foreach (var p in result.Patients)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{p.Patient,-12} {p.Fields,6} {p.Cells,6} {p.Parasitized,8} {100 * p.Parasitemia,10:F1}%  {100 * p.CiLow:F1}% - {100 * p.CiHigh:F1}%{(p.TooFewCells ? "  (fewer cells than the WHO protocol wants)" : "")}"));
}

return result.Fields.Count > 0 ? 0 : 1;

// The smallest useful MalariaML program: score a folder of cell images with a trained model and print the
// parasitemia of each patient (share of parasitized cells, with a 95% Wilson interval).
//
//   dotnet run -- MODEL.malaria FOLDER
//
// Train a model first, e.g. with the malaria tool:
//   malaria train --data cell_images --model basic-cnn --out cnn.malaria
using System.Globalization;
using MalariaML.Data;
using MalariaML.Inference;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: MalariaDetection.Predict MODEL.malaria FOLDER");
    return 2;
}

var files = CellDataset.ImageFiles(args[1]);

using var model = MalariaModel.Load(args[0]);
Console.WriteLine($"model: {model.Metadata.ModelKind}, {model.Metadata.InputWidth}x{model.Metadata.InputHeight}, positive class {model.Metadata.PositiveClass}");

var batch = model.PredictMany(files);
foreach (var skipped in batch.Skipped)
{
    Console.Error.WriteLine($"skipped {skipped.Path}: {skipped.Reason}");
}

Console.WriteLine($"{batch.Predictions.Count} cells scored, {batch.Predictions.Count(p => p.IsPositive)} {model.Metadata.PositiveClass}");
Console.WriteLine($"{"patient",-28} {"cells",5} {"positive",8} {"parasitemia",11}  95% interval");
foreach (var p in PatientParasitemia.Summarise(batch.Predictions))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{p.Patient,-28} {p.Cells,5} {p.Parasitized,8} {100 * p.Parasitemia,10:F1}%  {100 * p.CiLow:F1}% - {100 * p.CiHigh:F1}%"));
}

return batch.Predictions.Count > 0 ? 0 : 1;

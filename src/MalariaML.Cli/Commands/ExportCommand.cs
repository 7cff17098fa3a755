using System.CommandLine;
using System.Globalization;
using MalariaML.Export;
using MalariaML.Inference;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria export</c>: writes a TorchSharp model as an ONNX file that carries its preprocessing.</summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model file (.malaria) of a TorchSharp model (basic-cnn, resnet18-*, vgg19-*).", Required = true };
        var onnx = new Option<string>("--onnx") { Description = "ONNX file to write (opset 17, dynamic batch, preprocessing in metadata_props).", Required = true };
        var command = new Command("export", "Export a model to ONNX, to run it in ONNX Runtime without MalariaML.") { model, onnx };
        command.SetAction(result =>
        {
            var path = result.GetValue(onnx)!;
            using var loaded = MalariaModel.Load(result.GetValue(model)!);
            loaded.ExportOnnx(path);
            var m = loaded.Metadata;
            var size = new FileInfo(path).Length / 1048576.0;
            AnsiConsole.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture,
                $"{path}: {m.ModelKind}, input image float [batch, 3, {m.InputHeight}, {m.InputWidth}] RGB x 1/255 ({m.Sampling.ToLowerInvariant()} resize), " +
                $"outputs probability and logit [batch], {m.PositiveClass} at >= {m.Threshold}, {size:F1} MB")));
            return 0;
        });
        return command;
    }
}

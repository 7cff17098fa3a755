using MalariaML.Export;
using MalariaML.Inference.Ensemble;
using MalariaML.Models;

namespace MalariaML.Inference;

/// <summary>A loaded model as ONNX bytes: the network's graph from <see cref="OnnxExporter"/> and the model file's facts.</summary>
internal static class ModelOnnxExport
{
    /// <exception cref="OnnxExportException">An ensemble, or the ML.NET baseline, which has no TorchSharp network.</exception>
    public static byte[] ToBytes(MalariaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Scorer switch
        {
            TorchCellScorer torch => OnnxExporter.ToBytes(torch.Network, Info(model.Metadata)),
            OnnxCellScorer onnx => onnx.OnnxModel.ToArray(),
            EnsembleScorer => throw new OnnxExportException("an ensemble holds several networks; export its members (the models it was built from) one by one"),
            _ => throw new OnnxExportException(
                $"{model.Metadata.ModelKind} is scored by ML.NET, not by a TorchSharp network; ONNX export covers {string.Join(", ", OnnxExporter.ExportableKinds)}"),
        };
    }

    public static OnnxModelInfo Info(ModelMetadata metadata) => new(metadata.ModelKind, metadata.InputWidth, metadata.InputHeight,
        metadata.Sampling, metadata.ClassNames, metadata.PositiveClass, metadata.Threshold, metadata.LibraryVersion);
}

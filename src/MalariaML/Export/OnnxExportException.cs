namespace MalariaML.Export;

/// <summary>A model that cannot be exported to ONNX (an ML.NET model, or a network the exporter does not know).</summary>
internal sealed class OnnxExportException(string reason) : MalariaMLException(reason);

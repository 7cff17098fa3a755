namespace MalariaML.Models;

/// <summary>
/// Thrown when a well-formed ONNX model cannot be mapped onto a MalariaML module: its graph differs from
/// the architecture the module mirrors, an initializer is missing or has the wrong shape, or a module
/// parameter would be left unassigned.
/// </summary>
internal sealed class ModelImportException : MalariaMLException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sourceName">The ONNX file being imported.</param>
    /// <param name="reason">What does not match.</param>
    public ModelImportException(string sourceName, string reason)
        : base($"Cannot import '{sourceName}': {reason}")
    {
        SourceName = sourceName;
        Reason = reason;
    }

    /// <summary>The ONNX file being imported.</summary>
    public string SourceName { get; }

    /// <summary>What does not match.</summary>
    public string Reason { get; }
}

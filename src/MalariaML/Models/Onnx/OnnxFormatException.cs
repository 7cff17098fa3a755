namespace MalariaML.Models.Onnx;

/// <summary>
/// Thrown when a file is not a well-formed ONNX model (truncated, not protobuf, or using a feature the
/// minimal reader deliberately does not support, such as external tensor data).
/// </summary>
internal sealed class OnnxFormatException : MalariaMLException
{
    /// <summary>Creates the exception for <paramref name="sourceName"/> with a human-readable <paramref name="reason"/>.</summary>
    /// <param name="sourceName">File (or other source) that was being read.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="inner">Underlying exception, if any.</param>
    public OnnxFormatException(string sourceName, string reason, Exception? inner = null)
        : base($"'{sourceName}' is not a valid ONNX model: {reason}", inner)
    {
        SourceName = sourceName;
        Reason = reason;
    }

    /// <summary>The file (or other source) that was being read.</summary>
    public string SourceName { get; }

    /// <summary>What is wrong with the file.</summary>
    public string Reason { get; }
}

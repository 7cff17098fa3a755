namespace MalariaML.Fields;

/// <summary>A field image or annotation that cannot be used, naming the file and the reason.</summary>
internal sealed class FieldException : MalariaMLException
{
    /// <summary>Creates the exception for one file.</summary>
    public FieldException(string source, string reason, Exception? inner = null)
        : base($"{source}: {reason}", inner)
    {
        Source = source;
        Reason = reason;
    }

    /// <summary>The file (or name) that was refused.</summary>
    public new string Source { get; }

    /// <summary>Why it was refused.</summary>
    public string Reason { get; }
}

namespace MalariaML.Data;

/// <summary>An image file that cannot be used: empty, truncated, corrupt, too large, or not an image.</summary>
public sealed class InvalidImageException : MalariaMLException
{
    /// <summary>Creates the exception for one file.</summary>
    /// <param name="source">The file path (or a caller-chosen name for in-memory data).</param>
    /// <param name="reason">Why the image was refused, in words a user can act on.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public InvalidImageException(string source, string reason, Exception? inner = null)
        : base($"{source}: {reason}", inner)
    {
        Source = source;
        Reason = reason;
    }

    /// <summary>The file path or name of the refused image.</summary>
    public new string Source { get; }

    /// <summary>Why the image was refused.</summary>
    public string Reason { get; }
}

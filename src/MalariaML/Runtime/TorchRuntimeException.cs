namespace MalariaML.Runtime;

/// <summary>
/// Thrown when TorchSharp's native runtime cannot be made to load on this machine, with a message that
/// says which library failed, which symbol versions were missing and what to install.
/// </summary>
internal sealed class TorchRuntimeException : MalariaMLException
{
    /// <summary>Creates the exception with a message only.</summary>
    public TorchRuntimeException(string message)
        : base(message)
    {
        MissingVersions = [];
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public TorchRuntimeException(string message, Exception innerException)
        : base(message, innerException)
    {
        MissingVersions = [];
    }

    /// <summary>Creates the exception for a native library that could not be loaded.</summary>
    /// <param name="message">What went wrong and what to do about it.</param>
    /// <param name="libraryPath">The native library that failed to load, when known.</param>
    /// <param name="missingVersions">Symbol versions (e.g. <c>GLIBCXX_3.4.32</c>) the system libraries lack.</param>
    /// <param name="innerException">The underlying load failure, when there is one.</param>
    public TorchRuntimeException(string message, string? libraryPath, IReadOnlyList<string> missingVersions, Exception? innerException = null)
        : base(message, innerException)
    {
        ArgumentNullException.ThrowIfNull(missingVersions);
        LibraryPath = libraryPath;
        MissingVersions = missingVersions.ToArray();
    }

    /// <summary>The native library that failed to load, when known.</summary>
    public string? LibraryPath { get; }

    /// <summary>Symbol versions the system's libraries lack; empty when the failure was of another kind.</summary>
    public IReadOnlyList<string> MissingVersions { get; }
}

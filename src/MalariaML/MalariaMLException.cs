namespace MalariaML;

/// <summary>Base type of every error MalariaML raises on purpose, so callers can catch the library's failures in one place.</summary>
public class MalariaMLException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    public MalariaMLException(string message) : base(message) { }

    /// <summary>Creates an exception with a message and the error that caused it.</summary>
    public MalariaMLException(string message, Exception? inner) : base(message, inner) { }
}

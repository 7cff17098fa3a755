namespace MalariaML.Server.Scoring;

/// <summary>The server cannot take more work now; the client should retry after <see cref="RetryAfter"/>.</summary>
public sealed class ServerBusyException : MalariaMLException
{
    /// <summary>Creates the error.</summary>
    public ServerBusyException(string message, TimeSpan retryAfter) : base(message) => RetryAfter = retryAfter;

    /// <summary>When a retry has a fair chance.</summary>
    public TimeSpan RetryAfter { get; }
}

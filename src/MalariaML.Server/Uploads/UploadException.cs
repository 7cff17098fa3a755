namespace MalariaML.Server.Uploads;

/// <summary>A request the server refuses as a whole, with the HTTP status to answer (400, 413, 415, 422).</summary>
public sealed class UploadException : MalariaMLException
{
    /// <summary>Creates the error.</summary>
    public UploadException(int statusCode, string message) : base(message) => StatusCode = statusCode;

    /// <summary>The HTTP status code.</summary>
    public int StatusCode { get; }
}

namespace MalariaML.Server.Api;

/// <summary>The body of every error answer: a message and the status code.</summary>
/// <param name="Error">What went wrong, for people.</param>
/// <param name="Status">The HTTP status code.</param>
public sealed record ApiError(string Error, int Status);

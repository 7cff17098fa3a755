namespace MalariaML.Data;

/// <summary>Progress of a long job over many items (decoding, caching, prediction).</summary>
/// <param name="Stage">What is being done, e.g. "decoding".</param>
/// <param name="Done">Items finished so far.</param>
/// <param name="Total">Items in all.</param>
public readonly record struct WorkProgress(string Stage, int Done, int Total);

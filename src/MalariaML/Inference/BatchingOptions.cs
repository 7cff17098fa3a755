namespace MalariaML.Inference;

/// <summary>How <see cref="BatchingCellScorer"/> gathers requests into one forward pass.</summary>
internal sealed record BatchingOptions
{
    /// <summary>
    /// Longest a request waits for others to join its batch, counted from the first request of the batch. Default 2 ms:
    /// short next to one forward pass of a single cell (about 9 ms for basic-cnn here), so a lone caller loses little,
    /// while callers that arrive together share a pass.
    /// </summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// Most images scored in one pass. Default 64, where a forward pass here reaches about twice the per-image speed of
    /// batch 1. A request larger than this is scored on its own, in one pass.
    /// </summary>
    public int MaxBatch { get; init; } = 64;
}

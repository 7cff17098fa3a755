using MalariaML.Data;

namespace MalariaML.Server.Scoring;

/// <summary>
/// How the server turns decoded cells into probabilities. The default (<see cref="QueuedModelScorer"/>) scores each
/// request's cells in one batch behind a bounded queue; a scorer that merges many small requests into one forward
/// pass can replace it by registering another implementation (see <see cref="MalariaServer.AddMalariaServer"/>).
/// </summary>
public interface ICellBatchScorer
{
    /// <summary>Work items waiting now (for health and Retry-After).</summary>
    int QueueLength { get; }

    /// <summary>
    /// Probabilities of the positive class, in order. Throws <see cref="ServerBusyException"/> at once when the
    /// queue is full and <paramref name="waitForRoom"/> is false; otherwise waits for room.
    /// </summary>
    Task<float[]> ScoreAsync(IReadOnlyList<RgbImage> cells, bool waitForRoom, CancellationToken cancellationToken);
}

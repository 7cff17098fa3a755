using System.Diagnostics;
using System.Threading.Channels;
using MalariaML.Data;
using MalariaML.Inference;

namespace MalariaML.Server.Scoring;

/// <summary>
/// The one loaded model behind a bounded queue: one worker takes work items in order and scores each in batches
/// (the model's batch size), so a request of 16 cells is one forward pass. Full queue: <see cref="ServerBusyException"/>.
/// </summary>
public sealed class QueuedModelScorer : ICellBatchScorer, IAsyncDisposable
{
    private readonly MalariaModel _model;
    private readonly Channel<WorkItem> _queue;
    private readonly Task _worker;
    private readonly CancellationTokenSource _stopping = new();
    private int _queued;
    // Mean seconds per work item, for Retry-After; written by the worker only.
    private double _secondsPerItem = 0.1;

    /// <summary>Starts the worker.</summary>
    /// <param name="model">The shared model (owned by the caller).</param>
    /// <param name="capacity">Work items that may wait.</param>
    public QueuedModelScorer(MalariaModel model, int capacity)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _worker = Task.Factory.StartNew(Work, TaskCreationOptions.LongRunning).Unwrap();
    }

    /// <inheritdoc/>
    public int QueueLength => Volatile.Read(ref _queued);

    /// <inheritdoc/>
    public async Task<float[]> ScoreAsync(IReadOnlyList<RgbImage> cells, bool waitForRoom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cells);
        if (cells.Count == 0)
        {
            return [];
        }

        var item = new WorkItem(cells, cancellationToken);
        // Counted before the write, so the worker's decrement never comes first.
        Interlocked.Increment(ref _queued);
        try
        {
            if (waitForRoom)
            {
                await _queue.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            }
            else if (!_queue.Writer.TryWrite(item))
            {
                var waiting = Interlocked.Decrement(ref _queued);
                var wait = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((waiting + 1) * Volatile.Read(ref _secondsPerItem))));
                throw new ServerBusyException($"the scoring queue is full ({waiting} requests waiting); retry in {wait.TotalSeconds:0} s", wait);
            }
        }
        catch (OperationCanceledException)
        {
            Interlocked.Decrement(ref _queued);
            throw;
        }

        return await item.Done.Task.ConfigureAwait(false);
    }

    private async Task Work()
    {
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                Interlocked.Decrement(ref _queued);
                if (item.Cancellation.IsCancellationRequested)
                {
                    item.Done.TrySetCanceled(item.Cancellation);
                    continue;
                }

                var watch = Stopwatch.StartNew();
                try
                {
                    item.Done.TrySetResult(_model.PredictProbabilities(item.Cells));
                }
                catch (Exception e)
                {
                    item.Done.TrySetException(e);
                }

                Volatile.Write(ref _secondsPerItem, (0.8 * _secondsPerItem) + (0.2 * watch.Elapsed.TotalSeconds));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _worker.ConfigureAwait(false);
        while (_queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetCanceled();
        }

        _stopping.Dispose();
    }

    private sealed record WorkItem(IReadOnlyList<RgbImage> Cells, CancellationToken Cancellation)
    {
        public TaskCompletionSource<float[]> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

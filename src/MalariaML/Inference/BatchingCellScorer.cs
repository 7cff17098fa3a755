using MalariaML.Data;
using MalariaML.Models;
using System.Threading.Channels;

namespace MalariaML.Inference;

/// <summary>
/// Scores requests of one or a few cells from many threads together: requests that arrive within
/// <see cref="BatchingOptions.MaxWait"/> of each other are joined, up to <see cref="BatchingOptions.MaxBatch"/> images,
/// scored by one call to the wrapped <see cref="ICellScorer"/>, and each caller gets back its own probabilities, in
/// its order. A server answering single-cell requests thus runs at close to the batch speed instead of the batch-1 speed.
/// </summary>
/// <remarks>
/// One background loop forms the batches and calls the scorer, so the scorer is never called concurrently from here.
/// A batch whose scoring fails is scored again request by request, so one bad request (say, an image of the wrong
/// size) fails only its own caller. Dispose stops the loop; requests not yet scored then fail with
/// <see cref="ObjectDisposedException"/>. The wrapped scorer is not disposed: its owner disposes it.
/// </remarks>
internal sealed class BatchingCellScorer : IDisposable
{
    private readonly ICellScorer _scorer;
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    /// <summary>Starts batching requests for <paramref name="scorer"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A negative wait or a batch under 1.</exception>
    public BatchingCellScorer(ICellScorer scorer, BatchingOptions? options = null)
    {
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        Options = options ?? new BatchingOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxBatch, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.MaxWait, TimeSpan.Zero, nameof(options));
        _loop = Task.Run(RunAsync);
    }

    /// <summary>The batching settings.</summary>
    public BatchingOptions Options { get; }

    /// <summary>Probabilities of the positive class for <paramref name="images"/>, scored together with other callers' requests.</summary>
    /// <param name="images">Cells decoded at the model's input size (see <c>MalariaModel.LoadOptions</c>).</param>
    /// <param name="cancellationToken">Withdraws the request if it has not been scored yet.</param>
    /// <exception cref="ObjectDisposedException">The scorer was disposed before the request was scored.</exception>
    public Task<float[]> ScoreAsync(IReadOnlyList<RgbImage> images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            return Task.FromResult(Array.Empty<float>());
        }

        var request = new Request(images);
        if (cancellationToken.CanBeCanceled)
        {
            // Registered before queueing, so the loop never sees a request whose registration is still to come.
            request.Registration = cancellationToken.Register(static r => ((Request)r!).Result.TrySetCanceled(), request);
        }

        if (!_requests.Writer.TryWrite(request))
        {
            request.Fail(new ObjectDisposedException(nameof(BatchingCellScorer)));
        }

        return request.Result.Task;
    }

    /// <summary>Stops the loop; requests not yet scored fail with <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        if (_requests.Writer.TryComplete())
        {
            _stop.Cancel();
            try
            {
                _loop.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
                // The loop was waiting for requests.
            }

            while (_requests.Reader.TryRead(out var left))
            {
                left.Fail(new ObjectDisposedException(nameof(BatchingCellScorer)));
            }

            _stop.Dispose();
        }
    }

    private async Task RunAsync()
    {
        var reader = _requests.Reader;
        var batch = new List<Request>();
        while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
        {
            batch.Clear();
            var images = 0;
            var deadline = DateTime.UtcNow + Options.MaxWait;
            while (images < Options.MaxBatch)
            {
                if (reader.TryRead(out var next))
                {
                    if (next.Result.Task.IsCompleted)
                    {
                        next.Registration.Dispose(); // withdrawn while queued
                        continue;
                    }

                    if (batch.Count > 0 && images + next.Images.Count > Options.MaxBatch)
                    {
                        // Too big to join this batch: scored on its own right away (the channel cannot take it back).
                        Score([next]);
                        continue;
                    }

                    batch.Add(next);
                    images += next.Images.Count;
                    continue;
                }

                var left = deadline - DateTime.UtcNow;
                if (batch.Count == 0 || left <= TimeSpan.Zero)
                {
                    break;
                }

                // Wait for another request or the end of the window, whichever comes first.
                using var window = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                window.CancelAfter(left);
                try
                {
                    if (!await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                    {
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    // End of the window, or Dispose: either way the requests taken are scored.
                    break;
                }
            }

            if (batch.Count > 0)
            {
                Score(batch);
            }
        }
    }

    private void Score(IReadOnlyList<Request> batch)
    {
        var images = batch.Count == 1 ? batch[0].Images : batch.SelectMany(r => r.Images).ToList();
        float[] scores;
        try
        {
            scores = _scorer.Score(images);
        }
        catch (Exception) when (batch.Count > 1)
        {
            foreach (var request in batch)
            {
                Score([request]); // each request alone, so only the faulty one fails
            }

            return;
        }
        catch (Exception e)
        {
            batch[0].Fail(e);
            return;
        }

        var offset = 0;
        foreach (var request in batch)
        {
            request.Registration.Dispose();
            request.Result.TrySetResult(scores.AsSpan(offset, request.Images.Count).ToArray());
            offset += request.Images.Count;
        }
    }

    private sealed class Request(IReadOnlyList<RgbImage> images)
    {
        public IReadOnlyList<RgbImage> Images { get; } = images;

        // Callers resume on the thread pool, not on the scoring loop.
        public TaskCompletionSource<float[]> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }

        public void Fail(Exception e)
        {
            Registration.Dispose();
            Result.TrySetException(e);
        }
    }
}

using System.Collections.Concurrent;
using MalariaML.Data;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Preprocessing;

namespace MalariaML.Tests.Inference;

/// <summary>Requests from many threads are scored together, and every caller gets exactly what scoring alone gives.</summary>
[Collection("torch")]
public class BatchingCellScorerTests
{
    private const int Size = 48;

    private static IReadOnlyList<RgbImage> Cells { get; } =
        new CellImageLoader(ImageLoadOptions.Square(Size)).Decode(TestData.SampleCells(24)).Images;

    private static TorchCellScorer NewScorer()
    {
        MalariaML.Runtime.TorchRuntime.EnsureInitialized();
        TorchSharp.torch.manual_seed(13);
        return new TorchCellScorer(new BasicCnn(Size), TorchSharp.torch.CPU);
    }

    [Fact]
    public async Task Sixteen_threads_of_single_cells_get_the_scores_of_scoring_alone_from_shared_batches()
    {
        using var inner = NewScorer();
        var alone = Cells.Select(c => inner.Score([c])[0]).ToArray();
        var counting = new CountingScorer(inner);
        using var batching = new BatchingCellScorer(counting, new BatchingOptions { MaxWait = TimeSpan.FromMilliseconds(20), MaxBatch = 16 });

        var scores = new ConcurrentDictionary<int, float>();
        using var start = new Barrier(16);
        var threads = Enumerable.Range(0, 16).Select(t => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            for (var i = t; i < Cells.Count * 4; i += 16)
            {
                var cell = i % Cells.Count;
                var score = batching.ScoreAsync([Cells[cell]]).GetAwaiter().GetResult();
                Assert.Single(score);
                Assert.True(scores.GetOrAdd(i, score[0]) == score[0]);
                Assert.Equal(alone[cell], score[0], 6);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(threads);

        Assert.Equal(Cells.Count * 4, scores.Count);
        // Batched for real: far fewer passes than requests, some with many cells, none over the limit.
        Assert.True(counting.Batches.Count < Cells.Count * 4 / 2, $"{counting.Batches.Count} passes for {Cells.Count * 4} requests");
        Assert.True(counting.Batches.Max() > 4, $"largest pass {counting.Batches.Max()}");
        Assert.True(counting.Batches.Max() <= 16);
        Assert.Equal(Cells.Count * 4, counting.Batches.Sum());
    }

    [Fact]
    public async Task Requests_of_several_cells_come_back_in_their_own_order()
    {
        using var inner = NewScorer();
        using var batching = new BatchingCellScorer(inner, new BatchingOptions { MaxWait = TimeSpan.FromMilliseconds(20) });
        var first = Cells.Take(5).ToList();
        var second = Cells.Skip(5).Take(7).Reverse().ToList();
        var both = await Task.WhenAll(batching.ScoreAsync(first), batching.ScoreAsync(second));

        Assert.Equal(inner.Score(first), both[0], new ToleranceComparer());
        Assert.Equal(inner.Score(second), both[1], new ToleranceComparer());
    }

    [Fact]
    public async Task A_bad_request_fails_alone_and_the_others_in_its_batch_are_scored()
    {
        using var inner = NewScorer();
        using var batching = new BatchingCellScorer(inner, new BatchingOptions { MaxWait = TimeSpan.FromMilliseconds(50) });
        var wrongSize = new CellImageLoader(ImageLoadOptions.Square(Size + 8)).Decode(TestData.SampleCells(1)).Images;
        var good = batching.ScoreAsync([Cells[0]]);
        var bad = batching.ScoreAsync(wrongSize);
        var alsoGood = batching.ScoreAsync([Cells[1]]);

        await Assert.ThrowsAnyAsync<Exception>(() => bad);
        Assert.Equal(inner.Score([Cells[0]])[0], (await good)[0], 6);
        Assert.Equal(inner.Score([Cells[1]])[0], (await alsoGood)[0], 6);
    }

    [Fact]
    public async Task A_cancelled_request_is_withdrawn_and_a_disposed_scorer_refuses_new_ones()
    {
        using var inner = NewScorer();
        var batching = new BatchingCellScorer(inner);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batching.ScoreAsync([Cells[0]], cancelled.Token));
        Assert.Single(await batching.ScoreAsync([Cells[0]]));

        batching.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => batching.ScoreAsync([Cells[0]]));
    }

    private sealed class CountingScorer(ICellScorer inner) : ICellScorer
    {
        public ConcurrentQueue<int> Batches { get; } = new();

        public float[] Score(IReadOnlyList<RgbImage> images)
        {
            Batches.Enqueue(images.Count);
            return inner.Score(images);
        }

        public IReadOnlyDictionary<string, byte[]> Save() => inner.Save();

        public void Dispose()
        {
        }
    }

    // One forward pass of many cells may round differently from a pass of one (other convolution kernels), by far
    // less than a probability anyone reads.
    private sealed class ToleranceComparer : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= 1e-6f;

        public int GetHashCode(float obj) => 0;
    }
}

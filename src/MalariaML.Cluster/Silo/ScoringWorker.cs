using MalariaML.Cluster.Jobs;
using MalariaML.Cluster.Storage;
using Microsoft.Extensions.Hosting;

namespace MalariaML.Cluster.Silo;

/// <summary>
/// The node's scoring loop: it pulls shards from the jobs on the board, so a node that joins mid-job simply starts
/// taking shards and a lost node's shards come back when their leases expire. Each shard is written atomically to the
/// job's folder before it is reported done, so an acknowledged shard is always on storage.
/// </summary>
internal sealed class ScoringWorker(IGrainFactory grains, NodeModel model, SiloOptions options, ILocalSiloDetails silo,
    IHostApplicationLifetime lifetime, NodeConsole console) : BackgroundService
{
    private readonly Dictionary<string, JobManifest> _manifests = new(StringComparer.Ordinal);
    private readonly HashSet<string> _refused = new(StringComparer.Ordinal);

    private string Node => $"{silo.SiloAddress.Endpoint}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await WhenStarted(stoppingToken);
        console.Line($"node {Node} ready: model sha256 {model.Sha256}");
        while (!stoppingToken.IsCancellationRequested)
        {
            bool scored;
            try
            {
                scored = await TryScoreOne(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A lost node, a job grain moving to another node, unreachable storage: try again, never stop scoring.
                console.Error($"node {Node}: {e.GetType().Name}: {FirstLine(e.Message)} (retrying)");
                scored = false;
                await Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }

            if (!scored)
            {
                await Delay(options.IdlePoll, stoppingToken);
            }
        }
    }

    private async Task<bool> TryScoreOne(CancellationToken token)
    {
        var board = grains.GetGrain<IJobBoardGrain>(IJobBoardGrain.Key);
        foreach (var jobId in await board.Active())
        {
            var job = grains.GetGrain<IScoringJobGrain>(jobId);
            var answer = await job.Lease(Node, model.Sha256);
            if (answer.Refusal is { } refusal)
            {
                if (_refused.Add(jobId))
                {
                    console.Error($"node {Node} refused: {refusal}");
                }

                continue;
            }

            if (answer.Lease is not { } lease)
            {
                continue;
            }

            var spec = lease.Spec;
            string summary;
            try
            {
                var manifest = Manifest(spec);
                console.Line($"node {Node}: scoring shard {lease.Shard} of job {jobId} ({manifest.Shard(lease.Shard).Count} files)");
                summary = await Renewing(job, lease, async () =>
                {
                    if (options.ShardPause > TimeSpan.Zero)
                    {
                        await Task.Delay(options.ShardPause, token);
                    }

                    return await Task.Run(() => ShardScoring.Run(model, manifest, lease.Shard, spec.OutputDir, Node, token), token);
                }, token);
            }
            catch (Exception e) when (e is not OperationCanceledException && e is not OutOfMemoryException)
            {
                // Bad files are skipped inside the shard; what lands here stops the whole shard on this node (storage,
                // the manifest, the native libraries). The job counts it against the shard's attempts, so a shard that
                // fails everywhere ends the job with this reason instead of going round forever.
                var reason = $"{e.GetType().Name}: {FirstLine(e.Message).TrimEnd('.')}";
                console.Error($"node {Node}: shard {lease.Shard} of job {jobId} failed: {reason}");
                var failed = await job.Fail(lease.Shard, Node, reason);
                if (failed.Failure is { } failure)
                {
                    console.Error($"node {Node}: job {jobId} failed: {failure}");
                }

                return true;
            }

            var progress = await job.Complete(lease.Shard, Node);
            console.Line($"node {Node}: shard {lease.Shard} of job {jobId} done ({summary}; {progress.ShardsDone}/{progress.Shards} shards)");
            return true;
        }

        return false;
    }

    // Renews the shard's lease every third of its length while the node works on it, so only a lost node's lease runs
    // out (and counts as a failed attempt), never a live node's that is slow on a big shard or a loaded machine.
    private async Task<T> Renewing<T>(IScoringJobGrain job, ShardLease lease, Func<Task<T>> work, CancellationToken token)
    {
        var every = TimeSpan.FromSeconds(Math.Max(1, lease.Spec.LeaseSeconds / 3.0));
        var working = work();
        while (!token.IsCancellationRequested && await Task.WhenAny(working, Task.Delay(every, token)) != working)
        {
            try
            {
                await job.Renew(lease.Shard, Node);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException)
            {
                // The job's node may be moving; if the lease runs out meanwhile the shard is scored twice, written once.
            }
        }

        return await working;
    }

    private JobManifest Manifest(JobSpec spec)
    {
        if (!_manifests.TryGetValue(spec.JobId, out var manifest) || spec.ShardCount != manifest.ShardCount)
        {
            manifest = JobManifest.Read(Path.Combine(spec.OutputDir, JobManifest.FileName), spec.ManifestSha256);
            _manifests[spec.JobId] = manifest;
        }

        return manifest;
    }

    private async Task WhenStarted(CancellationToken token)
    {
        var started = new TaskCompletionSource();
        using var a = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var b = token.Register(() => started.TrySetCanceled(token));
        await started.Task;
    }

    private static async Task Delay(TimeSpan wait, CancellationToken token)
    {
        try
        {
            await Task.Delay(wait, token);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}

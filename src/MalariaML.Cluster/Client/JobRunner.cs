using System.Security.Cryptography;
using System.Text;
using MalariaML.Cluster.Jobs;
using MalariaML.Cluster.Storage;
using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Inference;

namespace MalariaML.Cluster.Client;

/// <summary>
/// Submits a job (or resumes it: the same request finds the same job), waits for its shards while nodes come and go,
/// and merges the shard files into one batch in the job's file order.
/// </summary>
public static class JobRunner
{
    /// <summary>The default job id of an output folder: stable for one folder, so a re-run resumes.</summary>
    public static string DefaultJobId(string outputDir)
        => "job-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(outputDir))))[..16];

    /// <summary>Runs the job to its end.</summary>
    /// <param name="client">A connected client.</param>
    /// <param name="request">The job.</param>
    /// <param name="progress">Shards done of all shards, and refusals as they appear.</param>
    /// <param name="cancellationToken">Stops waiting (the job carries on in the cluster).</param>
    /// <exception cref="ClusterJobException">The job was refused, its folder holds another job, or a shard file is unusable.</exception>
    public static async Task<JobOutcome> RunAsync(IClusterClient client, JobRequest request, IProgress<JobProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.ShardSize, 1);
        if (request.Files.Count == 0)
        {
            throw new ClusterJobException("the job has no files");
        }

        var outputDir = Path.GetFullPath(request.OutputDir);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.MaxAttempts, 1);
        var manifest = new JobManifest(request.Files.Select(Path.GetFullPath).ToList(), request.ShardSize, request.Threshold, request.Fields);
        var manifestSha = WriteManifest(outputDir, manifest);
        var jobId = request.JobId ?? DefaultJobId(outputDir);
        var spec = new JobSpec
        {
            JobId = jobId,
            OutputDir = outputDir,
            ManifestSha256 = manifestSha,
            ShardCount = manifest.ShardCount,
            FileCount = manifest.Files.Count,
            ModelSha256 = request.ModelSha256,
            LeaseSeconds = request.LeaseSeconds,
            MaxAttempts = request.MaxAttempts,
        };

        var job = client.GetGrain<IScoringJobGrain>(jobId);
        var answer = await Retrying(() => job.Submit(spec), request, cancellationToken);
        if (answer.Refusal is { } refusal)
        {
            throw new ClusterJobException(refusal);
        }

        var state = answer.Progress;
        progress?.Report(state);
        while (!state.Finished)
        {
            if (state.Failure is { } failure)
            {
                var files = manifest.Shard(Math.Clamp(state.FailedShard ?? 0, 0, manifest.ShardCount - 1));
                throw new ClusterJobException($"job {jobId} failed: {failure}; the shard holds {files.Count} file(s), {files[0]} to {files[^1]}. " +
                    "Fix the cause and run the same command again: finished shards are kept.");
            }

            await Task.Delay(request.Poll, cancellationToken);
            state = await Retrying(job.Progress, request, cancellationToken);
            if (!state.Exists)
            {
                // The job's state is gone (a Redis without persistence restarted, or memory storage lost its node):
                // submit again; shards already on storage are scored again, the output stays exactly-once.
                state = (await Retrying(() => job.Submit(spec), request, cancellationToken)).Progress;
            }

            progress?.Report(state);
        }

        return manifest.Fields is null
            ? new JobOutcome(jobId, Merge(outputDir, manifest), manifest.ShardCount, state.Refusals, [])
            : MergeFields(jobId, outputDir, manifest, state.Refusals);
    }

    /// <summary>Reads every shard file of a finished field job, in the manifest's order.</summary>
    public static JobOutcome MergeFields(string jobId, string outputDir, JobManifest manifest, IReadOnlyList<string> refusals)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var fields = new List<FieldScreening>(manifest.Files.Count);
        var skipped = new List<SkippedFile>();
        for (var shard = 0; shard < manifest.ShardCount; shard++)
        {
            var result = FieldShardResult.Read(outputDir, shard, manifest.Shard(shard));
            fields.AddRange(result.Fields.Select(f => f.ToScreening()));
            skipped.AddRange(result.Skipped);
        }

        return new JobOutcome(jobId, new PredictionBatch([], skipped), manifest.ShardCount, refusals, fields);
    }


    /// <summary>Reads every shard file of a finished job into one batch, in the manifest's order.</summary>
    public static PredictionBatch Merge(string outputDir, JobManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var predictions = new List<CellPrediction>(manifest.Files.Count);
        var skipped = new List<SkippedFile>();
        for (var shard = 0; shard < manifest.ShardCount; shard++)
        {
            var result = ShardResult.Read(outputDir, shard, manifest.Shard(shard));
            predictions.AddRange(result.Predictions);
            skipped.AddRange(result.Skipped);
        }

        return new PredictionBatch(predictions, skipped);
    }

    private static string WriteManifest(string outputDir, JobManifest manifest)
    {
        Directory.CreateDirectory(outputDir);
        var path = Path.Combine(outputDir, JobManifest.FileName);
        var bytes = manifest.ToBytes();
        if (File.Exists(path))
        {
            var existing = File.ReadAllBytes(path);
            if (!existing.AsSpan().SequenceEqual(bytes))
            {
                throw new ClusterJobException($"{path}: the folder holds another job (other files, shard size, --threshold or --fields settings); choose another --out or remove the folder");
            }
        }
        else
        {
            AtomicFile.WriteAllBytes(path, bytes);
        }

        return JobManifest.Sha256(bytes);
    }

    // Calls fail while the node holding the job is lost and before the cluster declares it dead; the job's state is in
    // storage, so waiting and asking again is always right.
    private static async Task<T> Retrying<T>(Func<Task<T>> call, JobRequest request, CancellationToken token)
    {
        var giveUp = DateTime.UtcNow + request.PatienceWithoutCluster;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or SiloUnavailableException or OperationCanceledException
                                      && !token.IsCancellationRequested && DateTime.UtcNow < giveUp)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), token);
            }
        }
    }
}

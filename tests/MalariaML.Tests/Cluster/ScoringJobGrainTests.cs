using MalariaML.Cluster.Jobs;
using Orleans.TestingHost;

namespace MalariaML.Tests.Cluster;

/// <summary>
/// The job's bookkeeping on an in-process Orleans cluster: shards handed out once each until their lease expires, a
/// shard done counted once, a node with another model refused by checksum, a resubmitted job resumed and a different
/// one refused, a finished job taken off the board.
/// </summary>
public sealed class ScoringJobGrainTests : IAsyncLifetime
{
    private const string Model = "aaaa";
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(1);
        builder.AddSiloBuilderConfigurator<MemoryJobStorage>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await _cluster.StopAllSilosAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Shards_go_out_once_until_their_lease_expires_and_count_once_when_done()
    {
        var job = _cluster.Client.GetGrain<IScoringJobGrain>("lease");
        var spec = Spec("lease", shards: 3, leaseSeconds: 1);
        Assert.Null((await job.Submit(spec)).Refusal);
        Assert.Contains("lease", await Board().Active());

        var first = (await job.Lease("A", Model)).Lease!.Shard;
        var second = (await job.Lease("B", Model)).Lease!.Shard;
        var third = (await job.Lease("A", Model)).Lease!.Shard;
        Assert.Equal([0, 1, 2], new[] { first, second, third });
        Assert.Equal(LeaseAnswer.None, await job.Lease("B", Model)); // all held

        // A dies holding shards 0 and 2; B finishes 1, then gets A's shards back once their leases expire.
        await job.Complete(1, "B");
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(0, (await job.Lease("B", Model)).Lease!.Shard);
        Assert.Equal(2, (await job.Lease("B", Model)).Lease!.Shard);

        // A was only slow: its late report and B's both count, once.
        await job.Complete(0, "A");
        var progress = await job.Complete(0, "B");
        Assert.Equal(2, progress.ShardsDone);
        Assert.DoesNotContain(1, await LeasedShards(job)); // a finished shard is never handed out again
        progress = await job.Complete(2, "B");
        Assert.True(progress.Finished);
        Assert.DoesNotContain("lease", await Board().Active());
        Assert.Equal(LeaseAnswer.None, await job.Lease("C", Model));
    }

    [Fact]
    public async Task A_node_with_another_model_is_refused_by_checksum()
    {
        var job = _cluster.Client.GetGrain<IScoringJobGrain>("model");
        await job.Submit(Spec("model", shards: 2));
        var answer = await job.Lease("N", "bbbb");
        Assert.Null(answer.Lease);
        Assert.Contains(Model, answer.Refusal!, StringComparison.Ordinal);
        Assert.Contains("bbbb", answer.Refusal!, StringComparison.Ordinal);
        Assert.Equal(0, (await job.Progress()).ShardsLeased);
        Assert.Single((await job.Progress()).Refusals);
    }

    [Fact]
    public async Task A_resubmitted_job_resumes_and_another_job_under_its_id_is_refused()
    {
        var job = _cluster.Client.GetGrain<IScoringJobGrain>("again");
        var spec = Spec("again", shards: 2);
        await job.Submit(spec);
        await job.Complete((await job.Lease("A", Model)).Lease!.Shard, "A");

        var again = await job.Submit(spec);
        Assert.Null(again.Refusal);
        Assert.Equal(1, again.Progress.ShardsDone);

        var other = await job.Submit(spec with { ManifestSha256 = "another manifest" });
        Assert.Contains("already exists", other.Refusal!, StringComparison.Ordinal);
        var otherModel = await job.Submit(spec with { ModelSha256 = "cccc" });
        Assert.NotNull(otherModel.Refusal);
    }

    [Fact]
    public async Task A_shard_that_fails_on_every_attempt_fails_the_job_and_a_resubmission_resumes_it()
    {
        var job = _cluster.Client.GetGrain<IScoringJobGrain>("cap");
        var spec = Spec("cap", shards: 2, leaseSeconds: 1) with { MaxAttempts = 3 };
        await job.Submit(spec);
        Assert.Equal(0, (await job.Lease("A", Model)).Lease!.Shard);
        await job.Complete(0, "A");

        // Two reported errors and a lease that runs out (the node died holding it): three attempts, the cap.
        Assert.Equal(1, (await job.Lease("A", Model)).Lease!.Shard);
        Assert.Null((await job.Fail(1, "A", "IOException: disk full")).Failure);
        Assert.Equal(1, (await job.Lease("B", Model)).Lease!.Shard);
        Assert.Null((await job.Fail(1, "B", "IOException: disk full")).Failure);
        Assert.Equal(1, (await job.Lease("C", Model)).Lease!.Shard);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal(LeaseAnswer.None, await job.Lease("D", Model));
        var failed = await job.Progress();
        Assert.Equal(1, failed.FailedShard);
        Assert.StartsWith("shard 1 failed 3 times (--max-attempts 3); last on node C: ", failed.Failure, StringComparison.Ordinal);
        Assert.False(failed.Finished);
        Assert.DoesNotContain("cap", await Board().Active());

        // Submitted again (the cause fixed): fresh attempts, the finished shard kept.
        var again = await job.Submit(spec);
        Assert.Null(again.Refusal);
        Assert.Null(again.Progress.Failure);
        Assert.Equal(1, again.Progress.ShardsDone);
        Assert.Contains("cap", await Board().Active());
        Assert.Equal(1, (await job.Lease("D", Model)).Lease!.Shard);
        Assert.True((await job.Complete(1, "D")).Finished);
    }

    [Fact]
    public async Task A_node_that_renews_its_lease_keeps_its_shard_past_the_lease()
    {
        var job = _cluster.Client.GetGrain<IScoringJobGrain>("renew");
        await job.Submit(Spec("renew", shards: 1, leaseSeconds: 1));
        Assert.Equal(0, (await job.Lease("A", Model)).Lease!.Shard);
        for (var i = 0; i < 3; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(0.5));
            Assert.True(await job.Renew(0, "A"));
            Assert.False(await job.Renew(0, "B")); // not B's
        }

        Assert.Equal(LeaseAnswer.None, await job.Lease("B", Model)); // 1.5 s after the lease of 1 s: still A's
        Assert.True((await job.Complete(0, "A")).Finished);
        Assert.False(await job.Renew(0, "A"));
    }

    private IJobBoardGrain Board() => _cluster.Client.GetGrain<IJobBoardGrain>(IJobBoardGrain.Key);

    private static async Task<List<int>> LeasedShards(IScoringJobGrain job)
    {
        var shards = new List<int>();
        while ((await job.Lease("probe", Model)).Lease is { } lease)
        {
            shards.Add(lease.Shard);
        }

        return shards;
    }

    private static JobSpec Spec(string id, int shards, int leaseSeconds = 60) => new()
    {
        JobId = id,
        OutputDir = "/jobs/" + id,
        ManifestSha256 = "manifest-" + id,
        ShardCount = shards,
        FileCount = shards * 10,
        ModelSha256 = Model,
        LeaseSeconds = leaseSeconds,
    };

    private sealed class MemoryJobStorage : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddMemoryGrainStorage(ClusterStorage.Name);
    }
}

using System.Globalization;

namespace MalariaML.Cluster.Jobs;

/// <inheritdoc cref="IScoringJobGrain"/>
internal sealed class ScoringJobGrain(
    [PersistentState("job", ClusterStorage.Name)] IPersistentState<JobState> state) : Grain, IScoringJobGrain
{
    // Leases are deliberately not persisted: after a restart or a lost node every unfinished shard is free again.
    private readonly Dictionary<int, Held> _leases = [];
    private readonly SortedDictionary<string, string> _refusals = new(StringComparer.Ordinal);

    private string Id => this.GetPrimaryKeyString();

    public async Task<SubmitAnswer> Submit(JobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (state.State.Spec is { } existing)
        {
            if (existing.ManifestSha256 != spec.ManifestSha256 || existing.ModelSha256 != spec.ModelSha256
                || existing.ShardCount != spec.ShardCount || !string.Equals(existing.OutputDir, spec.OutputDir, StringComparison.Ordinal))
            {
                return new SubmitAnswer(Snapshot(), $"job '{Id}' already exists with other files, model or folder " +
                    $"(its manifest sha256 {existing.ManifestSha256}, model sha256 {existing.ModelSha256}, folder {existing.OutputDir}); choose another job id or --out");
            }

            if (state.State.Failure is not null || existing.MaxAttempts != spec.MaxAttempts || existing.LeaseSeconds != spec.LeaseSeconds)
            {
                // Submitting a failed job again (its cause fixed) resumes it with fresh attempts; finished shards stay done.
                state.State.Spec = existing with { MaxAttempts = spec.MaxAttempts, LeaseSeconds = spec.LeaseSeconds };
                if (state.State.Failure is not null)
                {
                    state.State.Failure = null;
                    state.State.FailedShard = null;
                    state.State.Attempts.Clear();
                }

                await state.WriteStateAsync();
            }
        }
        else
        {
            state.State = new JobState { Spec = spec };
            await state.WriteStateAsync();
        }

        if (state.State.Done.Count < spec.ShardCount)
        {
            await GrainFactory.GetGrain<IJobBoardGrain>(IJobBoardGrain.Key).Post(Id);
        }

        return new SubmitAnswer(Snapshot(), null);
    }

    public async Task<LeaseAnswer> Lease(string node, string modelSha256)
    {
        if (state.State.Spec is not { } spec || state.State.Failure is not null)
        {
            return LeaseAnswer.None;
        }

        if (!string.Equals(modelSha256, spec.ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            var reason = $"job '{Id}' needs the model with sha256 {spec.ModelSha256}; node {node} has {modelSha256}";
            _refusals[node] = reason;
            return new LeaseAnswer(null, reason);
        }

        var now = DateTimeOffset.UtcNow;
        for (var shard = 0; shard < spec.ShardCount; shard++)
        {
            var leased = _leases.TryGetValue(shard, out var held);
            if (state.State.Done.Contains(shard) || (leased && held.Until > now))
            {
                continue;
            }

            // A lease that ran out is an attempt lost with its node (or a node slower than the lease): it counts, so a
            // shard that kills every node that takes it cannot go round forever.
            if (leased && await Failed(shard, held.Node, $"the node held it {spec.LeaseSeconds} s without reporting (lost, or slower than --lease-seconds)"))
            {
                return LeaseAnswer.None;
            }

            _leases[shard] = new Held(node, now.AddSeconds(spec.LeaseSeconds));
            return new LeaseAnswer(new ShardLease(spec, shard), null);
        }

        return LeaseAnswer.None;
    }

    public Task<bool> Renew(int shard, string node)
    {
        if (state.State.Spec is not { } spec || state.State.Failure is not null || state.State.Done.Contains(shard) || shard < 0 || shard >= spec.ShardCount
            || (_leases.TryGetValue(shard, out var held) && held.Node != node))
        {
            return Task.FromResult(false);
        }

        _leases[shard] = new Held(node, DateTimeOffset.UtcNow.AddSeconds(spec.LeaseSeconds));
        return Task.FromResult(true);
    }

    public async Task<JobProgress> Complete(int shard, string node)
    {
        if (state.State.Spec is not { } spec || shard < 0 || shard >= spec.ShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard.ToString(CultureInfo.InvariantCulture) + $" is no shard of job '{Id}'");
        }

        _leases.Remove(shard);
        // Persisted before the node hears back: a shard acknowledged as done is never handed out again, even after a
        // restart of the whole cluster.
        if (state.State.Done.Add(shard))
        {
            await state.WriteStateAsync();
            if (state.State.Done.Count == spec.ShardCount)
            {
                await GrainFactory.GetGrain<IJobBoardGrain>(IJobBoardGrain.Key).Remove(Id);
            }
        }

        return Snapshot();
    }

    public async Task<JobProgress> Fail(int shard, string node, string reason)
    {
        if (state.State.Spec is not { } spec || shard < 0 || shard >= spec.ShardCount)
        {
            throw new ArgumentOutOfRangeException(nameof(shard), shard.ToString(CultureInfo.InvariantCulture) + $" is no shard of job '{Id}'");
        }

        if (!state.State.Done.Contains(shard) && state.State.Failure is null)
        {
            _leases.Remove(shard);
            await Failed(shard, node, reason);
        }

        return Snapshot();
    }

    public Task<JobProgress> Progress() => Task.FromResult(Snapshot());

    // Counts a failed attempt; true when it was the last one the job allows, which fails the job.
    private async Task<bool> Failed(int shard, string node, string reason)
    {
        var spec = state.State.Spec!;
        var attempts = state.State.Attempts[shard] = state.State.Attempts.GetValueOrDefault(shard) + 1;
        if (attempts < spec.MaxAttempts)
        {
            await state.WriteStateAsync();
            return false;
        }

        state.State.FailedShard = shard;
        state.State.Failure = $"shard {shard} failed {attempts} times (--max-attempts {spec.MaxAttempts}); last on node {node}: {reason}";
        _leases.Clear();
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IJobBoardGrain>(IJobBoardGrain.Key).Remove(Id);
        return true;
    }

    private JobProgress Snapshot()
    {
        var spec = state.State.Spec;
        var now = DateTimeOffset.UtcNow;
        return new JobProgress(Id, spec is not null, spec?.ShardCount ?? 0, state.State.Done.Count,
            _leases.Count(l => l.Value.Until > now && !state.State.Done.Contains(l.Key)), spec?.FileCount ?? 0,
            spec?.ModelSha256 ?? "", _refusals.Values.ToList(), state.State.Failure, state.State.FailedShard);
    }

    private readonly record struct Held(string Node, DateTimeOffset Until);
}

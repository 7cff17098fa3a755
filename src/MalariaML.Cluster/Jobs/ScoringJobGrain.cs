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

    public Task<LeaseAnswer> Lease(string node, string modelSha256)
    {
        if (state.State.Spec is not { } spec)
        {
            return Task.FromResult(LeaseAnswer.None);
        }

        if (!string.Equals(modelSha256, spec.ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            var reason = $"job '{Id}' needs the model with sha256 {spec.ModelSha256}; node {node} has {modelSha256}";
            _refusals[node] = reason;
            return Task.FromResult(new LeaseAnswer(null, reason));
        }

        var now = DateTimeOffset.UtcNow;
        for (var shard = 0; shard < spec.ShardCount; shard++)
        {
            if (state.State.Done.Contains(shard) || (_leases.TryGetValue(shard, out var held) && held.Until > now))
            {
                continue;
            }

            _leases[shard] = new Held(node, now.AddSeconds(spec.LeaseSeconds));
            return Task.FromResult(new LeaseAnswer(new ShardLease(spec, shard), null));
        }

        return Task.FromResult(LeaseAnswer.None);
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

    public Task<JobProgress> Progress() => Task.FromResult(Snapshot());

    private JobProgress Snapshot()
    {
        var spec = state.State.Spec;
        var now = DateTimeOffset.UtcNow;
        return new JobProgress(Id, spec is not null, spec?.ShardCount ?? 0, state.State.Done.Count,
            _leases.Count(l => l.Value.Until > now && !state.State.Done.Contains(l.Key)), spec?.FileCount ?? 0,
            spec?.ModelSha256 ?? "", _refusals.Values.ToList());
    }

    private readonly record struct Held(string Node, DateTimeOffset Until);
}

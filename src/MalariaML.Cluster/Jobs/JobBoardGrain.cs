namespace MalariaML.Cluster.Jobs;

/// <inheritdoc cref="IJobBoardGrain"/>
internal sealed class JobBoardGrain([PersistentState("board", ClusterStorage.Name)] IPersistentState<JobBoardState> state) : Grain, IJobBoardGrain
{
    public async Task Post(string jobId)
    {
        if (!state.State.Jobs.Contains(jobId))
        {
            state.State.Jobs.Add(jobId);
            await state.WriteStateAsync();
        }
    }

    public async Task Remove(string jobId)
    {
        if (state.State.Jobs.Remove(jobId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> Active() => Task.FromResult<IReadOnlyList<string>>(state.State.Jobs.ToList());
}

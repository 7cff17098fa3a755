using Microsoft.Extensions.Hosting;

namespace MalariaML.Server.Jobs;

/// <summary>Deletes expired jobs and their folders, every quarter of the result lifetime (at most every minute).</summary>
internal sealed class JobJanitor(JobStore store) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromTicks(Math.Clamp(store.Options.ResultLifetime.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                store.RemoveExpired(DateTimeOffset.UtcNow);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace MalariaML.Cluster.Client;

/// <summary>A started Orleans client of a scoring cluster (what <c>malaria cluster run</c> and <c>status</c> talk through).</summary>
public sealed class ClusterClientHost : IAsyncDisposable
{
    private readonly IHost _host;

    private ClusterClientHost(IHost host) => _host = host;

    /// <summary>The client.</summary>
    public IClusterClient Client => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>Connects, retrying for up to <paramref name="connectFor"/> while no node answers.</summary>
    /// <exception cref="ClusterJobException">No node of the cluster could be reached in that time.</exception>
    public static async Task<ClusterClientHost> ConnectAsync(ClusterConnection connection, TimeSpan connectFor, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var deadline = DateTime.UtcNow + connectFor;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Error);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (connection.ClusterId, connection.ClusterId));
            if (connection.Localhost)
            {
                client.UseStaticClustering(connection.GatewayPorts.Select(p => new IPEndPoint(IPAddress.Loopback, p)).ToArray());
            }
            else
            {
                client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(connection.Redis!));
            }

            // Nodes come and go during a job: learn of new gateways within seconds, not Orleans' minute.
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ClusterTimings.ResponseTimeout);
            client.UseConnectionRetryFilter(async (_, token) =>
            {
                if (DateTime.UtcNow > deadline)
                {
                    return false;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), token);
                return true;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            var where = connection.Localhost ? $"gateway port(s) {string.Join(", ", connection.GatewayPorts)} on this machine" : $"Redis {connection.Redis}";
            throw new ClusterJobException($"no node of cluster '{connection.ClusterId}' answered within {connectFor.TotalSeconds:F0} s ({where}): {e.Message}", e);
        }

        return new ClusterClientHost(host);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(stop.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException or TimeoutException)
        {
            // The cluster may be gone already; nothing to hand back.
        }

        _host.Dispose();
    }
}

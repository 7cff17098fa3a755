using System.Net;
using MalariaML.Cluster.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using StackExchange.Redis;

namespace MalariaML.Cluster.Silo;

/// <summary>Builds a scoring node: an Orleans silo holding the job grains, plus the <see cref="ScoringWorker"/>.</summary>
public static class SiloHost
{
    /// <summary>Builds the node's host; the model is loaded (once) here, before the node joins.</summary>
    public static IHost Build(SiloOptions options, NodeConsole? console = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = new NodeModel(options);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // Orleans' errors go to stderr. Its warnings (slow work items, each missed probe with its stack trace) flood a
        // busy node's log; the node's own lines say what an operator needs: shards taken, done, refused, retried.
        builder.Logging.AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Error);
        builder.Services.AddSingleton(model);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(console ?? new NodeConsole());
        builder.Services.AddHostedService<ScoringWorker>();
        builder.UseOrleans(silo =>
        {
            var connection = options.Connection;
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (connection.ClusterId, connection.ClusterId));
            if (connection.Localhost)
            {
                var primary = new IPEndPoint(IPAddress.Loopback, connection.PrimarySiloPort);
                silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, options.SiloPort == connection.PrimarySiloPort ? null : primary);
                silo.AddMemoryGrainStorage(ClusterStorage.Name);
            }
            else
            {
                var redis = ConfigurationOptions.Parse(connection.Redis!);
                silo.UseRedisClustering(o => o.ConfigurationOptions = redis);
                silo.AddRedisGrainStorage(ClusterStorage.Name, o => o.ConfigurationOptions = redis);
                if (options.Address is { } address)
                {
                    silo.ConfigureEndpoints(IPAddress.Parse(address), options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
                }
                else if (connection.RedisIsLocal)
                {
                    silo.ConfigureEndpoints(IPAddress.Loopback, options.SiloPort, options.GatewayPort);
                }
                else
                {
                    silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort, listenOnAnyHostAddress: true);
                }
            }

            silo.Configure<ClusterMembershipOptions>(ClusterTimings.Membership);
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ClusterTimings.ResponseTimeout);
        });
        var host = builder.Build();
        // The model outlives nothing it serves: disposed with the host.
        host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(model.Dispose);
        return host;
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace MalariaML.Tests.Cluster;

/// <summary>
/// A private <c>redis-server</c> (Debian's) on a free loopback port, without persistence, stopped (SIGKILL) on dispose.
/// <see cref="TryStart"/> returns null with the reason when no redis-server is installed, so tests skip in one line.
/// </summary>
internal sealed class RedisServer : IDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port) => (_process, Port) = (process, port);

    public int Port { get; }

    /// <summary><c>127.0.0.1:PORT</c>, as <c>--redis</c> takes it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public static string? Executable =>
        new[] { Environment.GetEnvironmentVariable("MALARIAML_REDIS_SERVER"), "/usr/bin/redis-server", "/usr/local/bin/redis-server" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    public static RedisServer? TryStart(out string? whyNot)
    {
        if (Executable is not { } exe)
        {
            whyNot = "cluster tests skipped: no redis-server (scripts/install-redis.sh installs Debian's; or set MALARIAML_REDIS_SERVER)";
            return null;
        }

        var port = FreePorts.Take(1)[0];
        var start = new ProcessStartInfo(exe) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no" })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new RedisServer(process, port);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (process.HasExited)
            {
                break;
            }

            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, port);
                whyNot = null;
                return server;
            }
            catch (SocketException)
            {
                Thread.Sleep(100);
            }
        }

        server.Dispose();
        throw new InvalidOperationException($"{exe} did not accept connections on port {port}");
    }

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}

/// <summary>Free loopback TCP ports, asked of the kernel.</summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            listeners.ForEach(l => l.Start());
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}

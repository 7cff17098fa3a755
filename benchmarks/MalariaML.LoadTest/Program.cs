// Load test of 'malaria serve' on loopback: starts the server as its own process on a free 127.0.0.1 port, sends
// REQUESTS requests of CELLS cells from CLIENTS concurrent clients, then times 'malaria predict' on the same cells, and
// writes a Markdown report. It stops by itself: a fixed number of requests, a timeout per request, the server killed at
// the end. Usage (see scripts/loadtest.sh):
//   dotnet run --project benchmarks/MalariaML.LoadTest -c Release -- MALARIA_DLL MODEL CELL_DIR OUT.md [requests] [clients] [cells]
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

if (args.Length < 4)
{
    Console.Error.WriteLine("usage: MalariaML.LoadTest MALARIA_DLL MODEL CELL_DIR OUT.md [requests=2000] [clients=16] [cells=16]");
    return 2;
}

var (malariaDll, model, cellDir, output) = (Path.GetFullPath(args[0]), Path.GetFullPath(args[1]), Path.GetFullPath(args[2]), Path.GetFullPath(args[3]));
var requests = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 2000;
var clients = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 16;
var cellsPerRequest = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 16;
const int warmUp = 32;
var rssAt = new[] { 500, requests };

var files = Directory.EnumerateFiles(cellDir, "*.png", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
var cells = files.Select(f => (Name: Path.GetFileName(f), Data: File.ReadAllBytes(f))).ToList();
Console.WriteLine($"{cells.Count} cells from {cellDir}; {requests} requests x {cellsPerRequest} cells, {clients} clients");

var port = FreePort();
var url = $"http://127.0.0.1:{port}";
using var server = Start(["serve", "--model", model, "--urls", url], echo: true);
var report = new StringBuilder();
try
{
    using (var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) })
    {
        var ready = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited) throw new InvalidOperationException($"the server exited with {server.ExitCode}");
            try
            {
                if ((await probe.GetAsync($"{url}/api/health")).IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
            }

            if (ready.Elapsed > TimeSpan.FromMinutes(2)) throw new TimeoutException("the server did not start in 2 minutes");
            await Task.Delay(200);
        }
    }

    // Warm-up (not measured): the first forward passes allocate the model's working memory.
    var http = Enumerable.Range(0, clients).Select(_ => new HttpClient(new SocketsHttpHandler { CookieContainer = new CookieContainer(), MaxConnectionsPerServer = 1 })
    { Timeout = TimeSpan.FromMinutes(2), BaseAddress = new Uri(url) }).ToList();
    for (var i = 0; i < warmUp; i++) await Send(http[i % clients], i);
    Console.WriteLine($"warm-up done ({warmUp} requests); measuring");

    var latencies = new double[requests];
    var statuses = new int[requests];
    var retries = 0;
    var failures = new List<string>();
    var rss = new Dictionary<int, long>();
    var next = -1;
    var completed = 0;
    var serverCpuBefore = CpuSeconds($"/proc/{server.Id}/stat", children: false);
    var wall = Stopwatch.StartNew();
    await Task.WhenAll(http.Select(client => Task.Run(async () =>
    {
        for (var i = Interlocked.Increment(ref next); i < requests; i = Interlocked.Increment(ref next))
        {
            var watch = Stopwatch.StartNew();
            while (true)
            {
                var (status, retryAfter, error) = await Send(client, i);
                if (status == 503 && retryAfter is { } wait)
                {
                    Interlocked.Increment(ref retries);
                    await Task.Delay(wait);
                    continue;
                }

                statuses[i] = status;
                if (error is not null) lock (failures) failures.Add($"request {i}: {error}");
                break;
            }

            latencies[i] = watch.Elapsed.TotalMilliseconds;
            var done = Interlocked.Increment(ref completed);
            if (rssAt.Contains(done)) lock (rss) rss[done] = Rss(server.Id);
            if (done % 250 == 0) Console.WriteLine($"{done} requests, {wall.Elapsed.TotalSeconds:F0} s");
        }
    })));
    wall.Stop();
    var serverCpu = CpuSeconds($"/proc/{server.Id}/stat", children: false) - serverCpuBefore;
    foreach (var c in http) c.Dispose();

    var serverCellsPerSecond = (double)requests * cellsPerRequest / wall.Elapsed.TotalSeconds;
    var sorted = latencies.Order().ToArray();
    double Percentile(double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    // The same cells through 'malaria predict': every cell a request used, as many times as the requests used it
    // (as files in a folder), and once more on one request's worth of cells to measure its start-up (process, model).
    var predictDir = Path.Combine(Path.GetDirectoryName(output)!, "..", "..", "artifacts", "loadtest", "predict-cells");
    predictDir = Path.GetFullPath(predictDir);
    if (Directory.Exists(predictDir)) Directory.Delete(predictDir, recursive: true);
    Directory.CreateDirectory(predictDir);
    var predictCells = Math.Min(requests * cellsPerRequest, 16 * cells.Count);
    for (var k = 0; k < predictCells; k++)
    {
        var cell = cells[k % cells.Count];
        File.WriteAllBytes(Path.Combine(predictDir, $"{Path.GetFileNameWithoutExtension(cell.Name)}-copy{k:D6}.png"), cell.Data);
    }

    var smallDir = Path.Combine(predictDir, "..", "predict-startup");
    if (Directory.Exists(smallDir)) Directory.Delete(smallDir, recursive: true);
    Directory.CreateDirectory(smallDir);
    foreach (var f in Directory.GetFiles(predictDir).Order(StringComparer.Ordinal).Take(cellsPerRequest)) File.Copy(f, Path.Combine(smallDir, Path.GetFileName(f)));
    // CPU time of waited-for children lands in this process's cutime/cstime: the CPU each predict run used.
    var cpu0 = CpuSeconds("/proc/self/stat", children: true);
    var startup = Time(["predict", "--model", model, smallDir, "--out", Path.Combine(smallDir, "..", "startup.csv")]);
    var cpu1 = CpuSeconds("/proc/self/stat", children: true);
    var full = Time(["predict", "--model", model, predictDir, "--out", Path.Combine(predictDir, "..", "predict.csv")]);
    var cpu2 = CpuSeconds("/proc/self/stat", children: true);
    var (startupCpu, fullCpu) = (cpu1 - cpu0, cpu2 - cpu1);
    var serverCellsPerCpu = requests * cellsPerRequest / Math.Max(1e-3, serverCpu);
    var predictCellsPerCpu = (predictCells - cellsPerRequest) / Math.Max(1e-3, fullCpu - startupCpu);
    var predictRaw = predictCells / full;
    var predictScoring = (predictCells - cellsPerRequest) / Math.Max(1e-3, full - startup);

    var ok = statuses.Count(s => s == 200);
    var rss500 = rss.GetValueOrDefault(rssAt[0]);
    var rssEnd = rss.GetValueOrDefault(rssAt[1]);
    report.AppendLine(CultureInfo.InvariantCulture, $"# Load test of `malaria serve` ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC)");
    report.AppendLine();
    report.AppendLine(CultureInfo.InvariantCulture, $"Loopback (`{url}`), model `{Path.GetFileName(model)}`, {clients} concurrent clients, {requests:N0} requests of {cellsPerRequest} cells ({requests * cellsPerRequest:N0} cells) from `{cellDir}` ({cells.Count} distinct cells), after {warmUp} warm-up requests. {Environment.ProcessorCount} CPU cores, shared with other work: ratios within this run are what to compare.");
    report.AppendLine();
    report.AppendLine("| measure | value | target |");
    report.AppendLine("| --- | ---: | --- |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| requests answered 200 | {ok:N0} of {requests:N0} | all |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| failed requests (not 200, not 503 + Retry-After) | {failures.Count} | 0 |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| 503 with Retry-After (retried) | {retries} | reported |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| latency p50 / p95 / max | {Percentile(0.50):F0} / {Percentile(0.95):F0} / {sorted[^1]:F0} ms | reported |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| wall time | {wall.Elapsed.TotalSeconds:F1} s | |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| server throughput | {serverCellsPerSecond:F1} cells/s | |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| `malaria predict`, {predictCells:N0} cells, whole run ({full:F1} s) | {predictRaw:F1} cells/s | |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| `malaria predict`, start-up ({cellsPerRequest} cells: {startup:F1} s) subtracted | {predictScoring:F1} cells/s | |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| server / predict (whole run) | {serverCellsPerSecond / predictRaw:P0} | >= 80% |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| server / predict (start-up subtracted) | {serverCellsPerSecond / predictScoring:P0} | >= 80% |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| CPU time: server during the load ({serverCpu:F0} s) / predict, start-up subtracted ({fullCpu - startupCpu:F0} s) | {serverCellsPerCpu:F1} / {predictCellsPerCpu:F1} cells per CPU-second | |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| server / predict, cells per CPU-second (fair on a shared machine) | {serverCellsPerCpu / predictCellsPerCpu:P0} | >= 80% |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| load average (1 min) at the end | {LoadAverage()} | |");
    report.AppendLine(CultureInfo.InvariantCulture, $"| server resident memory after {rssAt[0]} / {rssAt[1]:N0} requests | {rss500 / 1048576.0:F0} / {rssEnd / 1048576.0:F0} MiB ({(rssEnd - rss500) * 100.0 / Math.Max(1, rss500):+0.0;-0.0}%) | growth < 10% |");
    if (failures.Count > 0)
    {
        report.AppendLine();
        report.AppendLine("Failures (first 10):");
        foreach (var f in failures.Take(10)) report.AppendLine(CultureInfo.InvariantCulture, $"- {f}");
    }

    Directory.CreateDirectory(Path.GetDirectoryName(output)!);
    File.WriteAllText(output, report.ToString());
    Console.WriteLine(report);
    return failures.Count == 0 ? 0 : 1;

    async Task<(int Status, TimeSpan? RetryAfter, string? Error)> Send(HttpClient client, int index)
    {
        using var form = new MultipartFormDataContent();
        for (var k = 0; k < cellsPerRequest; k++)
        {
            var cell = cells[((index * cellsPerRequest) + k) % cells.Count];
            form.Add(new ByteArrayContent(cell.Data), "files", cell.Name);
        }

        try
        {
            using var response = await client.PostAsync("/api/predict", form);
            var body = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            if (status == 503 && response.Headers.RetryAfter?.Delta is { } wait) return (503, wait, null);
            if (status != 200) return (status, null, $"HTTP {status}: {body[..Math.Min(200, body.Length)]}");
            using var json = JsonDocument.Parse(body);
            var scored = json.RootElement.GetProperty("result").GetProperty("cells").GetArrayLength();
            return scored == cellsPerRequest ? (200, null, null) : (200, null, $"{scored} cells in the answer, {cellsPerRequest} sent");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return (0, null, e.GetType().Name + ": " + e.Message);
        }
    }
}
finally
{
    if (!server.HasExited)
    {
        server.Kill(entireProcessTree: true);
        server.WaitForExit();
    }
}

Process Start(IEnumerable<string> arguments, bool echo = false)
{
    var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
    start.ArgumentList.Add(malariaDll);
    foreach (var a in arguments) start.ArgumentList.Add(a);
    var process = Process.Start(start)!;
    // Read both streams always (a full pipe would stall the child); show them for the server only.
    process.OutputDataReceived += (_, e) => { if (echo && e.Data is not null) Console.WriteLine("  server: " + e.Data); };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.WriteLine("  stderr: " + e.Data); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return process;
}

double Time(IEnumerable<string> arguments)
{
    var watch = Stopwatch.StartNew();
    using var process = Start(arguments);
    if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
    {
        process.Kill(entireProcessTree: true);
        throw new TimeoutException("malaria predict took over 20 minutes");
    }

    if (process.ExitCode != 0) throw new InvalidOperationException($"malaria predict failed with {process.ExitCode}");
    return watch.Elapsed.TotalSeconds;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

// utime + stime (and cutime + cstime for waited-for children) from /proc/PID/stat, in seconds; 0 where there is no /proc.
static double CpuSeconds(string statPath, bool children)
{
    if (!File.Exists(statPath)) return 0;
    var stat = File.ReadAllText(statPath);
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    // Fields after the command: state is index 0, so utime (field 14) is index 11, stime 12, cutime 13, cstime 14.
    var ticks = children ? long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture)
        : long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    return ticks / 100.0; // USER_HZ is 100 on Linux
}

static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

static long Rss(int pid)
{
    // Linux: VmRSS in /proc/PID/status (kB). Elsewhere: the .NET view of the process.
    var status = $"/proc/{pid}/status";
    if (File.Exists(status))
    {
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        if (line is not null) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    using var p = Process.GetProcessById(pid);
    return p.WorkingSet64;
}

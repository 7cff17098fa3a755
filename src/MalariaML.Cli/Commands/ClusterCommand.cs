using System.CommandLine;
using System.Globalization;
using MalariaML.Cli.Output;
using MalariaML.Cluster;
using MalariaML.Cluster.Client;
using MalariaML.Cluster.Jobs;
using MalariaML.Cluster.Silo;
using MalariaML.Cluster.Storage;
using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Inference;
using Microsoft.Extensions.Hosting;
using Spectre.Console;

namespace MalariaML.Cli.Commands;

/// <summary>
/// <c>malaria cluster silo|run|status</c>: batch scoring on an Orleans cluster. Nodes (silos) load the model once and
/// pull shards of a job; <c>run</c> submits a job, waits, and merges the shards into <c>malaria predict</c>'s files.
/// </summary>
internal static class ClusterCommand
{
    public static Command Create()
    {
        var command = new Command("cluster", "Score on a cluster of machines (Orleans; Redis keeps membership and jobs).");
        command.Subcommands.Add(Silo());
        command.Subcommands.Add(Run());
        command.Subcommands.Add(Status());
        return command;
    }

    private sealed record ConnectionOptions(Option<string?> Redis, Option<string> ClusterId, Option<int> PrimaryPort, Option<int[]> Gateways)
    {
        public static ConnectionOptions Create() => new(
            new Option<string?>("--redis") { Description = "Redis HOST:PORT holding membership and job state; without it, one-machine clustering on loopback ports." },
            new Option<string>("--cluster-id") { Description = "Cluster name shared by its nodes and clients.", DefaultValueFactory = _ => "malaria" },
            new Option<int>("--primary-port") { Description = "Without Redis: silo port of the first node, which the others join through.", DefaultValueFactory = _ => 11111 },
            new Option<int[]>("--gateway") { Description = "Without Redis: gateway port(s) of nodes to connect to.", DefaultValueFactory = _ => [30000], AllowMultipleArgumentsPerToken = true });

        public void AddTo(Command command, bool client)
        {
            command.Options.Add(Redis);
            command.Options.Add(ClusterId);
            command.Options.Add(client ? Gateways : PrimaryPort);
        }

        public ClusterConnection Read(ParseResult result, bool client) => new()
        {
            Redis = result.GetValue(Redis),
            ClusterId = result.GetValue(ClusterId)!,
            PrimarySiloPort = client ? 11111 : result.GetValue(PrimaryPort),
            GatewayPorts = client ? result.GetValue(Gateways) ?? [30000] : [30000],
        };
    }

    private static Command Silo()
    {
        var connection = ConnectionOptions.Create();
        var model = new Option<string>("--model") { Description = "Model file (.malaria); every node of a job needs the same file.", Required = true };
        var port = new Option<int>("--port") { Description = "Silo-to-silo port.", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Port clients connect to.", DefaultValueFactory = _ => 30000 };
        var address = new Option<string?>("--address") { Description = "Address other machines reach this node at (default: loopback with a local Redis, else this machine's first IPv4)." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var engine = new Option<ScoringEngine>("--engine") { Description = "auto (ONNX Runtime), torchsharp or onnxruntime, as for predict.", DefaultValueFactory = _ => ScoringEngine.Auto };
        var command = new Command("silo", "Run a node that joins the cluster and scores shards until stopped (Ctrl+C).") { model, port, gatewayPort, address, device, engine };
        connection.AddTo(command, client: false);
        command.SetAction(result =>
        {
            var pause = Environment.GetEnvironmentVariable("MALARIAML_TEST_SHARD_PAUSE_MS");
            var options = new SiloOptions
            {
                ModelPath = result.GetValue(model)!,
                Connection = connection.Read(result, client: false),
                SiloPort = result.GetValue(port),
                GatewayPort = result.GetValue(gatewayPort),
                Address = result.GetValue(address),
                Device = result.GetValue(device)!,
                Engine = result.GetValue(engine),
                ShardPause = int.TryParse(pause, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : TimeSpan.Zero,
            };
            using var host = SiloHost.Build(options);
            host.Run();
            return 0;
        });
        return command;
    }

    // A shard is a few seconds to a minute of one node's work either way: a cell takes milliseconds, a field seconds.
    private const int CellShard = 500;
    private const int FieldShard = 20;

    private static Command Run()
    {
        var connection = ConnectionOptions.Create();
        var paths = new Argument<string[]>("paths") { Description = "Image files or folders (searched recursively) on storage every node reads.", Arity = ArgumentArity.OneOrMore };
        var model = new Option<string>("--model") { Description = "Model file (.malaria): the job names its checksum and nodes with another model are refused.", Required = true };
        var output = new Option<string>("--out") { Description = "Job folder on shared storage: job.json, shards/, predictions.csv, patients.csv.", Required = true };
        var shardSize = new Option<int?>("--shard-size") { Description = $"Files per shard (default {CellShard} cells, or {FieldShard} fields with --fields)." };
        var job = new Option<string?>("--job") { Description = "Job id (default: derived from --out, so the same command resumes the job)." };
        var lease = new Option<int>("--lease-seconds") { Description = "Seconds a node may hold a shard before it is handed to another.", DefaultValueFactory = _ => 60 };
        var attempts = new Option<int>("--max-attempts")
        {
            Description = "Attempts a shard gets (a node's error or a lost node each count one) before the job fails naming the shard and the reason.",
            DefaultValueFactory = _ => JobSpec.DefaultMaxAttempts,
        };
        var threshold = new Option<double?>("--threshold") { Description = "Probability at which a cell is called parasitized (default: the model's), as for predict and screen." };
        var fields = new Option<bool>("--fields")
        {
            Description = "The paths are whole field photographs: each node screens its shard as 'malaria screen' does and the job writes screen's cells.csv, fields.csv and patients.csv (no overlays or crops).",
        };
        var diameter = new Option<double?>("--cell-diameter") { Description = "With --fields: red-cell diameter in pixels (default: estimated per field)." };
        var normalize = new Option<bool>("--normalize-color") { Description = "With --fields: move each field's cell colours to the training cells' statistics before classifying." };
        var pattern = new Option<string?>("--patient-pattern") { Description = "With --fields: regular expression on the file name whose first group (or group 'patient') names the patient (default: the parent folder)." };
        var minCells = new Option<int>("--min-cells") { Description = "With --fields: patients with fewer counted cells are flagged.", DefaultValueFactory = _ => new FieldScreeningOptions().MinCells };
        var command = new Command("run", "Submit a job (or resume it), wait for it with progress, and write predict's per-cell and per-patient files (with --fields: screen's tables).")
            { paths, model, output, shardSize, job, lease, attempts, threshold, fields, diameter, normalize, pattern, minCells };
        connection.AddTo(command, client: true);
        command.SetAction(result =>
        {
            var modelPath = result.GetValue(model)!;
            ModelFile.Read(modelPath); // a damaged model is refused here, in one line, not on every node
            var request = new JobRequest
            {
                Files = PredictCommand.Expand(result.GetValue(paths)!),
                OutputDir = result.GetValue(output)!,
                ModelSha256 = ModelChecksum.Of(modelPath),
                JobId = result.GetValue(job),
                ShardSize = result.GetValue(shardSize) ?? (result.GetValue(fields) ? FieldShard : CellShard),
                LeaseSeconds = result.GetValue(lease),
                MaxAttempts = result.GetValue(attempts),
                Threshold = result.GetValue(threshold),
                Fields = result.GetValue(fields)
                    ? new FieldJobSettings(result.GetValue(diameter), result.GetValue(normalize), result.GetValue(pattern))
                    : null,
            };
            if (request.Fields is { PatientPattern: { } regex })
            {
                _ = new FieldPatients(regex); // a bad pattern is refused here, not on every node
            }

            var jobId = request.JobId ?? JobRunner.DefaultJobId(request.OutputDir);
            Console.Error.WriteLine($"job {jobId}: {request.Files.Count} files, model sha256 {request.ModelSha256}");
            var outcome = ConsoleProgress.Run($"job {jobId}", p => RunJob(connection.Read(result, client: true), request, p));
            foreach (var skipped in outcome.Batch.Skipped)
            {
                Console.Error.WriteLine($"skipped {skipped.Path}: {skipped.Reason}");
            }

            var dir = Path.GetFullPath(request.OutputDir);
            if (request.Fields is not null)
            {
                return WriteFieldTables(outcome, dir, result.GetValue(minCells));
            }

            PredictionCsv.WriteCells(Path.Combine(dir, "predictions.csv"), outcome.Batch.Predictions);
            // The model's own patient rule, read from its file: the calls must be predict's.
            var rule = ModelFile.Read(modelPath).Metadata.PatientRule ?? Inference.PatientCalls.PatientRule.AnyParasitizedCell;
            PredictionCsv.WritePatients(Path.Combine(dir, "patients.csv"), Inference.PatientCalls.PatientCall.Summarise(outcome.Batch.Predictions, rule));
            var predictions = outcome.Batch.Predictions;
            AnsiConsole.MarkupLine(Markup.Escape($"job {outcome.JobId}: {predictions.Count} cells scored, {predictions.Count(p => p.IsPositive)} parasitized, " +
                $"{outcome.Batch.Skipped.Count} skipped, {outcome.Shards} shards; wrote {Path.Combine(dir, "predictions.csv")} and patients.csv"));
            return predictions.Count == 0 ? CliErrors.Fail($"no cell could be scored ({request.Files.Count} file(s) given)") : 0;
        });
        return command;
    }

    // Screen's own writer and patient sums over the merged fields, so the tables are screen's byte for byte.
    private static int WriteFieldTables(JobOutcome outcome, string dir, int minCells)
    {
        if (outcome.Fields.Count == 0)
        {
            return CliErrors.Fail($"no field could be screened ({outcome.Batch.Skipped.Count} file(s) unusable)");
        }

        var writer = new ScreenWriter(dir, overlays: false, crops: false, threshold: 0);
        foreach (var field in outcome.Fields)
        {
            writer.AddCells(field);
        }

        var patients = PatientScreening.Summarise(outcome.Fields, minCells);
        writer.WriteTables(outcome.Fields, patients);
        var fields = outcome.Fields;
        AnsiConsole.MarkupLine(Markup.Escape($"job {outcome.JobId}: {fields.Count} fields, {fields.Sum(f => f.Cells)} cells counted, {fields.Sum(f => f.Parasitized)} parasitized, " +
            $"{patients.Count} patient(s), {outcome.Batch.Skipped.Count} skipped, {outcome.Shards} shards; wrote cells.csv, fields.csv and patients.csv in {dir}"));
        return 0;
    }

    private static JobOutcome RunJob(ClusterConnection connection, JobRequest request, IProgress<WorkProgress> progress)
    {
        return Async().GetAwaiter().GetResult();

        async Task<JobOutcome> Async()
        {
            await using var client = await ClusterClientHost.ConnectAsync(connection, TimeSpan.FromMinutes(1));
            var refusals = new HashSet<string>(StringComparer.Ordinal);
            var shardProgress = new Callback<JobProgress>(p =>
            {
                foreach (var refusal in p.Refusals.Where(refusals.Add))
                {
                    Console.Error.WriteLine($"refused a node: {refusal}");
                }

                progress.Report(new WorkProgress("shards", p.ShardsDone, p.Shards));
            });
            return await JobRunner.RunAsync(client.Client, request, shardProgress);
        }
    }

    private static Command Status()
    {
        var connection = ConnectionOptions.Create();
        var job = new Option<string?>("--job") { Description = "Also show this job, finished or not." };
        var command = new Command("status", "List the cluster's nodes and its unfinished jobs.") { job };
        connection.AddTo(command, client: true);
        command.SetAction(result => ShowStatus(connection.Read(result, client: true), result.GetValue(job)).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> ShowStatus(ClusterConnection connection, string? jobId)
    {
        await using var client = await ClusterClientHost.ConnectAsync(connection, TimeSpan.FromSeconds(20));
        var hosts = await client.Client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        Console.WriteLine($"cluster {connection.ClusterId}: {hosts.Count} node(s)");
        foreach (var (silo, status) in hosts.OrderBy(h => h.Key.ToString(), StringComparer.Ordinal))
        {
            Console.WriteLine($"  {silo.Endpoint} {status}");
        }

        var jobs = (await client.Client.GetGrain<IJobBoardGrain>(IJobBoardGrain.Key).Active()).ToList();
        if (jobId is not null && !jobs.Contains(jobId))
        {
            jobs.Add(jobId);
        }

        Console.WriteLine(jobs.Count == 0 ? "no unfinished jobs" : "jobs:");
        foreach (var id in jobs)
        {
            var p = await client.Client.GetGrain<IScoringJobGrain>(id).Progress();
            Console.WriteLine(!p.Exists
                ? $"  {id}: no such job"
                : $"  {id}: {p.ShardsDone}/{p.Shards} shards done, {p.ShardsLeased} being scored, {p.Files} files, model sha256 {p.ModelSha256}{(p.Finished ? ", finished" : "")}");
            foreach (var refusal in p.Refusals)
            {
                Console.WriteLine($"    refused: {refusal}");
            }

            if (p.Failure is { } failure)
            {
                Console.WriteLine($"    failed: {failure}");
            }
        }

        return 0;
    }

    private sealed class Callback<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

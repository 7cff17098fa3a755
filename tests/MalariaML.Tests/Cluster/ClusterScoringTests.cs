using System.Diagnostics;
using System.Text.Json;
using MalariaML.Tests.Inference;
using MalariaML.Tests.Robustness;
using Xunit.Abstractions;

namespace MalariaML.Tests.Cluster;

/// <summary>
/// <c>malaria cluster</c> end to end on loopback: three silo processes sharing a private Redis, a job over 3,000 real
/// cells (the committed sample, repeated under different names). One node is killed with SIGKILL while it holds a
/// shard and another joins; then the whole cluster is killed in the middle of a second job and restarted. Both jobs'
/// merged files must hold every cell once and equal <c>malaria predict</c>'s files byte for byte, and no shard the
/// cluster had finished before the restart may be scored again.
/// </summary>
[Collection("torch")]
public sealed class ClusterScoringTests(ModelFileTests.SavedModel saved, ITestOutputHelper output) : IClassFixture<ModelFileTests.SavedModel>
{
    private const int CellCount = 3000;
    private const int ShardSize = 50;
    private const int Shards = CellCount / ShardSize;

    // Each shard of 50 small cells scores in a fraction of a second; the pause makes the job last long enough for a
    // node to start and join in its middle. The node that gets killed is slower still, so the kill surely lands while
    // it holds a shard.
    private static readonly Dictionary<string, string> SlowShards = new() { ["MALARIAML_TEST_SHARD_PAUSE_MS"] = "1500" };
    private static readonly Dictionary<string, string> SlowerShards = new() { ["MALARIAML_TEST_SHARD_PAUSE_MS"] = "4000" };

    private static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(4);

    [SkippableFact]
    public void A_job_survives_a_killed_node_and_a_whole_cluster_restart_and_equals_predict()
    {
        using var redis = RedisServer.TryStart(out var whyNot);
        Skip.If(redis is null, whyNot);
        using var temp = TestData.NewTempFolder();
        var cellsDir = Path.Combine(temp.Path, "cells");
        var cells = ClusterCells.Write(cellsDir, CellCount);
        var clock = Stopwatch.StartNew();

        var reference = Path.Combine(temp.Path, "predict.csv");
        var referencePatients = Path.Combine(temp.Path, "predict-patients.csv");
        var predict = CliProcess.Run(["predict", "--model", saved.Path, "--out", reference, "--summary", referencePatients, cellsDir], timeout: TimeSpan.FromMinutes(3));
        Assert.True(predict.ExitCode == 0, predict.Transcript);

        using var nodes = new ClusterNodes(redis!.Endpoint, output);
        var (a, b, c) = (nodes.Start(saved.Path, SlowShards), nodes.Start(saved.Path, SlowerShards), nodes.Start(saved.Path, SlowShards));
        ClusterNodes.WaitReady(a, b, c);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: three nodes ready");

        // 1. A node joins during the job and takes shards; a node dies holding a shard, which is scored elsewhere.
        var job1 = Path.Combine(temp.Path, "job1");
        using (var run = StartJob(redis.Endpoint, "job-1", job1, cellsDir))
        {
            // The fourth node starts with the job, not after its first shard: on a loaded machine a node takes longer
            // to start than the three others need for the whole job.
            var d = nodes.Start(saved.Path, SlowShards);
            WaitUntil(() => ClusterNodes.DoneShards(nodes.All, "job-1").Any(), "a first shard of job 1 done", run);
            ClusterNodes.WaitReady(d);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: {d.Name} joined with {ClusterNodes.DoneShards(nodes.All, "job-1").Count()} of {Shards} shards done");
            var before = ClusterNodes.ScoredShards([b], "job-1").Count();
            WaitUntil(() => ClusterNodes.ScoredShards([b], "job-1").Count() > before, $"a shard taken by {b.Name}", run);
            var inFlight = ClusterNodes.ScoredShards([b], "job-1").Last().Shard;
            b.Process.Kill();
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: killed {b.Name} holding shard {inFlight}");
            Assert.True(run.WaitForExit(JobTimeout) == 0, run.Transcript);
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: job 1 finished");

            AssertSameAsPredict(job1, cells, reference, referencePatients);
            Assert.True(ClusterNodes.DoneShards([d], "job-1").Any(), $"{d.Name}, which joined during job 1, scored none of its shards");
            Assert.DoesNotContain(ClusterNodes.DoneShards([b], "job-1"), s => s.Shard == inFlight);
            var lost = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(job1, "shards", $"{inFlight:D5}.json"))).RootElement.GetProperty("node").GetString();
            Assert.True(lost != b.Name, $"shard {inFlight}, lost with {b.Name}, must be scored by another node");
        }

        // 2. The whole cluster (and the waiting client) is killed in the middle of a job, then started again.
        var job2 = Path.Combine(temp.Path, "job2");
        var live = nodes.All.Where(n => !n.Process.HasExited).ToList();
        Assert.Equal(3, live.Count);
        HashSet<int> finished;
        Dictionary<int, DateTime> written;
        using (var run = StartJob(redis.Endpoint, "job-2", job2, cellsDir))
        {
            WaitUntil(() => ClusterNodes.DoneShards(live, "job-2").Count() >= 10, "10 shards of job 2 done", run);
            run.Kill();
            live.ForEach(n => n.Process.Kill());
            finished = ClusterNodes.DoneShards(live, "job-2").Select(s => s.Shard).ToHashSet();
            written = finished.ToDictionary(s => s, s => File.GetLastWriteTimeUtc(Path.Combine(job2, "shards", $"{s:D5}.json")));
            output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: killed the cluster with {finished.Count} of {Shards} shards of job 2 done");
        }

        Assert.True(finished.Count < Shards, "the cluster must be stopped in the middle of job 2");
        var restarted = live.Select(n => nodes.Start(saved.Path, SlowShards, n.SiloPort, n.GatewayPort)).ToList();
        ClusterNodes.WaitReady([.. restarted]);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: the cluster is up again");
        using (var run = StartJob(redis.Endpoint, "job-2", job2, cellsDir))
        {
            Assert.True(run.WaitForExit(JobTimeout) == 0, run.Transcript);
        }

        output.WriteLine($"{clock.Elapsed.TotalSeconds:F0} s: job 2 finished after the restart");
        AssertSameAsPredict(job2, cells, reference, referencePatients);
        var rescored = ClusterNodes.ScoredShards(restarted, "job-2").Where(s => finished.Contains(s.Shard)).ToList();
        Assert.True(rescored.Count == 0, $"finished shards scored again after the restart: {string.Join(", ", rescored)}");
        Assert.NotEmpty(ClusterNodes.DoneShards(restarted, "job-2"));
        foreach (var (shard, time) in written)
        {
            Assert.Equal(time, File.GetLastWriteTimeUtc(Path.Combine(job2, "shards", $"{shard:D5}.json")));
        }
    }

    private CliChild StartJob(string redis, string job, string outDir, string cellsDir) => new($"run {job}",
        ["cluster", "run", "--redis", redis, "--model", saved.Path, "--out", outDir, "--job", job,
         "--shard-size", ShardSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "--lease-seconds", "10", cellsDir]);

    private static void AssertSameAsPredict(string jobDir, IReadOnlyList<string> cells, string reference, string referencePatients)
    {
        var merged = Path.Combine(jobDir, "predictions.csv");
        var rows = File.ReadAllLines(merged).Skip(1).Select(l => l.Split(',')[0]).ToList();
        Assert.Equal(cells.Count, rows.Count);
        Assert.Equal(cells.Order(StringComparer.Ordinal), rows.Order(StringComparer.Ordinal)); // every cell, once
        Assert.Equal(File.ReadAllText(reference), File.ReadAllText(merged));
        Assert.Equal(File.ReadAllText(referencePatients), File.ReadAllText(Path.Combine(jobDir, "patients.csv")));
    }

    private static void WaitUntil(Func<bool> condition, string what, CliChild run)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (run.HasExited)
            {
                throw new InvalidOperationException($"the job ended before {what}\n{run.Transcript}");
            }

            if (clock.Elapsed > JobTimeout)
            {
                throw new TimeoutException($"no {what} within {JobTimeout}\n{run.Transcript}");
            }

            Thread.Sleep(100);
        }
    }
}

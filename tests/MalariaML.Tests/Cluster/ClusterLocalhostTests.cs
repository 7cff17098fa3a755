using System.Globalization;
using MalariaML.Tests.Inference;
using MalariaML.Tests.Robustness;
using Xunit.Abstractions;

namespace MalariaML.Tests.Cluster;

/// <summary>
/// <c>malaria cluster</c> in its one-machine mode (no Redis: one silo on loopback ports, jobs in its memory), so these
/// run wherever the CLI runs. Cells with and without <c>--threshold</c> equal <c>malaria predict</c> byte for byte;
/// whole fields (the committed composed fields), with one of two nodes killed holding a field, equal <c>malaria
/// screen</c>'s tables byte for byte; a shard that fails
/// on every attempt ends the job with the shard and the reason, and the same command resumes once the cause is gone.
/// </summary>
[Collection("torch")]
public sealed class ClusterLocalhostTests(ModelFileTests.SavedModel saved, ITestOutputHelper output) : IClassFixture<ModelFileTests.SavedModel>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(4);

    private static string FieldsRoot => Path.Combine(TestData.RepoRoot, "data", "fields");

    [Fact]
    public void Cells_with_and_without_a_threshold_equal_predict_and_a_shard_that_always_fails_ends_the_job()
    {
        using var temp = TestData.NewTempFolder();
        using var nodes = new ClusterNodes(null, output);
        var node = nodes.Start(saved.Path);

        var reference = Path.Combine(temp.Path, "predict.csv");
        var referencePatients = Path.Combine(temp.Path, "predict-patients.csv");
        Succeeds(CliProcess.Run(["predict", "--model", saved.Path, "--out", reference, "--summary", referencePatients, TestData.SampleRoot], timeout: Timeout));
        ClusterNodes.WaitReady(node);

        var job = Path.Combine(temp.Path, "job");
        Succeeds(Job(node, job, "--shard-size", "50", TestData.SampleRoot));
        Assert.Equal(6, ClusterNodes.DoneShards([node], JobIdOf(job)).Select(s => s.Shard).Distinct().Count());
        Assert.Equal(File.ReadAllText(reference), File.ReadAllText(Path.Combine(job, "predictions.csv")));
        Assert.Equal(File.ReadAllText(referencePatients), File.ReadAllText(Path.Combine(job, "patients.csv")));

        // A threshold in the middle of the scores, so that it changes calls: the job must apply it as predict does.
        var probabilities = File.ReadAllLines(reference).Skip(1).Select(l => l.Split(',')[^1]).Distinct().Order(StringComparer.Ordinal).ToList();
        var threshold = probabilities[probabilities.Count / 2];
        var thresholded = Path.Combine(temp.Path, "predict-t.csv");
        var thresholdedPatients = Path.Combine(temp.Path, "predict-t-patients.csv");
        Succeeds(CliProcess.Run(["predict", "--model", saved.Path, "--threshold", threshold, "--out", thresholded, "--summary", thresholdedPatients, TestData.SampleRoot], timeout: Timeout));
        Assert.NotEqual(File.ReadAllText(reference), File.ReadAllText(thresholded)); // same scores, other calls
        var jobT = Path.Combine(temp.Path, "job-t");
        Succeeds(Job(node, jobT, "--shard-size", "50", "--threshold", threshold, TestData.SampleRoot));
        Assert.Equal(File.ReadAllText(thresholded), File.ReadAllText(Path.Combine(jobT, "predictions.csv")));
        Assert.Equal(File.ReadAllText(thresholdedPatients), File.ReadAllText(Path.Combine(jobT, "patients.csv")));

        // Storage every node fails on: a file where the shard folder must go. Each attempt fails on the node; after
        // the cap the job fails, naming the shard, the cap and the node's reason.
        var blocked = Path.Combine(temp.Path, "job-blocked");
        Directory.CreateDirectory(blocked);
        File.WriteAllText(Path.Combine(blocked, "shards"), "in the way");
        var failed = Job(node, blocked, "--shard-size", "500", "--max-attempts", "2", TestData.SampleRoot);
        Assert.True(failed.ExitCode != 0, failed.Transcript);
        var error = Assert.Single(failed.Stderr, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.Contains("shard 0 failed 2 times (--max-attempts 2)", error, StringComparison.Ordinal);
        Assert.Contains("already exists", error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(blocked, "shards"), error, StringComparison.Ordinal);
        Assert.Equal(2, node.Process.Lines.Count(l => l.Contains($"shard 0 of job {JobIdOf(blocked)} failed: ", StringComparison.Ordinal)));

        // The cause removed, the same command resumes the job with fresh attempts.
        File.Delete(Path.Combine(blocked, "shards"));
        Succeeds(Job(node, blocked, "--shard-size", "500", "--max-attempts", "2", TestData.SampleRoot));
        Assert.Equal(File.ReadAllText(reference), File.ReadAllText(Path.Combine(blocked, "predictions.csv")));
    }

    [Fact]
    public void A_job_of_whole_fields_survives_a_killed_node_and_writes_the_tables_of_screen()
    {
        using var temp = TestData.NewTempFolder();
        using var nodes = new ClusterNodes(null, output);
        var node = nodes.Start(saved.Path);
        // The second node sits on each shard it takes, so it is surely killed holding one.
        var doomed = nodes.Start(saved.Path, new Dictionary<string, string> { ["MALARIAML_TEST_SHARD_PAUSE_MS"] = "600000" });
        var screen = Path.Combine(temp.Path, "screen");
        Succeeds(CliProcess.Run(["screen", "--model", saved.Path, "--no-overlays", "--out", screen, FieldsRoot], timeout: Timeout));
        ClusterNodes.WaitReady(node, doomed);

        // One field per shard: the tables are merged from three shard files, in the order screen lists the fields.
        var job = Path.Combine(temp.Path, "job");
        var jobId = JobIdOf(job);
        CliResult result;
        using (var run = new CliChild("run fields", ["cluster", "run", "--gateway", node.GatewayPort.ToString(CultureInfo.InvariantCulture),
                   "--model", saved.Path, "--out", job, "--fields", "--shard-size", "1", "--lease-seconds", "5", FieldsRoot]))
        {
            run.WaitFor(_ => ClusterNodes.ScoredShards([doomed], jobId).Any(), Timeout, $"a shard taken by {doomed.Name}");
            var lost = ClusterNodes.ScoredShards([doomed], jobId).First().Shard;
            doomed.Process.Kill();
            output.WriteLine($"killed {doomed.Name} holding shard {lost}");
            run.WaitForExit(Timeout);
            result = new CliResult(run.ExitCode, [.. run.Lines], [], null);
            Succeeds(result);
            Assert.Contains(ClusterNodes.DoneShards([node], jobId), s => s.Shard == lost);
        }

        Assert.Equal([0, 1, 2], ClusterNodes.DoneShards([node], jobId).Select(s => s.Shard).Distinct().Order());
        foreach (var table in new[] { "cells.csv", "fields.csv", "patients.csv" })
        {
            Assert.Equal(File.ReadAllText(Path.Combine(screen, table)), File.ReadAllText(Path.Combine(job, table)));
        }

        Assert.Equal(3, File.ReadAllLines(Path.Combine(job, "fields.csv")).Length - 1);
        Assert.True(File.ReadAllLines(Path.Combine(job, "cells.csv")).Length > 100, "the fields hold hundreds of cells");
    }

    private static CliResult Job(ClusterNode node, string outDir, params string[] args)
        => CliProcess.Run(["cluster", "run", "--gateway", node.GatewayPort.ToString(CultureInfo.InvariantCulture), "--model", TestModel(node), "--out", outDir, .. args], timeout: Timeout);

    // The node's own model file: the one it was started with.
    private static string TestModel(ClusterNode node) => node.Process.Args[node.Process.Args.IndexOf("--model") + 1];

    private static string JobIdOf(string outDir) => MalariaML.Cluster.Client.JobRunner.DefaultJobId(outDir);

    private void Succeeds(CliResult result)
    {
        output.WriteLine(result.Transcript);
        Assert.True(result.ExitCode == 0, result.Transcript);
    }
}

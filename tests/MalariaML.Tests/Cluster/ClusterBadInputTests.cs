using MalariaML.Inference;
using MalariaML.Tests.Inference;
using MalariaML.Tests.Robustness;
using Xunit.Abstractions;

namespace MalariaML.Tests.Cluster;

/// <summary>
/// Bad input on a cluster job: a file that vanishes while the job runs and a file that is no image are skipped and
/// named, never fatal; a node whose model differs from the job's is refused by checksum and scores nothing; a damaged
/// model file is refused before anything is submitted.
/// </summary>
[Collection("torch")]
public sealed class ClusterBadInputTests(ModelFileTests.SavedModel saved, ITestOutputHelper output) : IClassFixture<ModelFileTests.SavedModel>
{
    [SkippableFact]
    public void Vanished_and_unreadable_files_are_skipped_and_a_node_with_another_model_is_refused()
    {
        using var redis = RedisServer.TryStart(out var whyNot);
        Skip.If(redis is null, whyNot);
        using var temp = TestData.NewTempFolder();
        var cellsDir = Path.Combine(temp.Path, "cells");
        var cells = ClusterCells.Write(cellsDir, 200);
        var garbage = Path.Combine(cellsDir, "zz", "Parasitized", "C999P999ThinF_IMG_0_cell_1.png");
        Directory.CreateDirectory(Path.GetDirectoryName(garbage)!);
        File.WriteAllText(garbage, "this is not a PNG");
        var vanishing = cells[^1];

        // Same network, another threshold: another model file, so another checksum.
        var otherModel = Path.Combine(temp.Path, "other.malaria");
        using (var model = MalariaModel.Load(saved.Path))
        {
            model.UpdateMetadata(m => m with { Threshold = 0.25 });
            model.Save(otherModel);
        }

        using var nodes = new ClusterNodes(redis!.Endpoint, output);
        var slow = new Dictionary<string, string> { ["MALARIAML_TEST_SHARD_PAUSE_MS"] = "300" };
        var good = nodes.Start(saved.Path, slow);
        var other = nodes.Start(otherModel, slow);
        ClusterNodes.WaitReady(good, other);

        var jobDir = Path.Combine(temp.Path, "job");
        CliResult result;
        using (var run = new CliChild("run", ["cluster", "run", "--redis", redis.Endpoint, "--model", saved.Path, "--out", jobDir, "--job", "bad-input", "--shard-size", "20", cellsDir]))
        {
            run.WaitFor(_ => ClusterNodes.DoneShards(nodes.All, "bad-input").Any(), TimeSpan.FromMinutes(2), "a first shard done");
            File.Delete(vanishing);
            run.WaitForExit(TimeSpan.FromMinutes(3));
            result = new CliResult(run.ExitCode, [.. run.Lines.Where(l => !l.StartsWith("! ", StringComparison.Ordinal))],
                [.. run.Lines.Where(l => l.StartsWith("! ", StringComparison.Ordinal)).Select(l => l[2..])], null);
        }

        output.WriteLine(result.Transcript);
        Assert.True(result.ExitCode == 0, result.Transcript);
        Assert.Contains(result.Stderr, l => l.StartsWith($"skipped {garbage}: ", StringComparison.Ordinal));
        Assert.Contains(result.Stderr, l => l.StartsWith($"skipped {vanishing}: cannot be read", StringComparison.Ordinal));

        // The refusal names the job's model checksum and the node's, on the node and in the job.
        var jobSha = ModelChecksumOf(saved.Path);
        var otherSha = ModelChecksumOf(otherModel);
        Assert.Contains(other.Process.Lines, l => l.Contains("refused", StringComparison.Ordinal) && l.Contains(jobSha, StringComparison.Ordinal) && l.Contains(otherSha, StringComparison.Ordinal));
        Assert.Contains(result.Stderr, l => l.StartsWith("refused a node: ", StringComparison.Ordinal) && l.Contains(jobSha, StringComparison.Ordinal) && l.Contains(other.Name, StringComparison.Ordinal));
        Assert.Empty(ClusterNodes.ScoredShards([other], "bad-input"));

        // What is left equals predict on the folder as it is now (the vanished file gone, the garbage skipped).
        var reference = Path.Combine(temp.Path, "predict.csv");
        var predict = CliProcess.Run(["predict", "--model", saved.Path, "--out", reference, cellsDir], timeout: TimeSpan.FromMinutes(3));
        Assert.True(predict.ExitCode == 0, predict.Transcript);
        Assert.Equal(File.ReadAllText(reference), File.ReadAllText(Path.Combine(jobDir, "predictions.csv")));
        Assert.Equal(cells.Count - 1, File.ReadAllLines(reference).Length - 1);
    }

    [Fact]
    public void A_damaged_model_is_refused_before_a_job_is_submitted_or_a_node_starts()
    {
        using var temp = TestData.NewTempFolder();
        var damaged = Path.Combine(temp.Path, "damaged.malaria");
        var bytes = File.ReadAllBytes(saved.Path);
        File.WriteAllBytes(damaged, bytes[..(bytes.Length / 2)]);
        foreach (var args in new[]
        {
            new[] { "cluster", "run", "--redis", "127.0.0.1:1", "--model", damaged, "--out", Path.Combine(temp.Path, "job"), TestData.SampleRoot },
            ["cluster", "silo", "--redis", "127.0.0.1:1", "--model", damaged],
        })
        {
            var result = CliProcess.Run(args, timeout: TimeSpan.FromMinutes(2));
            Assert.True(result.ExitCode != 0, result.Transcript);
            Assert.Contains(result.Stderr, l => l.StartsWith("error: ", StringComparison.Ordinal) && l.Contains(damaged, StringComparison.Ordinal));
        }
    }

    private static string ModelChecksumOf(string path)
        => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(path)));
}

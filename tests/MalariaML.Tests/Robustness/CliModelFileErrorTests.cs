using System.IO.Compression;
using System.Text.RegularExpressions;
using MalariaML.Inference;
using MalariaML.Tests.Inference;
using Xunit.Abstractions;

namespace MalariaML.Tests.Robustness;

/// <summary>
/// <c>malaria evaluate</c> on every kind of unusable model file (those of <see cref="ModelFileTests"/>, plus empty and
/// missing): a non-zero exit code and one <c>error: ...</c> line naming the file, never a stack trace.
/// </summary>
[Collection("torch")]
public partial class CliModelFileErrorTests(ModelFileTests.SavedModel saved, ITestOutputHelper output) : IClassFixture<ModelFileTests.SavedModel>
{
    [GeneratedRegex(@"^\s+at \S")]
    private static partial Regex StackFrame();

    [Fact]
    public async Task Evaluate_reports_each_bad_model_file_in_one_line_without_a_stack_trace()
    {
        using var temp = TestData.NewTempFolder();
        var good = File.ReadAllBytes(saved.Path);
        var bad = new Dictionary<string, string>
        {
            ["truncated"] = Write(temp, "truncated.malaria", good[..(good.Length * 2 / 3)]),
            ["not a zip"] = Write(temp, "text.malaria", "hello, I am not a model"u8.ToArray()),
            ["missing entry"] = Rewrite(temp, "missing.malaria", good, zip => zip.GetEntry(TorchCellScorer.WeightsEntry)!.Delete()),
            ["tampered byte"] = Rewrite(temp, "tampered.malaria", good, ModelFileEdits.TamperWeights),
            ["newer version"] = Rewrite(temp, "newer.malaria", good, zip => ModelFileEdits.EditMetadata(zip, m => m["formatVersion"] = ModelFile.CurrentFormatVersion + 1)),
            ["wrong shape"] = Rewrite(temp, "shape.malaria", good, zip => ModelFileEdits.EditMetadata(zip, m => { m["inputWidth"] = 64; m["inputHeight"] = 64; }, reseal: true)),
            ["empty"] = Write(temp, "empty.malaria", []),
            ["missing"] = Path.Combine(temp.Path, "absent.malaria"),
        };

        // Independent child processes: run them side by side.
        var runs = bad.ToDictionary(b => b.Key, b => Task.Run(() =>
            CliProcess.Run(["evaluate", "--model", b.Value, "--data", TestData.SampleRoot], timeout: TimeSpan.FromMinutes(3))));
        await Task.WhenAll(runs.Values);

        var problems = new List<string>();
        foreach (var (kind, path) in bad)
        {
            var result = await runs[kind];
            var errors = result.Stderr.Where(l => l.StartsWith("error: ", StringComparison.Ordinal)).ToList();
            output.WriteLine($"{kind,-14} exit {result.ExitCode}: {string.Join(" | ", errors)}");
            var wrong = new List<string>();
            if (result.ExitCode == 0)
            {
                wrong.Add("exit code 0");
            }

            if (errors.Count != 1)
            {
                wrong.Add($"{errors.Count} 'error:' lines");
            }
            else if (!errors[0].Contains(path, StringComparison.Ordinal))
            {
                wrong.Add("the error line does not name the file");
            }

            if (result.Stderr.Concat(result.Stdout).Any(l => StackFrame().IsMatch(l) || l.Contains("Unhandled exception", StringComparison.Ordinal)))
            {
                wrong.Add("a stack trace");
            }

            if (wrong.Count > 0)
            {
                problems.Add($"{kind}: {string.Join(", ", wrong)}\n{result.Transcript}");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n\n", problems));
    }

    private static string Write(TempFolder temp, string name, byte[] bytes)
    {
        var path = Path.Combine(temp.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Rewrite(TempFolder temp, string name, byte[] good, Action<ZipArchive> change)
    {
        var path = Write(temp, name, good);
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Update))
        {
            change(zip);
        }

        return path;
    }

}

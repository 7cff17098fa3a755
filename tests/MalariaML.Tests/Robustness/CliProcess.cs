using System.Diagnostics;

namespace MalariaML.Tests.Robustness;

/// <summary>What a child run of the command line printed and how it ended.</summary>
/// <param name="ExitCode">Exit code (137 after SIGKILL).</param>
/// <param name="Stdout">Standard output, line by line.</param>
/// <param name="Stderr">Standard error, line by line.</param>
/// <param name="KilledAt">The line on which the test killed the process; null when it ran to its end.</param>
public sealed record CliResult(int ExitCode, IReadOnlyList<string> Stdout, IReadOnlyList<string> Stderr, string? KilledAt)
{
    /// <summary>All output, for failure messages.</summary>
    public string Transcript => $"exit code {ExitCode}\n--- stdout ---\n{string.Join("\n", Stdout)}\n--- stderr ---\n{string.Join("\n", Stderr)}";
}

/// <summary>
/// Runs the command line (<c>malaria.dll</c>, built before the tests through a project reference) in a child process,
/// reading its output line by line and, when asked, killing it with SIGKILL the moment a given line appears, as a power
/// cut or the OOM killer would: no handler, no flush, no cleanup runs.
/// </summary>
internal static class CliProcess
{
    /// <summary>The CLI built in the same configuration as the tests: <c>src/MalariaML.Cli/bin/CONFIG/TFM/malaria.dll</c>.</summary>
    public static string MalariaDll { get; } = FindCli();

    /// <summary>Runs <c>malaria ARGS</c> to its end, or until <paramref name="killWhen"/> matches a line of stdout or stderr.</summary>
    /// <param name="args">Arguments after <c>malaria</c>.</param>
    /// <param name="environment">Extra environment variables.</param>
    /// <param name="killWhen">Kills the process (SIGKILL) on the first line it accepts; it sees lines in order per stream.</param>
    /// <param name="timeout">Longest the run may take; it is killed and the test fails after that.</param>
    /// <param name="observe">Sees each line with the running process (e.g. to read its memory from /proc) as it arrives.</param>
    public static CliResult Run(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null,
        Func<string, bool>? killWhen = null, TimeSpan? timeout = null, Action<string, Process>? observe = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = TestData.RepoRoot,
        };
        start.ArgumentList.Add(MalariaDll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment.Remove("MALARIAML_TEST_PAUSE_BEFORE_RENAME_MS");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var gate = new Lock();
        var stdout = new List<string>();
        var stderr = new List<string>();
        string? killedAt = null;
        using var process = new Process { StartInfo = start };

        void OnLine(string? line, List<string> into)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                into.Add(line);
                observe?.Invoke(line, process);
                if (killWhen is not null && killedAt is null && killWhen(line))
                {
                    killedAt = line;
                    try
                    {
                        process.Kill(); // SIGKILL on Linux and macOS
                    }
                    catch (InvalidOperationException)
                    {
                        // Already gone.
                    }
                }
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data, stdout);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data, stderr);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var limit = timeout ?? TimeSpan.FromMinutes(5);
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            lock (gate)
            {
                throw new TimeoutException($"malaria {string.Join(' ', args)} did not finish within {limit}\n" +
                    new CliResult(-1, stdout.ToList(), stderr.ToList(), killedAt).Transcript);
            }
        }

        process.WaitForExit(); // drains the output readers
        lock (gate)
        {
            return new CliResult(process.ExitCode, stdout.ToList(), stderr.ToList(), killedAt);
        }
    }

    private static string FindCli()
    {
        // The tests run from tests/MalariaML.Tests/bin/CONFIG/TFM/; the CLI is built to the same CONFIG/TFM.
        var testBin = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        var dll = Path.Combine(TestData.RepoRoot, "src", "MalariaML.Cli", "bin", configuration, framework, "malaria.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"the command line is not built at {dll}; build tests/MalariaML.Tests (it references src/MalariaML.Cli)", dll);
        }

        return dll;
    }
}

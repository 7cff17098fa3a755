using System.Diagnostics;
using MalariaML.Tests.Robustness;

namespace MalariaML.Tests.Cluster;

/// <summary>
/// A long-running <c>malaria</c> child process (a silo, or a job that runs while nodes die): its output collected line
/// by line, waited on for a given line, killed with SIGKILL on request, and always killed on dispose.
/// </summary>
internal sealed class CliChild : IDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];
    private readonly SemaphoreSlim _changed = new(0);

    public CliChild(string name, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        Name = name;
        Args = args.ToList();
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = TestData.RepoRoot,
        };
        start.ArgumentList.Add(CliProcess.MalariaDll);
        Args.ForEach(start.ArgumentList.Add);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Add(e.Data, "");
        _process.ErrorDataReceived += (_, e) => Add(e.Data, "! ");
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public List<string> Args { get; }

    /// <summary>Output so far; stderr lines start with "! ".</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return _lines.ToList();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Transcript => $"--- {Name}: malaria {string.Join(' ', Args)} ---\n{string.Join("\n", Lines)}";

    /// <summary>Waits until a line matches; fails with the transcript when the process ends first or time runs out.</summary>
    public string WaitFor(Func<string, bool> match, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            if (_process.HasExited)
            {
                _process.WaitForExit();
                if (Lines.FirstOrDefault(match) is { } last)
                {
                    return last;
                }

                throw new InvalidOperationException($"{Name} exited ({_process.ExitCode}) before {what}\n{Transcript}");
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{Name}: no {what} within {timeout}\n{Transcript}");
            }

            _changed.Wait(TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Waits for the process to end; kills it and fails after <paramref name="timeout"/>.</summary>
    public int WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            throw new TimeoutException($"{Name} did not finish within {timeout}\n{Transcript}");
        }

        _process.WaitForExit(); // drains the output readers
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no handler, no flush, no goodbye to the cluster.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        _changed.Dispose();
    }

    private void Add(string? line, string prefix)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(prefix + line);
        }

        _changed.Release();
    }
}

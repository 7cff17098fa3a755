namespace MalariaML.Cluster.Silo;

/// <summary>
/// The node's own progress lines (stdout) and problems (stderr), one line each and flushed at once, so an operator
/// (or a test) following the output sees a shard the moment it is done. Orleans' own logging stays at warnings.
/// </summary>
public sealed class NodeConsole(TextWriter output, TextWriter error)
{
    private readonly Lock _lock = new();

    /// <summary>Writes to the process's stdout and stderr.</summary>
    public NodeConsole() : this(Console.Out, Console.Error)
    {
    }

    /// <summary>A progress line.</summary>
    public void Line(string text)
    {
        lock (_lock)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }

    /// <summary>A problem the node carries on through.</summary>
    public void Error(string text)
    {
        lock (_lock)
        {
            error.WriteLine(text);
            error.Flush();
        }
    }
}

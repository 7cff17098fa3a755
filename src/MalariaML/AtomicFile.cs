namespace MalariaML;

/// <summary>
/// Writes files so that a reader sees either the old content or the new, never half of it: a crash or a kill during
/// a save must not cost a user a model or a split.
/// </summary>
/// <remarks>
/// Test-only hook: when the environment variable <c>MALARIAML_TEST_PAUSE_BEFORE_RENAME_MS</c> holds a number of
/// milliseconds, every write prints <c>[test] pausing before renaming TEMP to PATH</c> on stderr and waits that long
/// with the new content complete in the temporary file, so that tests can kill the process in the window a power cut
/// could hit. Never set it outside tests.
/// </remarks>
internal static class AtomicFile
{
    private static readonly int TestPauseBeforeRenameMs =
        int.TryParse(Environment.GetEnvironmentVariable("MALARIAML_TEST_PAUSE_BEFORE_RENAME_MS"), out var ms) ? ms : 0;

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> through a temporary file in the same folder, flushed, then renamed.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var bytesCopy = bytes.ToArray();
        Write(path, s => s.Write(bytesCopy));
    }

    /// <summary>Writes a file through <paramref name="write"/> into a temporary file, flushed to disk, then renamed over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        RemoveStaleTemporaries(dir, Path.GetFileName(full));
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            if (TestPauseBeforeRenameMs > 0)
            {
                Console.Error.WriteLine($"[test] pausing before renaming {temp} to {full}");
                Thread.Sleep(TestPauseBeforeRenameMs);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>
    /// Deletes temporary files left by earlier writers of the same file that were killed before their rename
    /// (a checkpoint can be hundreds of megabytes); files of writers still running are left alone.
    /// </summary>
    private static void RemoveStaleTemporaries(string dir, string fileName)
    {
        foreach (var stale in Directory.EnumerateFiles(dir, $".{fileName}.*.tmp"))
        {
            var parts = Path.GetFileName(stale)[(fileName.Length + 2)..].Split('.');
            if (parts.Length == 3 && int.TryParse(parts[0], out var pid) && pid != Environment.ProcessId && !IsRunning(pid))
            {
                try
                {
                    File.Delete(stale);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

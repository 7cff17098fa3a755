using System.Collections.Concurrent;
using System.Security.Cryptography;
using MalariaML.Server.Uploads;

namespace MalariaML.Server.Jobs;

/// <summary>
/// The jobs in memory and their folders under one private work folder (mode 0700). Ids are random (128 bits); a job
/// and its cells are only ever found for their owner, and every file name under the work folder is made here.
/// </summary>
public sealed class JobStore : IDisposable
{
    private readonly ConcurrentDictionary<string, Job> _jobs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Job Job, int Index)> _cells = new(StringComparer.Ordinal);
    private readonly bool _ownsRoot;

    /// <summary>Creates the work folder.</summary>
    public JobStore(ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _ownsRoot = options.WorkDirectory is null;
        Root = options.WorkDirectory ?? Path.Combine(Path.GetTempPath(), "malariaml-serve-" + NewId());
        CreatePrivateDirectory(Root);
    }

    /// <summary>The private work folder.</summary>
    public string Root { get; }

    /// <summary>The options.</summary>
    public ServeOptions Options { get; }

    /// <summary>Jobs held now.</summary>
    public int Count => _jobs.Count;

    /// <summary>A random id: 128 bits as 32 lowercase hex digits.</summary>
    public static string NewId() => Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>Creates a job for <paramref name="owner"/> and stores its cells in the job's folder.</summary>
    public Job Create(string owner, IReadOnlyList<UploadedCell> cells)
    {
        var id = NewId();
        var folder = Path.Combine(Root, id);
        CreatePrivateDirectory(folder);
        var job = new Job(id, owner, folder, cells.Select(c => new StoredCell(c.File, c.Patient)).ToList(), cells.Select(_ => NewId()).ToList());
        for (var i = 0; i < cells.Count; i++)
        {
            File.WriteAllBytes(job.CellPath(i), cells[i].Data);
            _cells[job.CellIds[i]] = (job, i);
        }

        _jobs[id] = job;
        return job;
    }

    /// <summary>The job with this id if <paramref name="owner"/> created it; null otherwise (same answer whether it exists or not).</summary>
    public Job? Find(string id, string owner)
        => _jobs.TryGetValue(id, out var job) && OwnedBy(job, owner) ? job : null;

    /// <summary>The cell with this id if <paramref name="owner"/> uploaded it.</summary>
    public (Job Job, int Index)? FindCell(string id, string owner)
        => _cells.TryGetValue(id, out var cell) && OwnedBy(cell.Job, owner) ? cell : null;

    /// <summary>Removes a job and its folder.</summary>
    public void Remove(Job job)
    {
        ArgumentNullException.ThrowIfNull(job);
        _jobs.TryRemove(job.Id, out _);
        foreach (var cellId in job.CellIds)
        {
            _cells.TryRemove(cellId, out _);
        }

        TryDelete(job.Folder);
    }

    /// <summary>Removes jobs finished more than <see cref="ServeOptions.ResultLifetime"/> ago (and any older than 4 lifetimes).</summary>
    public int RemoveExpired(DateTimeOffset now)
    {
        var expired = _jobs.Values.Where(j => (j.Finished is { } f && now - f > Options.ResultLifetime) || now - j.Created > 4 * Options.ResultLifetime).ToList();
        foreach (var job in expired)
        {
            Remove(job);
        }

        return expired.Count;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var job in _jobs.Values.ToList())
        {
            Remove(job);
        }

        if (_ownsRoot)
        {
            TryDelete(Root);
        }
    }

    private static bool OwnedBy(Job job, string owner)
        => System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
            System.Text.Encoding.UTF8.GetBytes(job.Owner), System.Text.Encoding.UTF8.GetBytes(owner));

    private static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
        catch (IOException)
        {
            // Busy (a heat map being written); the next sweep retries.
        }
    }
}

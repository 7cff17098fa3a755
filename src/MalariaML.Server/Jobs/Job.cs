namespace MalariaML.Server.Jobs;

/// <summary>
/// One upload: its private folder (cells stored under the job's own numbering, never the client's names), its owner
/// and its progress. Mutable state is changed by the job's own task only and read through <see cref="Status"/>.
/// </summary>
public sealed class Job
{
    private readonly Lock _gate = new();
    private string _state = "queued";
    private int _done;
    private PredictionResult? _result;
    private string? _error;

    internal Job(string id, string owner, string folder, IReadOnlyList<StoredCell> cells, IReadOnlyList<string> cellIds)
    {
        Id = id;
        Owner = owner;
        Folder = folder;
        Cells = cells;
        CellIds = cellIds;
        Created = DateTimeOffset.UtcNow;
    }

    /// <summary>Random id (128 bits, hex).</summary>
    public string Id { get; }

    /// <summary>The client that created the job (its random client cookie); nobody else sees it.</summary>
    public string Owner { get; }

    /// <summary>The job's private folder.</summary>
    public string Folder { get; }

    /// <summary>The uploaded cells' names and patients (their bytes are in the job's folder, not in memory).</summary>
    public IReadOnlyList<StoredCell> Cells { get; }

    /// <summary>Random id per cell, same order as <see cref="Cells"/>.</summary>
    public IReadOnlyList<string> CellIds { get; }

    /// <summary>When the job was created.</summary>
    public DateTimeOffset Created { get; }

    /// <summary>When it finished or failed (null while running); expiry counts from here.</summary>
    public DateTimeOffset? Finished { get; private set; }

    /// <summary>The result once done.</summary>
    public PredictionResult? Result { get { lock (_gate) { return _result; } } }

    /// <summary>A snapshot of the job's state.</summary>
    public JobStatus Status()
    {
        lock (_gate)
        {
            return new JobStatus(Id, _state, _done, Cells.Count, _result, _error);
        }
    }

    internal void Progress(int done)
    {
        lock (_gate)
        {
            _state = "running";
            _done = done;
        }
    }

    internal void Complete(PredictionResult result)
    {
        lock (_gate)
        {
            (_state, _done, _result, Finished) = ("done", Cells.Count, result, DateTimeOffset.UtcNow);
        }
    }

    internal void Fail(string error)
    {
        lock (_gate)
        {
            (_state, _error, Finished) = ("failed", error, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>The stored file of cell <paramref name="index"/> (named by the job, not the client).</summary>
    internal string CellPath(int index) => Path.Combine(Folder, $"{index:D6}.cell");

    /// <summary>The cached heat map of cell <paramref name="index"/>.</summary>
    internal string HeatmapPath(int index) => Path.Combine(Folder, $"{index:D6}.heatmap.png");

    /// <summary>The field-cells CSV (the columns of <c>malaria screen</c>'s cells.csv), when the upload held fields.</summary>
    internal string FieldCellsPath => Path.Combine(Folder, "field-cells.csv");

    /// <summary>The stored overlay of field <paramref name="index"/>.</summary>
    internal string FieldPath(int index) => Path.Combine(Folder, $"field{index:D4}.png");
}

/// <summary>A cell of a job: its display name and patient; the image itself is stored in the job's folder.</summary>
public sealed record StoredCell(string File, string Patient);

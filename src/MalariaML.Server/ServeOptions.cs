using MalariaML.Data;

namespace MalariaML.Server;

/// <summary>
/// Everything <c>malaria serve</c> can be told, with safe defaults: loopback only, bounded requests, bounded queue,
/// results kept for an hour. Every limit is enforced before the data it guards is read or allocated.
/// </summary>
public sealed record ServeOptions
{
    /// <summary>Addresses to listen on, separated by <c>;</c>. Default <c>http://127.0.0.1:5080</c> (this machine only).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>
    /// Key every API call must carry (header <c>X-Api-Key</c> or <c>Authorization: Bearer KEY</c>). Required when
    /// <see cref="Urls"/> binds anything but loopback; optional on loopback (then enforced when set). Default none;
    /// the CLI also reads <c>MALARIA_API_KEY</c>.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>Largest request body in bytes. Default 64 MiB. Larger: 413.</summary>
    public long MaxRequestBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>Most files (form field <c>files</c>) per request. Default 500. More: 413.</summary>
    public int MaxFilesPerRequest { get; init; } = 500;

    /// <summary>Most cells in one request, loose and from zips together. Default 20,000. More: 413.</summary>
    public int MaxCellsPerRequest { get; init; } = 20_000;

    /// <summary>Largest image by its header (width x height). Default 4096 x 4096, the library's limit. Larger: refused before decoding.</summary>
    public long MaxImagePixels { get; init; } = ImageLimits.MaxCellPixels;

    /// <summary>Most entries in one zip (folders included). Default 20,000. More: 413, before any entry is read.</summary>
    public int MaxZipEntries { get; init; } = 20_000;

    /// <summary>Most bytes all entries of one request's zips may expand to (counted while inflating, not trusted from the header). Default 512 MiB. More: 413 (zip bomb).</summary>
    public long MaxZipUncompressedBytes { get; init; } = 512L * 1024 * 1024;

    /// <summary>Largest single file, uploaded or inside a zip. Default 32 MiB. Larger: 413.</summary>
    public long MaxFileBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>
    /// Images whose longer side is over this many pixels are segmented as possible whole-field photos (NIH's cell crops
    /// are at most 394 px, median 139). Default 400. Smaller images are always single cells.
    /// </summary>
    public int FieldMinSide { get; init; } = 400;

    /// <summary>
    /// A segmented image is a field when it holds at least this many red cells (counted or cut by the border);
    /// otherwise it is scored as one large cell. Default 2.
    /// </summary>
    public int FieldMinCells { get; init; } = 2;

    /// <summary>Requests of at most this many cells are answered at once; larger ones become jobs to poll. Default 256.</summary>
    public int SynchronousCellLimit { get; init; } = 256;

    /// <summary>Scoring work items (requests, or chunks of a job) that may wait for the model. Default 64. Full: 503 with Retry-After.</summary>
    public int QueueCapacity { get; init; } = 64;

    /// <summary>Jobs (large requests) running at once. Default 2. More: 503 with Retry-After.</summary>
    public int MaxRunningJobs { get; init; } = 2;

    /// <summary>How long uploads and results are kept after they are finished. Default 1 hour.</summary>
    public TimeSpan ResultLifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Private folder (mode 0700) for uploads and results, one subfolder per job under a random id; deleted when the
    /// server stops. Default a new folder under the system's temporary folder.
    /// </summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Name shown for the model (default: its file name).</summary>
    public string ModelName { get; init; } = "model";

    /// <summary>Whether every address in <see cref="Urls"/> is a loopback address (127.0.0.0/8, ::1, localhost).</summary>
    public bool IsLoopbackOnly => Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).All(IsLoopbackUrl);

    /// <summary>Refuses inconsistent options with a <see cref="MalariaMLException"/> naming the option.</summary>
    public void Validate()
    {
        if (!IsLoopbackOnly && string.IsNullOrWhiteSpace(ApiKey))
        {
            throw new MalariaMLException($"--urls {Urls} listens beyond this machine: set an API key (--api-key or MALARIA_API_KEY)");
        }

        if (ApiKey is { Length: < 16 } && !IsLoopbackOnly)
        {
            throw new MalariaMLException("the API key must have at least 16 characters when the server listens beyond this machine");
        }

        Positive(MaxRequestBytes, "--max-request-mb");
        Positive(MaxFilesPerRequest, "--max-files");
        Positive(MaxCellsPerRequest, "--max-cells");
        Positive(MaxImagePixels, "--max-image-pixels");
        Positive(MaxZipEntries, "--max-zip-entries");
        Positive(MaxZipUncompressedBytes, "--max-zip-mb");
        Positive(MaxFileBytes, "--max-file-mb");
        Positive(QueueCapacity, "--queue");
        Positive(MaxRunningJobs, "--max-jobs");
        Positive(SynchronousCellLimit, "synchronous cell limit");
        Positive(FieldMinSide, "--field-min-side");
        Positive(FieldMinCells, "--field-min-cells");
        if (ResultLifetime <= TimeSpan.Zero)
        {
            throw new MalariaMLException("--keep-minutes must be positive");
        }
    }

    private static void Positive(long value, string name)
    {
        if (value <= 0)
        {
            throw new MalariaMLException($"{name} must be positive, got {value}");
        }
    }

    private static bool IsLoopbackUrl(string url)
    {
        if (!Uri.TryCreate(url.Replace("://*", "://wildcard", StringComparison.Ordinal).Replace("://+", "://wildcard", StringComparison.Ordinal), UriKind.Absolute, out var uri))
        {
            return false;
        }

        return uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }
}

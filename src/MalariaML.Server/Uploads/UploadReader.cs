using System.IO.Compression;
using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Server.Fields;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using SkiaSharp;

namespace MalariaML.Server.Uploads;

/// <summary>
/// Reads a multipart upload (form field <c>files</c>, repeated) into cells, enforcing every limit of
/// <see cref="ServeOptions"/> while reading: request size, files per request, file size, cells per request, zip
/// entries and the bytes zips expand to (counted while inflating, so a lying header does not help a zip bomb).
/// Files are recognised by content. Names from the client or a zip are display strings only: nothing is ever written
/// under them, and a zip entry that points outside its archive (zip slip) fails the request.
/// </summary>
public sealed class UploadReader
{
    private readonly ServeOptions _options;
    private readonly FieldReader? _fields;

    /// <summary>Creates a reader for the given limits; with <paramref name="fields"/>, large images are checked for whole fields.</summary>
    public UploadReader(ServeOptions options, FieldReader? fields = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _fields = fields;
    }

    /// <summary>Reads the request's files.</summary>
    /// <exception cref="UploadException">The request breaks a limit or is not a multipart upload.</exception>
    public async Task<Upload> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > _options.MaxRequestBytes)
        {
            throw new UploadException(413, $"the request has {request.ContentLength:N0} bytes, over the limit of {_options.MaxRequestBytes:N0}");
        }

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw new UploadException(415, "send the images as multipart/form-data, form field 'files'");
        }

        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            throw new UploadException(400, "the multipart boundary is missing or too long");
        }

        var state = new ReadState();
        var body = new LimitedStream(request.Body, _options.MaxRequestBytes, $"the request is over the limit of {_options.MaxRequestBytes:N0} bytes");
        var reader = new MultipartReader(boundary, body);
        var files = 0;
        try
        {
            for (var section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false);
                 section is not null;
                 section = await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !string.Equals(HeaderUtilities.RemoveQuotes(disposition.Name).Value, "files", StringComparison.Ordinal))
                {
                    continue; // other form fields are ignored; the reader skips their bodies
                }

                if (++files > _options.MaxFilesPerRequest)
                {
                    throw new UploadException(413, $"more than {_options.MaxFilesPerRequest:N0} files in one request");
                }

                var name = DisplayName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value, files);
                var data = await ReadAllAsync(new LimitedStream(section.Body, _options.MaxFileBytes, $"{name} is over the file limit of {_options.MaxFileBytes:N0} bytes"), cancellationToken).ConfigureAwait(false);
                Add(state, name, data, insideZip: false);
            }
        }
        catch (InvalidDataException e)
        {
            throw new UploadException(400, $"the multipart body is malformed ({e.Message})");
        }
        catch (IOException e) when (e.InnerException is UploadException inner)
        {
            throw inner;
        }

        if (files == 0)
        {
            throw new UploadException(400, "no files: send them in the form field 'files'");
        }

        return new Upload(state.Cells, state.Errors, state.Fields);
    }

    private void Add(ReadState state, string name, byte[] data, bool insideZip, string? folder = null)
    {
        switch (ContentSniffer.Sniff(data))
        {
            case ContentKind.Zip when insideZip:
                state.Errors.Add(new FileError(name, "a zip inside a zip is not opened"));
                break;
            case ContentKind.Zip:
                Expand(state, name, data);
                break;
            case ContentKind.Image when _fields is not null && MayBeField(data):
                var patient = folder ?? PatientKey.Parse(LastSegment(name));
                FieldCut? cut;
                try
                {
                    cut = _fields.Cut(data, name);
                }
                catch (FieldException e)
                {
                    state.Errors.Add(new FileError(name, e.Reason));
                    break;
                }

                if (cut is null)
                {
                    AddCell(state, new UploadedCell(name, patient, data)); // a large picture of one cell
                    break;
                }

                if (cut.Crops.Count == 0)
                {
                    state.Errors.Add(new FileError(name, $"a field with {cut.Segmentation.Objects.Count} objects but no whole red cell to count"));
                }

                state.Fields.Add(new UploadedField(name, patient, data, cut, state.Cells.Count));
                foreach (var (cell, png) in cut.Crops)
                {
                    AddCell(state, new UploadedCell($"{name}/cell_{cell.Id}.png", patient, png) { FieldCell = cell.Id });
                }

                break;
            case ContentKind.Image:
                AddCell(state, new UploadedCell(name, folder ?? PatientKey.Parse(LastSegment(name)), data));
                break;
            default:
                state.Errors.Add(new FileError(name, $"not an image or a zip (content {ContentSniffer.Describe(data)})"));
                break;
        }
    }

    private void AddCell(ReadState state, UploadedCell cell)
    {
        if (state.Cells.Count >= _options.MaxCellsPerRequest)
        {
            throw new UploadException(413, $"more than {_options.MaxCellsPerRequest:N0} cells in one request");
        }

        state.Cells.Add(cell);
    }

    private bool MayBeField(byte[] data)
    {
        using var codec = SKCodec.Create(new SKMemoryStream(data));
        return codec is not null && _fields!.MayBeField(codec.Info.Width, codec.Info.Height);
    }

    private void Expand(ReadState state, string zipName, byte[] data)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(new MemoryStream(data, writable: false), ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            state.Errors.Add(new FileError(zipName, $"not a readable zip ({e.Message})"));
            return;
        }

        using (zip)
        {
            if (zip.Entries.Count > _options.MaxZipEntries)
            {
                throw new UploadException(413, $"{zipName} has {zip.Entries.Count:N0} entries, over the limit of {_options.MaxZipEntries:N0}");
            }

            foreach (var entry in zip.Entries)
            {
                if (IsOutsideArchive(entry.FullName))
                {
                    throw new UploadException(400, $"{zipName}: entry '{Printable(entry.FullName)}' points outside the archive (zip slip); refused");
                }
            }

            foreach (var entry in zip.Entries)
            {
                var entryName = entry.FullName.Replace('\\', '/');
                if (entryName.EndsWith('/'))
                {
                    continue;
                }

                var display = $"{zipName}/{Printable(entryName)}";
                if (entry.Length > _options.MaxFileBytes)
                {
                    throw new UploadException(413, $"{display} expands to {entry.Length:N0} bytes, over the file limit of {_options.MaxFileBytes:N0}");
                }

                var budget = _options.MaxZipUncompressedBytes - state.ZipBytes;
                byte[] bytes;
                try
                {
                    using var entryStream = entry.Open();
                    // Both limits are counted on the inflated bytes: the sizes in a zip's headers are the sender's word.
                    var limit = Math.Min(_options.MaxFileBytes, budget);
                    var message = budget <= _options.MaxFileBytes
                        ? $"the zips in this request expand to more than {_options.MaxZipUncompressedBytes:N0} bytes (zip bomb?); refused"
                        : $"{display} expands to more than the file limit of {_options.MaxFileBytes:N0} bytes; refused";
                    bytes = ReadAll(new LimitedStream(entryStream, limit, message));
                }
                catch (InvalidDataException e)
                {
                    state.Errors.Add(new FileError(display, $"corrupt zip entry ({e.Message})"));
                    continue;
                }

                state.ZipBytes += bytes.Length;
                var parts = entryName.Split('/', StringSplitOptions.RemoveEmptyEntries);
                // One folder per patient: the folder holding the cell names the patient.
                var folder = parts.Length >= 2 ? Printable(parts[^2]) : null;
                Add(state, display, bytes, insideZip: true, folder);
            }
        }
    }

    /// <summary>Whether a zip entry name would leave a folder it were extracted to (absolute, drive, or <c>..</c>).</summary>
    internal static bool IsOutsideArchive(string entryName)
    {
        var name = entryName.Replace('\\', '/');
        if (name.StartsWith('/') || name.Contains('\0') || (name.Length >= 2 && name[1] == ':'))
        {
            return true;
        }

        return name.Split('/').Any(part => part == "..");
    }

    private static string DisplayName(string? clientName, int index)
    {
        // Only the last segment of whatever the client says, as text: it never reaches the file system.
        var name = Printable(LastSegment(clientName ?? ""));
        return string.IsNullOrWhiteSpace(name) ? $"file{index}" : name;
    }

    private static string LastSegment(string name) => name[(name.LastIndexOfAny(['/', '\\']) + 1)..];

    private static string Printable(string text)
    {
        var clean = new string(text.Where(c => !char.IsControl(c)).ToArray());
        return clean.Length <= 255 ? clean : clean[..255];
    }

    private static async Task<byte[]> ReadAllAsync(Stream stream, CancellationToken cancellationToken)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
        return copy.ToArray();
    }

    private static byte[] ReadAll(Stream stream)
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private sealed class ReadState
    {
        public List<UploadedCell> Cells { get; } = [];

        public List<FileError> Errors { get; } = [];

        public List<UploadedField> Fields { get; } = [];

        public long ZipBytes { get; set; }
    }
}

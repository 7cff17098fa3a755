using System.Globalization;
using System.Text;
using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Explanations;
using MalariaML.Fields;
using MalariaML.Inference;
using MalariaML.Server.Fields;
using MalariaML.Server.Scoring;
using MalariaML.Server.Uploads;
using Microsoft.Extensions.Hosting;

namespace MalariaML.Server.Jobs;

/// <summary>
/// Turns uploads into results: small uploads are scored at once (one work item, one forward pass per model batch),
/// large ones become jobs scored in chunks in the background; heat maps are made on first request and cached.
/// </summary>
public sealed class PredictionService
{
    /// <summary>Cells per work item of a job: bounds the memory of decoded cells and lets other requests in between.</summary>
    public const int JobChunk = 256;

    private readonly MalariaModel _model;
    private readonly ICellBatchScorer _scorer;
    private readonly JobStore _store;
    private readonly ServeOptions _options;
    private readonly GradCamExplainer? _explainer;
    private readonly CancellationToken _stopping;
    private readonly ImageLoadOptions _loadOptions;
    private readonly FieldReader? _fields;
    private int _runningJobs;

    /// <summary>Creates the service around the one shared model.</summary>
    public PredictionService(MalariaModel model, ICellBatchScorer scorer, JobStore store, ServeOptions options, IHostApplicationLifetime? lifetime = null, FieldReader? fields = null)
    {
        _fields = fields;
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _scorer = scorer ?? throw new ArgumentNullException(nameof(scorer));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        _loadOptions = model.LoadOptions with { MaxImagePixels = options.MaxImagePixels };
        if (GradCamExplainer.IsSupported(model, out var reason))
        {
            _explainer = new GradCamExplainer(model);
        }
        else
        {
            HeatmapUnavailableReason = reason;
        }
    }

    /// <summary>Why there are no heat maps (null when there are).</summary>
    public string? HeatmapUnavailableReason { get; }

    /// <summary>The explained layer, or null.</summary>
    public string? TargetLayer => _explainer?.TargetLayer;

    /// <summary>Jobs running now.</summary>
    public int RunningJobs => Volatile.Read(ref _runningJobs);

    /// <summary>
    /// Scores an upload: the finished job when it has at most <see cref="ServeOptions.SynchronousCellLimit"/> cells,
    /// otherwise a started job to poll.
    /// </summary>
    /// <exception cref="UploadException">Nothing usable was sent (415 or 422).</exception>
    /// <exception cref="ServerBusyException">The queue or the job slots are full.</exception>
    public async Task<Job> SubmitAsync(string owner, Upload upload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(upload);
        if (upload.Cells.Count == 0)
        {
            var status = upload.Errors.Count > 0 && upload.Errors.All(e => e.Reason.StartsWith("not an image or a zip", StringComparison.Ordinal)) ? 415 : 422;
            throw new UploadException(status, "no usable cell: " + string.Join("; ", upload.Errors.Take(10).Select(e => $"{e.File}: {e.Reason}")));
        }

        if (upload.Cells.Count <= _options.SynchronousCellLimit)
        {
            var (images, keptIndices, errors) = Decode(upload.Cells);
            if (images.Count == 0)
            {
                throw new UploadException(422, "no usable cell: " + string.Join("; ", errors.Concat(upload.Errors).Take(10).Select(e => $"{e.File}: {e.Reason}")));
            }

            var probabilities = await _scorer.ScoreAsync(images, waitForRoom: false, cancellationToken).ConfigureAwait(false);
            // Every cell is stored, usable or not, so that a job's cell numbers are the upload's (fields point into them).
            var job = _store.Create(owner, upload.Cells);
            job.Complete(BuildResult(job, keptIndices, probabilities, [.. upload.Errors, .. errors], upload.Fields));
            return job;
        }

        if (Interlocked.Increment(ref _runningJobs) > _options.MaxRunningJobs || _scorer.QueueLength >= _options.QueueCapacity)
        {
            Interlocked.Decrement(ref _runningJobs);
            throw new ServerBusyException($"{_options.MaxRunningJobs} large uploads are being scored; retry in a minute", TimeSpan.FromSeconds(60));
        }

        try
        {
            var job = _store.Create(owner, upload.Cells);
            _ = Task.Run(() => RunJobAsync(job, upload), CancellationToken.None);
            return job;
        }
        catch
        {
            Interlocked.Decrement(ref _runningJobs);
            throw;
        }
    }

    /// <summary>The Grad-CAM overlay of a job's cell as PNG, computed once and kept with the job.</summary>
    /// <exception cref="ExplanationNotSupportedException">The model has no gradients.</exception>
    public byte[] Heatmap(Job job, int index)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (_explainer is null)
        {
            throw new ExplanationNotSupportedException(_model.Metadata.ModelKind, HeatmapUnavailableReason ?? "no gradients");
        }

        var cached = job.HeatmapPath(index);
        if (File.Exists(cached))
        {
            return File.ReadAllBytes(cached);
        }

        var png = _explainer.Explain(File.ReadAllBytes(job.CellPath(index)), job.Cells[index].File).OverlayPng(_explainer.Options.OverlayOpacity);
        AtomicFile.WriteAllBytes(cached, png);
        return png;
    }

    /// <summary>Per-cell CSV with the columns of <c>malaria predict --out</c>.</summary>
    public static string PredictionsCsv(PredictionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder("path,patient,label,probability\n");
        foreach (var c in result.Cells)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Csv(c.File)},{Csv(c.Patient)},{Csv(c.Label)},{c.Probability:F6}\n");
        }

        return sb.ToString();
    }

    /// <summary>Per-patient CSV with the columns of <c>malaria predict --summary</c>.</summary>
    public static string PatientsCsv(PredictionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder("patient,cells,parasitized,parasitemia,ci_low,ci_high\n");
        foreach (var p in result.Patients)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{Csv(p.Patient)},{p.Cells},{p.Parasitized},{p.Parasitemia:F4},{p.CiLow:F4},{p.CiHigh:F4}\n");
        }

        return sb.ToString();
    }

    private async Task RunJobAsync(Job job, Upload upload)
    {
        try
        {
            var indices = new List<int>();
            var probabilities = new List<float>();
            var errors = new List<FileError>(upload.Errors);
            for (var start = 0; start < job.Cells.Count; start += JobChunk)
            {
                _stopping.ThrowIfCancellationRequested();
                var range = Enumerable.Range(start, Math.Min(JobChunk, job.Cells.Count - start)).ToList();
                var (images, kept, bad) = Decode(range.Select(i => new UploadedCell(job.Cells[i].File, job.Cells[i].Patient, File.ReadAllBytes(job.CellPath(i)))).ToList());
                errors.AddRange(bad);
                var scores = await _scorer.ScoreAsync(images, waitForRoom: true, _stopping).ConfigureAwait(false);
                indices.AddRange(kept.Select(k => range[k]));
                probabilities.AddRange(scores);

                job.Progress(start + range.Count);
            }

            if (indices.Count == 0)
            {
                job.Fail("no usable cell: " + string.Join("; ", errors.Take(10).Select(e => $"{e.File}: {e.Reason}")));
                return;
            }

            job.Complete(BuildResult(job, indices, probabilities.ToArray(), errors, upload.Fields));
        }
        catch (Exception e)
        {
            job.Fail(e is MalariaMLException or IOException or OperationCanceledException ? e.Message : "internal error while scoring");
        }
        finally
        {
            Interlocked.Decrement(ref _runningJobs);
        }
    }

    /// <summary>Decodes cells in parallel; returns the images, the positions of the usable cells and the unusable ones.</summary>
    private (List<RgbImage> Images, List<int> Kept, List<FileError> Errors) Decode(IReadOnlyList<UploadedCell> cells)
    {
        var images = new RgbImage?[cells.Count];
        var reasons = new string?[cells.Count];
        Parallel.For(0, cells.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
        {
            try
            {
                images[i] = ImageDecoder.Decode(cells[i].Data, cells[i].File, _loadOptions);
            }
            catch (InvalidImageException e)
            {
                reasons[i] = e.Reason;
            }
        });
        var kept = new List<int>();
        var decoded = new List<RgbImage>();
        var errors = new List<FileError>();
        for (var i = 0; i < cells.Count; i++)
        {
            if (images[i] is { } image)
            {
                decoded.Add(image);
                kept.Add(i);
            }
            else
            {
                errors.Add(new FileError(cells[i].File, reasons[i]!));
            }
        }

        return (decoded, kept, errors);
    }

    private PredictionResult BuildResult(Job job, IReadOnlyList<int> indices, IReadOnlyList<float> probabilities, IReadOnlyList<FileError> errors, IReadOnlyList<UploadedField> fields)
    {
        var scored = new Dictionary<int, double>(indices.Count);
        for (var k = 0; k < indices.Count; k++)
        {
            scored[indices[k]] = probabilities[k];
        }

        var fieldOf = new Dictionary<int, (string Field, int Cell)>();
        foreach (var field in fields)
        {
            for (var c = 0; c < field.Cut.Crops.Count; c++)
            {
                fieldOf[field.FirstCell + c] = (field.File, field.Cut.Crops[c].Object.Id);
            }
        }

        var cells = new List<CellResult>(indices.Count);
        foreach (var i in indices)
        {
            var p = scored[i];
            var id = job.CellIds[i];
            var inField = fieldOf.TryGetValue(i, out var f);
            cells.Add(new CellResult(id, job.Cells[i].File, job.Cells[i].Patient, _model.LabelOf(p), p, p >= _model.Metadata.Threshold,
                _explainer is null ? null : $"/api/cells/{id}/heatmap.png", inField ? f.Field : null, inField ? f.Cell : null));
        }

        var patients = cells.GroupBy(c => c.Patient, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var n = g.Count();
            var positive = g.Count(c => c.Positive);
            var (low, high) = WilsonInterval.Compute(positive, n);
            return new PatientResult(g.Key, n, positive, (double)positive / n, low, high);
        }).ToList();
        return new PredictionResult(job.Id, cells, patients, errors, ScreenFields(job, fields, scored));
    }

    /// <summary>
    /// Each field's calls (as <c>malaria screen</c> makes them), its overlay and the field-cells CSV, kept in the job's
    /// folder. Crops always decode (the server cut them), so every crop of a field has its probability.
    /// </summary>
    private List<FieldResult> ScreenFields(Job job, IReadOnlyList<UploadedField> fields, Dictionary<int, double> scored)
    {
        var results = new List<FieldResult>(fields.Count);
        if (fields.Count == 0 || _fields is null)
        {
            return results;
        }

        var csv = new StringBuilder(FieldCellsCsv.Header);
        for (var f = 0; f < fields.Count; f++)
        {
            var field = fields[f];
            var probabilities = Enumerable.Range(field.FirstCell, field.Cut.Crops.Count).Select(i => scored[i]).ToList();
            var screening = _fields.Classify(field.Cut, field.Patient, probabilities);
            FieldCellsCsv.AppendRows(csv, screening);
            AtomicFile.WriteAllBytes(job.FieldPath(f), _fields.Overlay(field.Data, screening, _model.Metadata.Threshold));
            var (low, high) = screening.Interval;
            results.Add(new FieldResult(field.File, field.Patient, screening.Cells, screening.Parasitized, screening.Parasitemia, low, high,
                screening.Objects.Count, screening.Segmentation.CellDiameter, $"/api/jobs/{job.Id}/fields/{f}.png"));
        }

        AtomicFile.WriteAllBytes(job.FieldCellsPath, Encoding.UTF8.GetBytes(csv.ToString()));
        return results;
    }

    private static string Csv(string value) => value.Contains(',') || value.Contains('"') || value.Contains('\n') ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
}

using MalariaML.Inference;
using MalariaML.Server.Jobs;
using MalariaML.Server.Scoring;
using MalariaML.Server.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MalariaML.Server.Api;

/// <summary>The JSON API: predict, jobs, heat maps, model, health.</summary>
public static class ApiEndpoints
{
    /// <summary>Maps the API under <c>/api</c>.</summary>
    public static IEndpointRouteBuilder MapMalariaApi(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        var api = routes.MapGroup("/api");
        api.MapPost("/predict", Predict)
            .WithSummary("Score cells: multipart form field 'files' (repeated): cell images, whole-field photos (cut into cells as 'malaria screen' does) or zips with one folder per patient.")
            .WithDescription("Small uploads answer 200 with the result; large ones 202 with a job to poll at /api/jobs/{id}. Errors: 400, 401, 413, 415, 422, 503 (Retry-After).")
            .Accepts<IFormFileCollection>("multipart/form-data")
            .Produces<JobStatus>(200).Produces<JobStatus>(202).Produces<ApiError>(400).Produces<ApiError>(413).Produces<ApiError>(415).Produces<ApiError>(422).Produces<ApiError>(503)
            .DisableAntiforgery();
        api.MapGet("/jobs/{id}", GetJob).WithSummary("Status, progress and result of a job (only for the client that created it).")
            .Produces<JobStatus>().Produces<ApiError>(404);
        api.MapGet("/jobs/{id}/predictions.csv", (string id, HttpContext http, JobStore store) => Csv(id, http, store, PredictionService.PredictionsCsv, "predictions.csv"))
            .WithSummary("Per-cell CSV, the columns of 'malaria predict --out'.");
        api.MapGet("/jobs/{id}/patients.csv", (string id, HttpContext http, JobStore store) => Csv(id, http, store, PredictionService.PatientsCsv, "patients.csv"))
            .WithSummary("Per-patient CSV, the columns of 'malaria predict --summary'.");
        api.MapGet("/jobs/{id}/field-cells.csv", GetFieldCells)
            .WithSummary("Per-object CSV of the whole-field photos, the columns of 'malaria screen''s cells.csv.");
        api.MapGet("/jobs/{id}/fields/{index:int}.png", GetField).WithSummary("Overlay of a whole-field photo.");
        api.MapGet("/cells/{id}/heatmap.png", GetHeatmap).WithSummary("Grad-CAM overlay of one cell (PNG); 422 for models without gradients.")
            .Produces(200, contentType: "image/png").Produces<ApiError>(404).Produces<ApiError>(422);
        api.MapGet("/cells/{id}/image", GetCellImage).WithSummary("The cell as uploaded (only for the client that uploaded it).")
            .Produces(200, contentType: "image/png").Produces<ApiError>(404);
        api.MapGet("/model", GetModel).WithSummary("The model: name, kind, threshold, metrics, limits.").Produces<ModelInfo>();
        api.MapGet("/health", (MalariaModel model, ICellBatchScorer scorer, PredictionService service, JobStore store)
            => Results.Ok(new HealthInfo("ok", model.Metadata.ModelKind, scorer.QueueLength, service.RunningJobs, store.Count)))
            .WithSummary("Liveness and load.").Produces<HealthInfo>();
        return routes;
    }

    private static async Task<IResult> Predict(HttpContext http, UploadReader reader, PredictionService service, CancellationToken cancellationToken)
    {
        var owner = ClientIdentity.Of(http);
        var upload = await reader.ReadAsync(http.Request, cancellationToken).ConfigureAwait(false);
        var job = await service.SubmitAsync(owner, upload, cancellationToken).ConfigureAwait(false);
        var status = job.Status();
        return status.Status == "done" ? Results.Ok(status) : Results.Accepted($"/api/jobs/{job.Id}", status);
    }

    private static IResult GetJob(string id, HttpContext http, JobStore store)
        => Find(id, http, store) is { } job ? Results.Ok(job.Status()) : NotFound("no such job");

    private static IResult GetHeatmap(string id, HttpContext http, JobStore store, PredictionService service)
    {
        if (!ClientIdentity.IsId(id) || store.FindCell(id, ClientIdentity.Of(http)) is not { } cell)
        {
            return NotFound("no such cell");
        }

        http.Response.Headers.CacheControl = "private, max-age=3600";
        return Results.File(service.Heatmap(cell.Job, cell.Index), "image/png");
    }

    private static IResult GetCellImage(string id, HttpContext http, JobStore store)
    {
        if (!ClientIdentity.IsId(id) || store.FindCell(id, ClientIdentity.Of(http)) is not { } cell)
        {
            return NotFound("no such cell");
        }

        var bytes = File.ReadAllBytes(cell.Job.CellPath(cell.Index));
        http.Response.Headers.CacheControl = "private, max-age=3600";
        return Results.File(bytes, ContentSniffer.ImageMediaType(bytes));
    }

    private static IResult GetField(string id, int index, HttpContext http, JobStore store)
    {
        if (Find(id, http, store) is not { } job || index < 0 || !File.Exists(job.FieldPath(index)))
        {
            return NotFound("no such field");
        }

        return Results.File(File.ReadAllBytes(job.FieldPath(index)), "image/png");
    }

    private static IResult GetFieldCells(string id, HttpContext http, JobStore store)
    {
        if (Find(id, http, store) is not { Result: not null } job || !File.Exists(job.FieldCellsPath))
        {
            return NotFound("no such finished job with fields");
        }

        return Results.File(File.ReadAllBytes(job.FieldCellsPath), "text/csv; charset=utf-8", "field-cells.csv");
    }

    private static IResult GetModel(MalariaModel model, ServeOptions options, PredictionService service)
    {
        var m = model.Metadata;
        return Results.Ok(new ModelInfo(options.ModelName, m.ModelKind, m.Threshold, m.PositiveClass, m.InputWidth, m.Metrics,
            service.TargetLayer is not null, service.TargetLayer ?? service.HeatmapUnavailableReason,
            new LimitsInfo(options.MaxRequestBytes, options.MaxFilesPerRequest, options.MaxCellsPerRequest, options.MaxImagePixels,
                options.MaxZipEntries, options.MaxZipUncompressedBytes, options.MaxFileBytes, options.ResultLifetime.TotalMinutes)));
    }

    private static IResult Csv(string id, HttpContext http, JobStore store, Func<PredictionResult, string> format, string name)
    {
        if (Find(id, http, store) is not { Result: { } result })
        {
            return NotFound("no such finished job");
        }

        return Results.File(System.Text.Encoding.UTF8.GetBytes(format(result)), "text/csv; charset=utf-8", name);
    }

    private static Job? Find(string id, HttpContext http, JobStore store)
        => ClientIdentity.IsId(id) ? store.Find(id, ClientIdentity.Of(http)) : null;

    private static IResult NotFound(string message) => Results.Json(new ApiError(message, 404), statusCode: 404);
}

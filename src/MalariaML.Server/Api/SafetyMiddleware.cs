using System.Security.Cryptography;
using System.Text;
using MalariaML.Explanations;
using MalariaML.Server.Scoring;
using MalariaML.Server.Uploads;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MalariaML.Server.Api;

/// <summary>
/// In front of every request: security headers, the API key on <c>/api</c> and <c>/openapi</c> when one is set, and
/// the translation of errors into JSON with the right status (413, 415, 422, 503 with Retry-After, ...).
/// </summary>
internal sealed class SafetyMiddleware(RequestDelegate next, ServeOptions options, ILogger<SafetyMiddleware> logger)
{
    private readonly byte[]? _key = string.IsNullOrEmpty(options.ApiKey) ? null : Encoding.UTF8.GetBytes(options.ApiKey);

    public async Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'";
        var path = context.Request.Path;
        var isApi = path.StartsWithSegments("/api") || path.StartsWithSegments("/openapi");
        if (isApi && _key is not null && !HasKey(context.Request))
        {
            await Write(context, 401, "missing or wrong API key: send it in the X-Api-Key header").ConfigureAwait(false);
            return;
        }

        try
        {
            await next(context).ConfigureAwait(false);
            if (context.Response is { HasStarted: false, StatusCode: >= 400, ContentType: null } && isApi)
            {
                // Answers made by routing itself (no such route, wrong method, wrong content type) in the API's form too.
                await Write(context, context.Response.StatusCode, context.Response.StatusCode switch
                {
                    404 => "no such API route",
                    405 => "method not allowed on this route",
                    415 => "send the images as multipart/form-data, form field 'files'",
                    _ => "request refused",
                }).ConfigureAwait(false);
            }
        }
        catch (UploadException e)
        {
            await Write(context, e.StatusCode, e.Message).ConfigureAwait(false);
        }
        catch (ServerBusyException e)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(e.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Write(context, 503, e.Message).ConfigureAwait(false);
        }
        catch (ExplanationNotSupportedException e)
        {
            await Write(context, 422, e.Message).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            await Write(context, e.StatusCode, e.Message).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody reads an answer.
        }
        catch (Exception e)
        {
            logger.LogError(e, "request {Path} failed", path);
            await Write(context, 500, "internal error; the server log has the details").ConfigureAwait(false);
        }
    }

    private bool HasKey(HttpRequest request)
    {
        string? given = request.Headers["X-Api-Key"];
        if (string.IsNullOrEmpty(given) && request.Headers.Authorization.ToString() is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            given = auth["Bearer ".Length..].Trim();
        }

        return !string.IsNullOrEmpty(given) && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), _key);
    }

    private static async Task Write(HttpContext context, int status, string message)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        context.Response.StatusCode = status;
        await context.Response.WriteAsJsonAsync(new ApiError(message, status)).ConfigureAwait(false);
    }
}

using MalariaML.Inference;
using MalariaML.Server.Api;
using MalariaML.Server.Fields;
using MalariaML.Server.Jobs;
using MalariaML.Server.Page;
using MalariaML.Server.Scoring;
using MalariaML.Server.Uploads;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MalariaML.Server;

/// <summary>
/// Wires <c>malaria serve</c>: one model shared by all requests, the scorer behind its queue, the job store, the
/// upload reader, the API, the page and the OpenAPI document (<c>/openapi/v1.json</c>).
/// </summary>
public static class MalariaServer
{
    /// <summary>
    /// Registers the server's services around <paramref name="model"/> (loaded once by the caller, who keeps owning it).
    /// Register an <see cref="ICellBatchScorer"/> or a <see cref="FieldReader"/> before calling this to replace the
    /// default scorer or field reader.
    /// </summary>
    public static IServiceCollection AddMalariaServer(this IServiceCollection services, MalariaModel model, ServeOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(options);
        services.AddSingleton(model);
        services.TryAddSingleton<ICellBatchScorer>(_ => new QueuedModelScorer(model, options.QueueCapacity));
        services.AddSingleton<JobStore>();
        services.AddSingleton<PredictionService>();
        services.TryAddSingleton(_ => new FieldReader(model, options));
        services.AddSingleton(sp => new UploadReader(options, sp.GetRequiredService<FieldReader>()));
        services.AddHostedService<JobJanitor>();
        services.AddRouting();
        services.Configure<JsonOptions>(json => json.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals);
        services.AddOpenApi();
        return services;
    }

    /// <summary>Adds the safety middleware and maps the API, the page and the OpenAPI document.</summary>
    public static IApplicationBuilder UseMalariaServer(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<SafetyMiddleware>();
        app.UseRouting();
        app.UseEndpoints(endpoints =>
        {
            endpoints.MapMalariaApi();
            endpoints.MapMalariaPage();
            endpoints.MapOpenApi();
        });
        return app;
    }

    /// <summary>A Kestrel server on <see cref="ServeOptions.Urls"/>, ready to <c>RunAsync</c>.</summary>
    /// <exception cref="MalariaMLException">The options are inconsistent (e.g. a public address without an API key).</exception>
    public static WebApplication Build(MalariaModel model, ServeOptions options, Action<IServiceCollection>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(MalariaServer).Assembly.GetName().Name });
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            // A little over the request limit: the upload reader refuses at the limit with a clearer message.
            kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes + (1024 * 1024);
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        configure?.Invoke(builder.Services);
        builder.Services.AddMalariaServer(model, options);
        var app = builder.Build();
        app.UseMalariaServer();
        return app;
    }
}

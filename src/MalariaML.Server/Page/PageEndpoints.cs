using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace MalariaML.Server.Page;

/// <summary>The upload page: three files compiled into the assembly, served from memory.</summary>
public static class PageEndpoints
{
    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        ("/", "page/index.html", "text/html; charset=utf-8"),
        ("/app.css", "page/app.css", "text/css; charset=utf-8"),
        ("/app.js", "page/app.js", "text/javascript; charset=utf-8"),
    ];

    /// <summary>Maps the page's files.</summary>
    public static IEndpointRouteBuilder MapMalariaPage(this IEndpointRouteBuilder routes)
    {
        ArgumentNullException.ThrowIfNull(routes);
        foreach (var (route, resource, contentType) in Files)
        {
            var bytes = Read(resource);
            routes.MapGet(route, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "no-cache";
                return Results.Bytes(bytes, contentType);
            }).ExcludeFromDescription();
        }

        return routes;
    }

    private static byte[] Read(string resource)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"page resource {resource} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

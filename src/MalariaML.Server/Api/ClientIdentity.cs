using System.Text.RegularExpressions;
using MalariaML.Server.Jobs;
using Microsoft.AspNetCore.Http;

namespace MalariaML.Server.Api;

/// <summary>
/// Who owns a job: a random id the server gives each client in an HttpOnly, SameSite=Strict cookie on its first API
/// call. Jobs and heat maps are only found with the cookie of the client that uploaded them.
/// </summary>
public static partial class ClientIdentity
{
    /// <summary>The cookie's name.</summary>
    public const string CookieName = "malaria-client";

    private const string ItemKey = "malaria-client";

    /// <summary>The caller's client id, created (and set as a cookie on the answer) when it has none.</summary>
    public static string Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(ItemKey, out var known) && known is string id)
        {
            return id;
        }

        if (context.Request.Cookies.TryGetValue(CookieName, out var cookie) && IsId(cookie))
        {
            id = cookie;
        }
        else
        {
            id = JobStore.NewId();
            context.Response.Cookies.Append(CookieName, id, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
                IsEssential = true,
            });
        }

        context.Items[ItemKey] = id;
        return id;
    }

    /// <summary>Whether <paramref name="value"/> has the form of a server-made id (32 lowercase hex digits).</summary>
    public static bool IsId(string? value) => value is not null && IdPattern().IsMatch(value);

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}

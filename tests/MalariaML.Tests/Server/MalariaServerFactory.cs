using MalariaML.Inference;
using MalariaML.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MalariaML.Tests.Server;

/// <summary>
/// The server of <c>malaria serve</c> in memory (TestServer), with the options a test wants. The test assembly is the
/// entry point WebApplicationFactory asks for; the host is built from the server's own registration methods.
/// </summary>
internal sealed class MalariaServerFactory(MalariaModel model, ServeOptions options, Action<IServiceCollection>? configure = null)
    : WebApplicationFactory<MalariaServerFactory>
{
    static MalariaServerFactory()
    {
        // The server has no content files; without this WebApplicationFactory looks for a project folder named after
        // the test assembly beside the solution. A constant, set once for the process.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_MALARIAML_TESTS", AppContext.BaseDirectory);
    }

    public ServeOptions Options => options;

    protected override IHostBuilder CreateHostBuilder()
        => Host.CreateDefaultBuilder()
            .ConfigureWebHost(web => web
                .ConfigureServices(services =>
                {
                    configure?.Invoke(services);
                    services.AddMalariaServer(model, options);
                })
                .Configure(app => app.UseMalariaServer()));

    /// <summary>A client that keeps its cookies (its client id), like a browser tab.</summary>
    public HttpClient NewClient() => CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });
}

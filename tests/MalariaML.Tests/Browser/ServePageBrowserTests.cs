using System.Globalization;
using System.Text.Json;
using MalariaML.Inference;
using MalariaML.Server;
using MalariaML.Tests.Robustness;
using MalariaML.Tests.Training;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace MalariaML.Tests.Browser;

/// <summary>
/// The upload page in a real browser: Debian's Chromium driven by Playwright (which never downloads a browser here),
/// against a real Kestrel server on a free loopback port, with real cells from <c>data/sample</c>.
/// </summary>
public sealed class ServePageBrowserTests
{
    /// <summary>The flags the issue asks for; Playwright adds its own automation flags.</summary>
    private static readonly string[] ChromiumFlags =
        ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    /// <summary>Debian's Chromium, or <c>MALARIAML_CHROMIUM</c>.</summary>
    private static string ChromiumPath => Environment.GetEnvironmentVariable("MALARIAML_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [SkippableFact]
    public async Task Page_table_equals_the_api_and_malaria_predict_heat_map_shows_and_bad_files_are_reported()
    {
        Skip.IfNot(File.Exists(ChromiumPath), $"browser tests skipped: no Chromium at {ChromiumPath} (apt-get install chromium, or set MALARIAML_CHROMIUM)");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        using var work = TestData.NewTempFolder();
        // MALARIAML_SCREENSHOT_MODEL: a better model than the one trained here, for the README's screenshot.
        var modelPath = Environment.GetEnvironmentVariable("MALARIAML_SCREENSHOT_MODEL") is { Length: > 0 } screenshotModel ? screenshotModel : Path.Combine(work.Path, "tiny.malaria");
        if (!File.Exists(modelPath))
        {
            using var trained = TinyTraining.Train(TinyTraining.Options(epochs: 2)).Model;
            trained.Save(modelPath);
        }

        var cells = TestData.SampleCells(6).Select(c => c.Path).ToList();
        var predictCsv = Path.Combine(work.Path, "predictions.csv");
        var cli = CliProcess.Run(["predict", "--model", modelPath, "--out", predictCsv, .. cells], timeout: TimeSpan.FromMinutes(2));
        Assert.True(cli.ExitCode == 0, cli.Transcript);
        var predicted = File.ReadAllLines(predictCsv).Skip(1).Select(l => l.Split(','))
            .ToDictionary(f => Path.GetFileName(f[0]), f => (Patient: f[1], Label: f[2], Probability: double.Parse(f[3], CultureInfo.InvariantCulture)));

        using var model = MalariaModel.Load(modelPath);
        await using var app = MalariaServer.Build(model, new ServeOptions { Urls = "http://127.0.0.1:0", ModelName = Path.GetFileName(modelPath), WorkDirectory = Path.Combine(work.Path, "serve") });
        await app.StartAsync();
        var baseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(Path.Combine(work.Path, "chromium-profile"), new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumFlags,
            ViewportSize = new ViewportSize { Width = 1000, Height = 900 },
            Timeout = 60_000,
        });
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                consoleErrors.Add(message.Text);
            }
        };
        await page.GotoAsync(baseUrl);
        await Assertions.Expect(page.Locator("#model")).ToContainTextAsync($"{Path.GetFileName(modelPath)} · {model.Metadata.ModelKind} · threshold");

        // Upload the cells through the page's file input.
        await page.SetInputFilesAsync("#files", cells);
        await Assertions.Expect(page.Locator("#cells tbody tr")).ToHaveCountAsync(cells.Count, new() { Timeout = 60_000 });
        var rows = await page.Locator("#cells tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.textContent))");
        var job = await page.Locator("#results").GetAttributeAsync("data-job");
        var api = await page.EvaluateAsync<JsonElement>("id => fetch('/api/jobs/' + id).then(r => r.json())", job);
        var apiCells = api.GetProperty("result").GetProperty("cells").EnumerateArray().ToDictionary(c => c.GetProperty("file").GetString()!);
        Assert.Equal(cells.Count, apiCells.Count);
        var shown = rows.Select(r => double.Parse(r[3], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(shown.OrderByDescending(p => p), shown); // most likely parasitized first
        foreach (var row in rows)
        {
            var (file, patient, label, probability) = (row[0], row[1], row[2], row[3]);
            var fromApi = apiCells[file];
            Assert.Equal(fromApi.GetProperty("patient").GetString(), patient);
            Assert.Equal(fromApi.GetProperty("label").GetString(), label);
            Assert.Equal(fromApi.GetProperty("probability").GetDouble().ToString("F4", CultureInfo.InvariantCulture), probability);
            var fromCli = predicted[file];
            Assert.Equal((fromCli.Patient, fromCli.Label), (patient, label));
            Assert.Equal(fromCli.Probability.ToString("F4", CultureInfo.InvariantCulture), probability);
        }

        var patientRows = await page.Locator("#patients tbody tr").CountAsync();
        Assert.Equal(apiCells.Values.Select(c => c.GetProperty("patient").GetString()).Distinct().Count(), patientRows);

        // A click on a cell shows its Grad-CAM overlay.
        await page.Locator("#grid .cell").First.ClickAsync();
        await Assertions.Expect(page.Locator("#heatmap.loaded")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var heatWidth = await page.Locator("#heatmap").EvaluateAsync<int>("img => img.naturalWidth");
        Assert.True(heatWidth > 0, "the heat map image did not decode");
        var artifacts = Path.Combine(TestData.RepoRoot, "artifacts", "browser");
        Directory.CreateDirectory(artifacts);
        await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "serve-page.png"), FullPage = true });

        // A bad file among good ones: the good one is scored, the bad one listed with its reason.
        var truncated = Path.Combine(work.Path, "truncated.png");
        File.WriteAllBytes(truncated, File.ReadAllBytes(cells[0])[..200]);
        var notAnImage = Path.Combine(work.Path, "notes.png");
        File.WriteAllText(notAnImage, "this is not a cell");
        await page.SetInputFilesAsync("#files", [cells[1], truncated, notAnImage]);
        await Assertions.Expect(page.Locator("#errors li")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("truncated.png: truncated image data");
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("notes.png: not an image or a zip");
        await Assertions.Expect(page.Locator("#cells tbody tr")).ToHaveCountAsync(1);

        // Only a bad file: the request's error shows.
        await page.SetInputFilesAsync("#files", [notAnImage]);
        await Assertions.Expect(page.Locator("#errors li")).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#errors")).ToContainTextAsync("no usable cell");

        // A phone-sized screen: nothing wider than the viewport but the scrolling tables.
        await page.SetViewportSizeAsync(390, 844);
        await page.SetInputFilesAsync("#files", cells);
        await Assertions.Expect(page.Locator("#cells tbody tr")).ToHaveCountAsync(cells.Count, new() { Timeout = 60_000 });
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"the page is {overflow} px wider than a phone screen");
        await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "serve-page-phone.png"), FullPage = true });
        // A whole-field photo (composed from real cells, committed) with cells: the field's overlay and counts show, its
        // cells join the grid, one of them explains itself, and its CSV is 'malaria screen''s cells.csv.
        var field = Path.Combine(TestData.RepoRoot, "data", "fields", "patient-A", "A-field-1.jpg");
        var screenDir = Path.Combine(work.Path, "screen");
        var screen = CliProcess.Run(["screen", "--model", modelPath, field, "--out", screenDir], timeout: TimeSpan.FromMinutes(3));
        Assert.True(screen.ExitCode == 0, screen.Transcript);
        await page.SetViewportSizeAsync(1000, 900);
        await page.SetInputFilesAsync("#files", [field, .. cells]);
        await Assertions.Expect(page.Locator("#fields figure")).ToHaveCountAsync(1, new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#fields figcaption")).ToContainTextAsync("A-field-1.jpg · A-field-1 · ");
        await page.WaitForFunctionAsync("() => document.querySelector('#fields img').naturalWidth === 1280", null, new() { Timeout = 30_000 });
        job = await page.Locator("#results").GetAttributeAsync("data-job");
        api = await page.EvaluateAsync<JsonElement>("id => fetch('/api/jobs/' + id).then(r => r.json())", job);
        var apiField = api.GetProperty("result").GetProperty("fields").EnumerateArray().Single();
        var fieldCells = api.GetProperty("result").GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("field").ValueKind == JsonValueKind.String).ToList();
        Assert.Equal(apiField.GetProperty("cells").GetInt32(), fieldCells.Count);
        Assert.True(fieldCells.Count >= 30, $"only {fieldCells.Count} cells found in the field");
        await Assertions.Expect(page.Locator("#cells tbody tr")).ToHaveCountAsync(fieldCells.Count + cells.Count);
        await Assertions.Expect(page.Locator("#grid .cell")).ToHaveCountAsync(fieldCells.Count + cells.Count);
        await Assertions.Expect(page.Locator("#fields figcaption")).ToContainTextAsync($"{fieldCells.Count} cells, {apiField.GetProperty("parasitized").GetInt32()} parasitized");
        var fieldCellId = fieldCells.OrderByDescending(c => c.GetProperty("probability").GetDouble()).First().GetProperty("id").GetString();
        await page.Locator($"#grid .cell[data-id=\"{fieldCellId}\"]").ClickAsync();
        await Assertions.Expect(page.Locator("#detail-title")).ToContainTextAsync("A-field-1.jpg/cell_");
        await Assertions.Expect(page.Locator("#heatmap.loaded")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#csv-fields").ClickAsync());
        var pageCsv = File.ReadAllLines(await download.PathAsync());
        var screenCsv = File.ReadAllLines(Path.Combine(screenDir, "cells.csv"));
        Assert.Equal(screenCsv[0], pageCsv[0]);
        Assert.Equal(screenCsv.Length, pageCsv.Length);
        for (var i = 1; i < screenCsv.Length; i++)
        {
            var (want, got) = (screenCsv[i].Split(','), pageCsv[i].Split(','));
            Assert.Equal(want.Take(8).Concat(want.Skip(9)), got.Take(8).Concat(got.Skip(9))); // field, cell, box, area, label, reason
            Assert.Equal(want[8].Length > 0 ? double.Parse(want[8], CultureInfo.InvariantCulture) : -1, got[8].Length > 0 ? double.Parse(got[8], CultureInfo.InvariantCulture) : -1, 5);
        }

        await page.ScreenshotAsync(new() { Path = Path.Combine(artifacts, "serve-page-field.png"), FullPage = true });

        var unexpected = consoleErrors.Where(e => !e.Contains("415", StringComparison.Ordinal) && !e.Contains("422", StringComparison.Ordinal)).ToList();
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected));
        await app.StopAsync();
    }
}

using MalariaML.Data;
using MalariaML.Models;
using System.Net;
using System.Net.Http.Json;
using MalariaML.Inference;
using MalariaML.Server;
using MalariaML.Server.Api;
using MalariaML.Server.Jobs;
using MalariaML.Server.Scoring;
using MalariaML.Tests.Training;
using Microsoft.Extensions.DependencyInjection;

namespace MalariaML.Tests.Server;

/// <summary>The JSON API of <c>malaria serve</c> in memory: answers, every limit, zips, the API key, job isolation, expiry.</summary>
public sealed class ServerApiTests : IClassFixture<ServerApiTests.TinyModel>
{
    private readonly MalariaModel _model;

    public ServerApiTests(TinyModel fixture) => _model = fixture.Model;

    [Fact]
    public async Task Predict_lists_every_cell_and_patient_with_the_models_probabilities()
    {
        using var server = new MalariaServerFactory(_model, new ServeOptions());
        using var client = server.NewClient();
        var files = Uploads.Cells(3);
        var response = await client.PostAsync("/api/predict", Uploads.Form(files));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var job = await Read<JobStatus>(response);
        Assert.Equal("done", job.Status);
        var result = job.Result!;
        var expected = _model.PredictMany(files).Predictions;
        Assert.Equal(files.Count, result.Cells.Count);
        for (var i = 0; i < files.Count; i++)
        {
            Assert.Equal(Path.GetFileName(files[i]), result.Cells[i].File);
            Assert.Equal(MalariaML.Data.PatientKey.Parse(files[i]), result.Cells[i].Patient);
            Assert.Equal(expected[i].Label, result.Cells[i].Label);
            Assert.Equal(expected[i].Probability, result.Cells[i].Probability, 5);
        }

        var patients = PatientParasitemia.Summarise(expected);
        Assert.Equal(patients.Select(p => (p.Patient, p.Cells, p.Parasitized)), result.Patients.Select(p => (p.Patient, p.Cells, p.Parasitized)));
        var csv = await client.GetStringAsync($"/api/jobs/{job.Id}/predictions.csv");
        Assert.StartsWith("path,patient,label,probability\n", csv, StringComparison.Ordinal);
        Assert.Equal(files.Count + 1, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task A_zip_with_one_folder_per_patient_gives_one_row_per_folder()
    {
        using var server = new MalariaServerFactory(_model, new ServeOptions());
        using var client = server.NewClient();
        var cells = Uploads.Cells(3);
        var zip = Uploads.Zip(cells.Select((c, i) => ($"{(i < 4 ? "alice" : "bob")}/{Path.GetFileName(c)}", File.ReadAllBytes(c))).ToArray());
        var job = await Read<JobStatus>(await client.PostAsync("/api/predict", Uploads.Form(("smears.zip", zip))));
        Assert.Equal([("alice", 4), ("bob", 2)], job.Result!.Patients.Select(p => (p.Patient, p.Cells)));
        Assert.All(job.Result.Cells, c => Assert.StartsWith("smears.zip/", c.File, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_limit_is_refused_with_its_status_and_a_json_message()
    {
        var cell = Uploads.Cells(1)[0];
        var bytes = File.ReadAllBytes(cell);
        await Refused(new ServeOptions { MaxRequestBytes = bytes.Length }, Uploads.Form(("a.png", bytes), ("b.png", bytes)), 413, "over the limit");
        await Refused(new ServeOptions { MaxFilesPerRequest = 2 }, Uploads.Form(("a.png", bytes), ("b.png", bytes), ("c.png", bytes)), 413, "more than 2 files");
        await Refused(new ServeOptions { MaxFileBytes = bytes.Length - 1 }, Uploads.Form(("a.png", bytes)), 413, "file limit");
        await Refused(new ServeOptions { MaxCellsPerRequest = 2 }, Uploads.Form(("cells.zip", Uploads.Zip(("p/a.png", bytes), ("p/b.png", bytes), ("p/c.png", bytes)))), 413, "more than 2 cells");
        await Refused(new ServeOptions { MaxZipEntries = 2 }, Uploads.Form(("cells.zip", Uploads.Zip(("p/a.png", bytes), ("p/b.png", bytes), ("p/c.png", bytes)))), 413, "3 entries");
        await Refused(new ServeOptions { MaxImagePixels = 50 * 50 }, Uploads.Form(("a.png", bytes)), 422, "over the limit of 2,500 pixels");
        await Refused(new ServeOptions(), Uploads.Form(("notes.png", "just text"u8.ToArray())), 415, "not an image or a zip");
        await Refused(new ServeOptions(), new StringContent("files=x"), 415, "multipart/form-data");
    }

    [Fact]
    public async Task Zip_bombs_are_refused_while_inflating()
    {
        // One entry of 64 MiB of zeros (64 KiB compressed): over the default 32 MiB file limit.
        var bomb = Uploads.Zip(("p/cell.png", new byte[64 << 20]));
        Assert.True(bomb.Length < 1 << 20);
        await Refused(new ServeOptions(), Uploads.Form(("bomb.zip", bomb)), 413, "file limit");
        // Many entries each under the file limit, together over the request's uncompressed budget.
        var spread = Uploads.Zip(Enumerable.Range(0, 6).Select(i => ($"p/cell{i}.png", new byte[1 << 20])).ToArray());
        await Refused(new ServeOptions { MaxZipUncompressedBytes = 4 << 20 }, Uploads.Form(("spread.zip", spread)), 413, "zip bomb");
    }

    [Fact]
    public async Task A_zip_slip_entry_is_refused_and_nothing_is_written_outside()
    {
        var bytes = File.ReadAllBytes(Uploads.Cells(1)[0]);
        using var work = TestData.NewTempFolder();
        var root = Path.Combine(work.Path, "serve");
        foreach (var evil in new[] { "../../escaped-cell.png", "/tmp/escaped-cell.png", "p/../../escaped-cell.png", "..\\escaped-cell.png" })
        {
            await Refused(new ServeOptions { WorkDirectory = root }, Uploads.Form(("slip.zip", Uploads.Zip(("p/ok.png", bytes), (evil, bytes)))), 400, "zip slip");
        }

        Assert.Empty(Directory.GetFiles(work.Path, "escaped-cell.png", SearchOption.AllDirectories));
        Assert.False(File.Exists(Path.Combine(Path.GetTempPath(), "escaped-cell.png")));
    }

    [Fact]
    public async Task Files_are_recognised_by_content_not_by_name()
    {
        using var server = new MalariaServerFactory(_model, new ServeOptions());
        using var client = server.NewClient();
        var bytes = File.ReadAllBytes(Uploads.Cells(1)[0]);
        var zip = Uploads.Zip(("p/x.png", bytes));
        var job = await Read<JobStatus>(await client.PostAsync("/api/predict",
            Uploads.Form(("cell.txt", bytes), ("archive.png", zip), ("fake.png", "<html>"u8.ToArray()))));
        Assert.Equal(["cell.txt", "archive.png/p/x.png"], job.Result!.Cells.Select(c => c.File));
        var error = Assert.Single(job.Result.Errors);
        Assert.Equal("fake.png", error.File);
        Assert.Contains("not an image or a zip", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Off_loopback_every_api_call_needs_the_key()
    {
        Assert.Throws<MalariaMLException>(() => new ServeOptions { Urls = "http://0.0.0.0:5080" }.Validate());
        const string key = "test-key-0123456789";
        using var server = new MalariaServerFactory(_model, new ServeOptions { Urls = "http://0.0.0.0:5080", ApiKey = key });
        using var client = server.NewClient();
        var files = Uploads.Cells(1);
        foreach (var path in new[] { "/api/health", "/api/model", "/openapi/v1.json", "/api/jobs/" + JobStore.NewId() })
        {
            var response = await client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("API key", (await Read<ApiError>(response)).Error, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/predict", Uploads.Form(files))).StatusCode);
        client.DefaultRequestHeaders.Add("X-Api-Key", "wrong-key-0123456789");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/health")).StatusCode);
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/predict", Uploads.Form(files))).StatusCode);
        client.DefaultRequestHeaders.Remove("X-Api-Key");
        client.DefaultRequestHeaders.Authorization = new("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
        // The page itself holds no data and loads without the key (it asks for it).
        client.DefaultRequestHeaders.Authorization = null;
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task One_client_cannot_see_another_clients_job_or_cells()
    {
        using var server = new MalariaServerFactory(_model, new ServeOptions());
        using var alice = server.NewClient();
        using var mallory = server.NewClient();
        var job = await Read<JobStatus>(await alice.PostAsync("/api/predict", Uploads.Form(Uploads.Cells(1))));
        var cell = job.Result!.Cells[0];
        foreach (var path in new[] { $"/api/jobs/{job.Id}", $"/api/jobs/{job.Id}/predictions.csv", $"/api/cells/{cell.Id}/heatmap.png", $"/api/cells/{cell.Id}/image" })
        {
            Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync(path)).StatusCode);
            var stolen = await mallory.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, stolen.StatusCode);
            Assert.Equal(404, (await Read<ApiError>(stolen)).Status);
        }

        // Guessing a cookie does not help either: ids are 128 random bits, checked in full.
        mallory.DefaultRequestHeaders.Add("Cookie", $"{ClientIdentity.CookieName}=00000000000000000000000000000000");
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/api/jobs/{job.Id}")).StatusCode);
        var heat = await alice.GetAsync(cell.Heatmap);
        Assert.Equal("image/png", heat.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task A_full_queue_answers_503_with_retry_after()
    {
        using var gate = new BlockingScorer();
        using var blocked = new MalariaModel(gate, FakeMetadata());
        using var server = new MalariaServerFactory(blocked, new ServeOptions { QueueCapacity = 1 });
        using var client = server.NewClient();
        var files = Uploads.Cells(1);
        var first = client.PostAsync("/api/predict", Uploads.Form(files)); // taken by the worker, blocks there
        await gate.Entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var second = client.PostAsync("/api/predict", Uploads.Form(files)); // waits in the queue
        var scorer = server.Services.GetRequiredService<ICellBatchScorer>();
        while (scorer.QueueLength < 1)
        {
            await Task.Delay(10);
        }

        var third = await client.PostAsync("/api/predict", Uploads.Form(files));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("queue is full", (await Read<ApiError>(third)).Error, StringComparison.Ordinal);
        gate.Release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await first).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await second).StatusCode);
        // This fake model has no gradients: the heat map says so instead of failing.
        var job = await Read<JobStatus>(await client.PostAsync("/api/predict", Uploads.Form(files)));
        Assert.Null(job.Result!.Cells[0].Heatmap);
        var heat = await client.GetAsync($"/api/cells/{job.Result.Cells[0].Id}/heatmap.png");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, heat.StatusCode);
        Assert.Contains("no gradients", (await Read<ApiError>(heat)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Large_uploads_become_jobs_with_progress_and_expire_with_their_files()
    {
        using var work = TestData.NewTempFolder();
        var options = new ServeOptions { SynchronousCellLimit = 4, ResultLifetime = TimeSpan.FromSeconds(1), WorkDirectory = Path.Combine(work.Path, "serve") };
        using var server = new MalariaServerFactory(_model, options);
        using var client = server.NewClient();
        var files = Uploads.Cells(5);
        var accepted = await client.PostAsync("/api/predict", Uploads.Form(files));
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var job = await Read<JobStatus>(accepted);
        Assert.Equal($"/api/jobs/{job.Id}", accepted.Headers.Location!.OriginalString);
        Assert.Equal(files.Count, job.Total);
        while (job.Status is "queued" or "running")
        {
            await Task.Delay(50);
            job = await Read<JobStatus>(await client.GetAsync($"/api/jobs/{job.Id}"));
        }

        Assert.Equal("done", job.Status);
        Assert.Equal(files.Count, job.Result!.Cells.Count);
        var folder = Path.Combine(options.WorkDirectory!, job.Id);
        Assert.True(Directory.Exists(folder));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(options.WorkDirectory!));
        }

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (Directory.Exists(folder) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.False(Directory.Exists(folder), "the expired job's folder is still there");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/jobs/{job.Id}")).StatusCode);
    }

    [Fact]
    public async Task Health_model_openapi_and_the_page_answer()
    {
        using var server = new MalariaServerFactory(_model, new ServeOptions { ModelName = "tiny.malaria" });
        using var client = server.NewClient();
        var health = await client.GetFromJsonAsync<HealthInfo>("/api/health");
        Assert.Equal("ok", health!.Status);
        var model = await client.GetFromJsonAsync<ModelInfo>("/api/model");
        Assert.Equal(("tiny.malaria", "basic-cnn", true), (model!.Name, model.Kind, model.Heatmaps));
        var openApi = await client.GetStringAsync("/openapi/v1.json");
        foreach (var path in new[] { "/api/predict", "/api/jobs/{id}", "/api/cells/{id}/heatmap.png", "/api/health" })
        {
            Assert.Contains($"\"{path}\"", openApi, StringComparison.Ordinal);
        }

        var page = await client.GetAsync("/");
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Contains("default-src 'self'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("<input id=\"files\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task Refused(ServeOptions options, HttpContent content, int status, string message)
    {
        using var server = new MalariaServerFactory(_model, options);
        using var client = server.NewClient();
        var response = await client.PostAsync("/api/predict", content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.False(string.IsNullOrEmpty(body), $"{message}: empty {status} answer");
        var error = System.Text.Json.JsonSerializer.Deserialize<ApiError>(body, System.Text.Json.JsonSerializerOptions.Web)!;
        Assert.Equal(status, error.Status);
        Assert.Contains(message, error.Error, StringComparison.Ordinal);
    }

    private static async Task<T> Read<T>(HttpResponseMessage response)
        => (await response.Content.ReadFromJsonAsync<T>())!;

    private static ModelMetadata FakeMetadata() => new()
    {
        ModelKind = "resnet18-mlnet",
        InputWidth = 32,
        InputHeight = 32,
        ClassNames = ["Parasitized", "Uninfected"],
        PositiveClass = "Parasitized",
    };

    /// <summary>A scorer that blocks until released, to fill the queue on purpose.</summary>
    private sealed class BlockingScorer : ICellScorer
    {
        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public float[] Score(IReadOnlyList<RgbImage> images)
        {
            Entered.TrySetResult();
            Release.Task.Wait(TimeSpan.FromSeconds(30));
            return images.Select(_ => 0.25f).ToArray();
        }

        public IReadOnlyDictionary<string, byte[]> Save() => new Dictionary<string, byte[]>();

        public void Dispose() => Release.TrySetResult();
    }

    /// <summary>A basic-cnn at 32 px trained for one epoch: the API tests need a real model, not a good one.</summary>
    public sealed class TinyModel : IDisposable
    {
        public TinyModel() => Model = TinyTraining.Train(TinyTraining.Options(epochs: 1)).Model;

        public MalariaModel Model { get; }

        public void Dispose() => Model.Dispose();
    }
}

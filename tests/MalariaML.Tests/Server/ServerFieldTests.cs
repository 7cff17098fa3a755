using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Inference;
using MalariaML.Server;
using MalariaML.Server.Api;
using MalariaML.Server.Fields;
using MalariaML.Server.Jobs;
using Microsoft.Extensions.DependencyInjection;
using SkiaSharp;

namespace MalariaML.Tests.Server;

/// <summary>Whole-field photos through the API: cut, scored and counted as <c>malaria screen</c> does, with overlay and CSV.</summary>
public sealed class ServerFieldTests : IClassFixture<ServerApiTests.TinyModel>
{
    private static readonly string FieldPath = Path.Combine(TestData.RepoRoot, "data", "fields", "patient-A", "A-field-1.jpg");

    private readonly MalariaModel _model;

    public ServerFieldTests(ServerApiTests.TinyModel fixture) => _model = fixture.Model;

    [SkippableFact]
    public async Task A_field_is_cut_into_cells_that_are_scored_counted_drawn_and_explained_as_malaria_screen_does()
    {
        Skip.IfNot(FieldScreener.IsAvailable(out var reason), reason);
        using var server = new MalariaServerFactory(_model, new ServeOptions());
        using var client = server.NewClient();
        var cells = Uploads.Cells(1);
        var fieldBytes = File.ReadAllBytes(FieldPath);
        var response = await client.PostAsync("/api/predict", Uploads.Form(("A-field-1.jpg", fieldBytes), (Path.GetFileName(cells[0]), File.ReadAllBytes(cells[0]))));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<JobStatus>())!.Result!;

        // What 'malaria screen' computes for the same photo, in process (its own decoding, segmentation, crops, scores).
        var expected = new FieldScreener(_model).Screen(ImageDecoder.Decode(fieldBytes, "A-field-1.jpg", 50_000_000), "A-field-1.jpg", "A-field-1");
        Assert.True(expected.Cells >= 30, $"the committed field should hold many cells, found {expected.Cells}");
        var field = Assert.Single(result.Fields);
        Assert.Equal(("A-field-1.jpg", expected.Cells, expected.Parasitized, expected.Objects.Count), (field.File, field.Cells, field.Parasitized, field.Objects));
        var fieldCells = result.Cells.Where(c => c.Field == "A-field-1.jpg").ToList();
        Assert.Equal(expected.Cells, fieldCells.Count);
        Assert.Equal(1, result.Cells.Count(c => c.Field is null)); // the loose cell is still a cell
        var byId = expected.Objects.Where(o => o.Probability is not null).ToDictionary(o => o.Object.Id);
        foreach (var c in fieldCells)
        {
            var o = byId[c.FieldCell!.Value];
            Assert.Equal($"A-field-1.jpg/cell_{o.Object.Id}.png", c.File);
            Assert.Equal(o.Label, c.Label);
            Assert.Equal(o.Probability!.Value, c.Probability, 5);
        }

        // The field-cells CSV has screen's columns and rows: every object, counted or excluded with its reason.
        var csv = await client.GetStringAsync($"/api/jobs/{result.Job}/field-cells.csv");
        var expectedCsv = new StringBuilder(FieldCellsCsv.Header);
        FieldCellsCsv.AppendRows(expectedCsv, expected);
        Assert.StartsWith("field,cell,x,y,width,height,area,label,probability,reason\n", csv, StringComparison.Ordinal);
        var rows = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expectedRows = expectedCsv.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expectedRows.Length, rows.Length);
        for (var i = 1; i < rows.Length; i++)
        {
            var (got, want) = (rows[i].Split(','), expectedRows[i].Split(','));
            Assert.Equal(want.Take(8).Concat(want.Skip(9)), got.Take(8).Concat(got.Skip(9)));
            if (want[8].Length > 0)
            {
                Assert.Equal(double.Parse(want[8], CultureInfo.InvariantCulture), double.Parse(got[8], CultureInfo.InvariantCulture), 5);
            }
        }

        // The overlay is the photo with outlines drawn on it.
        var overlay = ImageDecoder.Decode(await client.GetByteArrayAsync(field.Overlay), "overlay", 50_000_000);
        var photo = ImageDecoder.Decode(fieldBytes, "field", 50_000_000);
        Assert.Equal((photo.Width, photo.Height), (overlay.Width, overlay.Height));
        var changed = Enumerable.Range(0, photo.Pixels.Length).Count(i => Math.Abs(photo.Pixels[i] - overlay.Pixels[i]) > 40);
        Assert.True(changed > 1000, $"only {changed} channel values differ between the photo and its overlay");

        // A field cell's heat map is made from its crop, like any uploaded cell's.
        var crop = ImageDecoder.Decode(await client.GetByteArrayAsync($"/api/cells/{fieldCells[0].Id}/image"), "crop", 4096 * 4096);
        var heat = ImageDecoder.Decode(await client.GetByteArrayAsync(fieldCells[0].Heatmap), "heat", 4096 * 4096);
        Assert.Equal((crop.Width, crop.Height), (heat.Width, heat.Height));
        Assert.Equal(expected.Cells + 1, (await client.GetStringAsync($"/api/jobs/{result.Job}/predictions.csv")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length - 1);
    }

    [SkippableFact]
    public async Task A_field_in_a_patient_folder_of_a_zip_counts_for_that_patient()
    {
        Skip.IfNot(FieldScreener.IsAvailable(out var reason), reason);
        using var server = new MalariaServerFactory(_model, new ServeOptions());
        using var client = server.NewClient();
        var zip = Uploads.Zip(("alice/A-field-1.jpg", File.ReadAllBytes(FieldPath)));
        var result = (await (await client.PostAsync("/api/predict", Uploads.Form(("smears.zip", zip)))).Content.ReadFromJsonAsync<JobStatus>())!.Result!;
        var field = Assert.Single(result.Fields);
        Assert.Equal(("smears.zip/alice/A-field-1.jpg", "alice"), (field.File, field.Patient));
        var patient = Assert.Single(result.Patients);
        Assert.Equal(("alice", field.Cells, field.Parasitized), (patient.Patient, patient.Cells, patient.Parasitized));
    }

    [SkippableFact]
    public async Task A_large_picture_of_one_cell_is_a_cell_not_a_field()
    {
        Skip.IfNot(FieldScreener.IsAvailable(out var reason), reason);
        using var server = new MalariaServerFactory(_model, new ServeOptions());
        using var client = server.NewClient();
        using var cell = SKBitmap.Decode(Uploads.Cells(1)[0]);
        using var large = cell.Resize(new SKImageInfo(520, 520), SKFilterQuality.Medium);
        using var png = large.Encode(SKEncodedImageFormat.Png, 100);
        var response = await client.PostAsync("/api/predict", Uploads.Form(("big-cell.png", png.ToArray())));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await response.Content.ReadFromJsonAsync<JobStatus>())!.Result!;
        Assert.Empty(result.Fields);
        Assert.Equal("big-cell.png", Assert.Single(result.Cells).File);
    }

    [Fact]
    public async Task Without_opencv_a_field_is_refused_with_a_json_error_and_cells_still_score()
    {
        var options = new ServeOptions();
        using var server = new MalariaServerFactory(_model, options, services => services.AddSingleton(new FieldReader(_model, options, "OpenCV's native library could not be loaded (stand-in)")));
        using var client = server.NewClient();
        var fieldBytes = File.ReadAllBytes(FieldPath);
        var alone = await client.PostAsync("/api/predict", Uploads.Form(("A-field-1.jpg", fieldBytes)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, alone.StatusCode);
        var error = (await alone.Content.ReadFromJsonAsync<ApiError>())!;
        Assert.Contains("A-field-1.jpg: over 400 px, so possibly a whole field, but fields cannot be screened on this server: OpenCV's native library could not be loaded", error.Error, StringComparison.Ordinal);

        var cell = Uploads.Cells(1)[0];
        var mixed = (await (await client.PostAsync("/api/predict", Uploads.Form(("A-field-1.jpg", fieldBytes), (Path.GetFileName(cell), File.ReadAllBytes(cell))))).Content.ReadFromJsonAsync<JobStatus>())!.Result!;
        Assert.Equal(Path.GetFileName(cell), Assert.Single(mixed.Cells).File);
        Assert.Contains(mixed.Errors, e => e.File == "A-field-1.jpg" && e.Reason.Contains("fields cannot be screened", StringComparison.Ordinal));
    }
}

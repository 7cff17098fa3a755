using System.CommandLine;
using MalariaML.Inference;
using MalariaML.Server;

namespace MalariaML.Cli.Commands;

/// <summary><c>malaria serve</c>: the upload page and the JSON API around one loaded model.</summary>
internal static class ServeCommand
{
    /// <summary>Environment variable read when <c>--api-key</c> is not given.</summary>
    public const string ApiKeyVariable = "MALARIA_API_KEY";

    public static Command Create()
    {
        var defaults = new ServeOptions();
        var model = new Option<string>("--model") { Description = "Model file (.malaria), loaded once and shared by all requests.", Required = true };
        var urls = new Option<string>("--urls") { Description = "Addresses to listen on, ';'-separated. Anything but loopback needs an API key.", DefaultValueFactory = _ => defaults.Urls };
        var apiKey = new Option<string?>("--api-key") { Description = $"Key every API call must carry (X-Api-Key header); default ${ApiKeyVariable}." };
        var maxRequestMb = new Option<double>("--max-request-mb") { Description = "Largest request body (MiB).", DefaultValueFactory = _ => defaults.MaxRequestBytes / 1048576.0 };
        var maxFiles = new Option<int>("--max-files") { Description = "Most files per request.", DefaultValueFactory = _ => defaults.MaxFilesPerRequest };
        var maxCells = new Option<int>("--max-cells") { Description = "Most cells per request (loose and from zips).", DefaultValueFactory = _ => defaults.MaxCellsPerRequest };
        var maxPixels = new Option<long>("--max-image-pixels") { Description = "Largest image (width x height) by its header.", DefaultValueFactory = _ => defaults.MaxImagePixels };
        var maxFileMb = new Option<double>("--max-file-mb") { Description = "Largest single file, uploaded or in a zip (MiB).", DefaultValueFactory = _ => defaults.MaxFileBytes / 1048576.0 };
        var maxZipEntries = new Option<int>("--max-zip-entries") { Description = "Most entries per zip.", DefaultValueFactory = _ => defaults.MaxZipEntries };
        var maxZipMb = new Option<double>("--max-zip-mb") { Description = "Most bytes a request's zips may expand to (MiB).", DefaultValueFactory = _ => defaults.MaxZipUncompressedBytes / 1048576.0 };
        var queue = new Option<int>("--queue") { Description = "Scoring work items that may wait; beyond: 503 with Retry-After.", DefaultValueFactory = _ => defaults.QueueCapacity };
        var maxJobs = new Option<int>("--max-jobs") { Description = "Large uploads scored at once; beyond: 503 with Retry-After.", DefaultValueFactory = _ => defaults.MaxRunningJobs };
        var fieldMinSide = new Option<int>("--field-min-side") { Description = "Images with a longer side over this (px) are segmented as possible whole-field photos.", DefaultValueFactory = _ => defaults.FieldMinSide };
        var fieldMinCells = new Option<int>("--field-min-cells") { Description = "A segmented image with at least this many red cells is a field; otherwise it is one cell.", DefaultValueFactory = _ => defaults.FieldMinCells };
        var keepMinutes = new Option<double>("--keep-minutes") { Description = "How long uploads and results are kept.", DefaultValueFactory = _ => defaults.ResultLifetime.TotalMinutes };
        var workDir = new Option<string?>("--work-dir") { Description = "Private folder for uploads and results (default: a new folder under the system temp folder, deleted on exit)." };
        var device = new Option<string>("--device") { Description = "auto, cpu or cuda.", DefaultValueFactory = _ => "cpu" };
        var command = new Command("serve", "Serve the upload page and the JSON API (Ctrl+C stops).")
        {
            model, urls, apiKey, maxRequestMb, maxFiles, maxCells, maxPixels, maxFileMb, maxZipEntries, maxZipMb, queue, maxJobs, fieldMinSide, fieldMinCells, keepMinutes, workDir, device,
        };
        command.SetAction(result =>
        {
            var modelPath = result.GetValue(model)!;
            var options = new ServeOptions
            {
                Urls = result.GetValue(urls)!,
                ApiKey = result.GetValue(apiKey) ?? NullIfEmpty(Environment.GetEnvironmentVariable(ApiKeyVariable)),
                MaxRequestBytes = Mib(result.GetValue(maxRequestMb)),
                MaxFilesPerRequest = result.GetValue(maxFiles),
                MaxCellsPerRequest = result.GetValue(maxCells),
                MaxImagePixels = result.GetValue(maxPixels),
                MaxFileBytes = Mib(result.GetValue(maxFileMb)),
                MaxZipEntries = result.GetValue(maxZipEntries),
                MaxZipUncompressedBytes = Mib(result.GetValue(maxZipMb)),
                QueueCapacity = result.GetValue(queue),
                MaxRunningJobs = result.GetValue(maxJobs),
                FieldMinSide = result.GetValue(fieldMinSide),
                FieldMinCells = result.GetValue(fieldMinCells),
                ResultLifetime = TimeSpan.FromMinutes(result.GetValue(keepMinutes)),
                WorkDirectory = result.GetValue(workDir),
                ModelName = Path.GetFileName(modelPath),
            };
            options.Validate(); // before the model loads: a refused option should not cost a load
            using var loaded = MalariaModel.Load(modelPath, result.GetValue(device)!);
            var app = MalariaServer.Build(loaded, options);
            Console.WriteLine($"serving {options.ModelName} ({loaded.Metadata.ModelKind}) on {options.Urls}{(options.ApiKey is null ? "" : " (API key required)")}; Ctrl+C stops");
            app.Run();
            return 0;
        });
        return command;
    }

    private static long Mib(double value) => (long)(value * 1048576);

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

using System.Text.Json;

namespace MalariaML.Plots;

/// <summary>
/// <c>MalariaML.Plots &lt;charts.json&gt; &lt;outDir&gt;</c>: draws every chart of a <see cref="ChartBatch"/> to a PNG under
/// outDir and prints each written path. Exit codes: 0 all written; 1 some charts failed (each reported as
/// <c>error: &lt;file&gt;: reason</c> on stderr, the others still written); 2 bad usage or an unreadable batch.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("error: usage: MalariaML.Plots <charts.json> <outDir>");
            return 2;
        }

        var (batchPath, outDir) = (args[0], args[1]);
        ChartBatch batch;
        try
        {
            batch = ReadBatch(batchPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or NotSupportedException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {batchPath}: {OneLine(e.Message)}");
            return 2;
        }

        using var fonts = ChartFonts.Load(Console.Error);
        var root = Path.GetFullPath(outDir);
        var written = new HashSet<string>(StringComparer.Ordinal);
        var failed = 0;
        foreach (var spec in batch.Charts)
        {
            var name = spec.File ?? "(no file)";
            try
            {
                var target = TargetPath(root, spec.File);
                if (!written.Add(target))
                    throw new InvalidDataException("an earlier chart of this batch has the same file");
                using var image = ChartRenderer.Render(spec, fonts);
                AtomicPng.Write(image, target);
                Console.Out.WriteLine(target);
            }
            catch (Exception e)
            {
                // One bad chart must not cost the report its other charts.
                Console.Error.WriteLine($"error: {name}: {OneLine(e.Message)}");
                failed++;
            }
        }
        return failed == 0 ? 0 : 1;
    }

    private static ChartBatch ReadBatch(string path)
    {
        if (!File.Exists(path))
            throw new IOException("file not found");

        // Stricter than the shared options: a missing or null required field fails here with its name instead of
        // surfacing later as a null reference, and "kind" may come anywhere in a hand-written object.
        var options = new JsonSerializerOptions(ChartBatch.JsonOptions)
        {
            AllowOutOfOrderMetadataProperties = true,
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        using var stream = File.OpenRead(path);
        var batch = JsonSerializer.Deserialize<ChartBatch>(stream, options);
        if (batch?.Charts is null)
            throw new InvalidDataException("no \"charts\" list");
        if (batch.Charts.Any(c => c is null))
            throw new InvalidDataException("\"charts\" contains null");
        return batch;
    }

    private static string TargetPath(string root, string? file)
    {
        if (string.IsNullOrWhiteSpace(file))
            throw new InvalidDataException("no file name");
        // Charts go under outDir only: no absolute paths, no climbing out with "..".
        var target = Path.GetFullPath(Path.Combine(root, file));
        if (Path.IsPathRooted(file) || !target.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException("file must be a relative path inside the output folder");
        return target;
    }

    private static string OneLine(string message) => string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries));
}

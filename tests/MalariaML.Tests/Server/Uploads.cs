using System.IO.Compression;
using System.Net.Http.Headers;

namespace MalariaML.Tests.Server;

/// <summary>Multipart bodies and zips made of the committed sample cells.</summary>
internal static class Uploads
{
    public static IReadOnlyList<string> Cells(int perClass) => TestData.SampleCells(perClass).Select(c => c.Path).ToList();

    public static MultipartFormDataContent Form(params (string Name, byte[] Data)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, data) in files)
        {
            var part = new ByteArrayContent(data);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "files", name);
        }

        return form;
    }

    public static MultipartFormDataContent Form(IEnumerable<string> paths)
        => Form(paths.Select(p => (Path.GetFileName(p), File.ReadAllBytes(p))).ToArray());

    public static byte[] Zip(params (string Entry, byte[] Data)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (entry, data) in entries)
            {
                using var stream = zip.CreateEntry(entry, CompressionLevel.Fastest).Open();
                stream.Write(data);
            }
        }

        return buffer.ToArray();
    }
}

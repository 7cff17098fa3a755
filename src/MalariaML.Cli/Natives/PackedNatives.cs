using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using SharpCompress.Compressors.Xz;

namespace MalariaML.Cli.Natives;

/// <summary>
/// Restores the native libraries that the Linux tool package carries xz-compressed, and makes the process load them
/// from there.
/// </summary>
/// <remarks>
/// NuGet packages are Deflate zips, which leave libtorch_cpu.so at 110 MB and OpenCV at 46 MB; xz brings them to 66
/// and 31 MB, and the linux-x64 tool package under 200 MB. The pack step (the csproj's <c>PackLinuxNatives</c>)
/// writes <c>NAME.xz</c> and a <c>sha256sum</c> listing of the originals, <see cref="ManifestName"/>. At start-up the
/// tool expands each file once into the per-user cache, in a folder named after that listing, so that two versions
/// of the tool never share a library. An ordinary build has no listing and none of this runs.
/// </remarks>
internal static class PackedNatives
{
    /// <summary>The listing (<c>sha256sum</c> format: hash, two spaces, file name) of the packed libraries.</summary>
    public const string ManifestName = "packed-natives.sha256";

    // libtorch_cpu.so is not loaded by name from .NET: the dynamic linker pulls it in as a dependency of
    // libLibTorchSharp.so, and only finds it beside that file. Loaded first by full path, it satisfies that dependency
    // by its soname. OpenCV, which .NET loads by name, is instead resolved on first use (below), so that a machine
    // without GTK (which OpenCV links) can still train.
    private static readonly string[] LoadedAtStart = ["libtorch_cpu.so"];

    /// <summary>
    /// Expands and loads what the package carries compressed; does nothing where there is no listing (any build other
    /// than the Linux tool package).
    /// </summary>
    /// <param name="appDirectory">The folder of <c>malaria.dll</c>.</param>
    /// <param name="cacheRoot">Where to expand; called only when there is something to expand.</param>
    /// <exception cref="MalariaMLException">A library cannot be expanded or loaded; the message names it and why.</exception>
    public static void Restore(string appDirectory, Func<string> cacheRoot)
    {
        var manifestPath = Path.Combine(appDirectory, ManifestName);
        if (!File.Exists(manifestPath))
        {
            return;
        }

        var manifestText = File.ReadAllText(manifestPath);
        var entries = Parse(manifestText, manifestPath);
        var folder = Path.Combine(cacheRoot(), "natives", Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(manifestText)))[..16]);
        Directory.CreateDirectory(folder);

        foreach (var (name, hash) in entries)
        {
            Expand(Path.Combine(appDirectory, name + ".xz"), Path.Combine(folder, name), hash);
        }

        LinkSiblings(appDirectory, folder, entries.Select(e => e.Name).ToHashSet());

        foreach (var name in LoadedAtStart.Where(n => entries.Any(e => e.Name == n)))
        {
            var path = Path.Combine(folder, name);
            try
            {
                NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new MalariaMLException($"cannot load '{path}': {e.Message}", e);
            }
        }

        var byName = entries.Where(e => !LoadedAtStart.Contains(e.Name)).ToDictionary(e => e.Name, e => Path.Combine(folder, e.Name));
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (_, requested) => Resolve(byName, requested);
    }

    private static IReadOnlyList<(string Name, string Hash)> Parse(string text, string path)
    {
        var entries = new List<(string, string)>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            var name = parts.Length == 2 ? parts[1].TrimStart('*') : "";
            if (parts[0].Length != 64 || name.Length == 0 || name != Path.GetFileName(name))
            {
                throw new MalariaMLException($"'{path}' is damaged: '{line}' is not a SHA-256 and a file name; reinstall the tool");
            }

            entries.Add((name, parts[0].ToLowerInvariant()));
        }

        return entries;
    }

    private static void Expand(string packed, string target, string expectedHash)
    {
        // A file under its final name was verified before it got that name (see below), so it is not checked again:
        // hashing 470 MB on every start would cost about a second.
        if (File.Exists(target))
        {
            return;
        }

        if (!File.Exists(packed))
        {
            throw new MalariaMLException($"'{packed}' is missing from the tool's folder; reinstall the tool");
        }

        Console.Error.WriteLine($"first run of this version: expanding {Path.GetFileName(target)} into {Path.GetDirectoryName(target)}");
        var temporary = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        try
        {
            string hash;
            using (var input = File.OpenRead(packed))
            using (var xz = new XZStream(input))
            using (var output = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 20];
                int read;
                while ((read = xz.Read(buffer, 0, buffer.Length)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    output.Write(buffer, 0, read);
                }

                output.Flush(flushToDisk: true);
                hash = Convert.ToHexStringLower(sha.GetHashAndReset());
            }

            if (hash != expectedHash)
            {
                throw new MalariaMLException($"'{packed}' expands to a file whose SHA-256 is {hash}, not {expectedHash}; reinstall the tool");
            }

            // Another process starting at the same time may have won the race: same content, so either file will do.
            File.Move(temporary, target, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or SharpCompress.Common.SharpCompressException)
        {
            throw new MalariaMLException($"cannot expand '{packed}' into '{target}': {e.Message}", e);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    // The expanded libraries look for their own dependencies (libc10.so, libgomp) beside themselves ($ORIGIN), so the
    // cache folder links to the uncompressed libraries of the tool's folder.
    private static void LinkSiblings(string appDirectory, string folder, IReadOnlySet<string> packed)
    {
        foreach (var library in Directory.EnumerateFiles(appDirectory, "lib*.so*"))
        {
            var name = Path.GetFileName(library);
            if (packed.Contains(name) || name.EndsWith(".xz", StringComparison.Ordinal))
            {
                continue;
            }

            var link = Path.Combine(folder, name);
            var existing = new FileInfo(link);
            if (existing.LinkTarget == library)
            {
                continue;
            }

            try
            {
                // A link left by another installation of the same version, which may since have been removed.
                if (existing.LinkTarget is not null || existing.Exists)
                {
                    File.Delete(link);
                }

                File.CreateSymbolicLink(link, library);
            }
            catch (IOException) when (new FileInfo(link).LinkTarget == library)
            {
                // Created by a process that started at the same time.
            }
        }
    }

    // .NET asks here only after its own probing failed, i.e. when a P/Invoke names a library that is not in the tool's
    // folder because it is packed. Loading may still fail (OpenCV without GTK); the exception then carries the
    // dynamic linker's reason to the caller, which is what the library's OpenCV check reports.
    private static IntPtr Resolve(IReadOnlyDictionary<string, string> byName, string requested)
    {
        foreach (var candidate in new[] { requested, requested + ".so", "lib" + requested + ".so" })
        {
            if (byName.TryGetValue(candidate, out var path))
            {
                return NativeLibrary.Load(path);
            }
        }

        return IntPtr.Zero;
    }
}

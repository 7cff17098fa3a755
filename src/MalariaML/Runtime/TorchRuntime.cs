using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using TorchSharp;

namespace MalariaML.Runtime;

/// <summary>
/// Makes TorchSharp's native backend load on machines where the stock binaries cannot, and otherwise
/// stays out of the way.
/// </summary>
/// <remarks>
/// TorchSharp 0.107's <c>libLibTorchSharp.so</c> was built with GCC 13 and so asks libstdc++ for
/// <c>GLIBCXX_3.4.32</c>, although its only symbol of that version is an unused reference emitted by
/// <c>&lt;iostream&gt;</c>. On distributions with an older libstdc++ (Debian 12, Ubuntu 22.04) the whole
/// library then refuses to load. When, and only when, that happens on Linux, a copy of the library with
/// the surplus requirement marked weak is written to a per-user cache and loaded in its place; the NuGet
/// cache and the build output are never modified. Call <see cref="EnsureInitialized"/> before touching
/// any TorchSharp API.
/// </remarks>
internal static class TorchRuntime
{
    private const string NativeFileName = "libLibTorchSharp.so";

    // The libtorch libraries libLibTorchSharp.so links against. Its RUNPATH is $ORIGIN, which is useless
    // for a copy living in the cache, so they are loaded first by full path; glibc then satisfies the
    // copy's DT_NEEDED entries from the already-loaded objects by soname.
    private static readonly string[] LibTorchDependencies = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];

    private static readonly Regex MissingVersionPattern =
        new(@"version [`'](?<version>[A-Za-z0-9_.]+)' not found", RegexOptions.CultureInvariant);

    private static readonly Regex RejectedLibraryPattern =
        new(@"not found \(required by (?<path>[^)]+)\)", RegexOptions.CultureInvariant);

    // The single piece of static state: Lazy gives thread-safe, exactly-once initialisation, and caches a
    // failure too, which is right because a load failure does not fix itself within one process.
    private static readonly Lazy<TorchRuntimeInfo> Initialization =
        new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads TorchSharp's native backend (patching a private copy of <c>libLibTorchSharp.so</c> if the
    /// system libstdc++ is too old) and initialises TorchSharp's CPU device. Safe to call any number of
    /// times from any thread; only the first call does work.
    /// </summary>
    /// <returns>A description of how the runtime was loaded.</returns>
    /// <exception cref="TorchRuntimeException">
    /// The native backend cannot be loaded; the message names the library, any missing symbol versions and
    /// what to install. Later calls rethrow the same exception.
    /// </exception>
    public static TorchRuntimeInfo EnsureInitialized() => Initialization.Value;

    private static TorchRuntimeInfo Initialize()
    {
        var torchAssembly = typeof(torch).Assembly;

        // Windows and macOS builds of TorchSharp have no libstdc++ problem, so TorchSharp's own loader is
        // left to do everything it normally does.
        if (!OperatingSystem.IsLinux())
        {
            InitializeTorchSharp();
            return Describe(torchAssembly, usedPatchedCopy: false, nativePath: null, originalPath: null, weakened: []);
        }

        var directories = NativeSearchDirectories(torchAssembly);
        var original = FindFile(directories, NativeFileName);

        var stockFailure = TryStockLoad(torchAssembly);
        if (stockFailure is null)
        {
            InitializeTorchSharp();
            var loaded = MappedFile(NativeFileName) ?? original;
            return Describe(torchAssembly, usedPatchedCopy: false, nativePath: loaded, originalPath: loaded, weakened: []);
        }

        var missingFromMessage = MissingVersions(stockFailure.Message);
        if (missingFromMessage.Count > 0 && !missingFromMessage.Any(IsLibStdCxxVersion))
        {
            // A missing glibc (GLIBC_*) or other version cannot be waived: its symbols are really used.
            throw new TorchRuntimeException(
                $"TorchSharp's native library {original ?? NativeFileName} needs {string.Join(", ", missingFromMessage)}, which this system lacks. " +
                $"Use a newer Linux distribution (glibc and libstdc++ from GCC 13 or newer). Loader said: {LoaderGist(stockFailure.Message)}",
                original,
                missingFromMessage,
                stockFailure);
        }

        if (missingFromMessage.Count == 0)
        {
            // Not the problem this class knows how to fix (e.g. natives absent from the build output, where
            // TorchSharp's own fallback may still find them in the NuGet cache), so TorchSharp gets the
            // chance to succeed or to report the failure in its own words.
            InitializeTorchSharp(stockFailure);
            var loaded = MappedFile(NativeFileName) ?? original;
            return Describe(torchAssembly, usedPatchedCopy: false, nativePath: loaded, originalPath: original, weakened: []);
        }

        // The file the loader rejected is named in its message; prefer it to the probe's guess so the copy is
        // patched from exactly what TorchSharp would have loaded.
        original = RejectedLibrary(stockFailure.Message) ?? original;
        if (original is null)
        {
            throw new TorchRuntimeException(
                $"TorchSharp's native library needs {string.Join(", ", missingFromMessage)}, which this system's libstdc++ lacks, " +
                $"and {NativeFileName} could not be located to load a patched copy (searched: {string.Join(", ", directories)}). " +
                "Install libstdc++ from GCC 13 or newer, or make sure the TorchSharp-cpu package's native files are in the application's output.",
                null,
                missingFromMessage,
                stockFailure);
        }

        var (patchedPath, handle, weakened) = LoadPatchedCopy(original, directories, missingFromMessage, stockFailure);
        RouteTorchSharpTo(torchAssembly, handle);
        InitializeTorchSharp();
        return Describe(torchAssembly, usedPatchedCopy: true, nativePath: patchedPath, originalPath: original, weakened: weakened);
    }

    /// <summary>Attempts the same load TorchSharp itself performs first, returning the failure if any.</summary>
    private static DllNotFoundException? TryStockLoad(Assembly torchAssembly)
    {
        try
        {
            // Mirrors TorchSharp's LoadNativeBackend step 1, so success here means TorchSharp's own
            // initialisation will succeed unaided.
            NativeLibrary.TryLoad("torch_cpu", torchAssembly, null, out _);
            NativeLibrary.Load("LibTorchSharp", torchAssembly, null);
            return null;
        }
        catch (DllNotFoundException exception)
        {
            return exception;
        }
    }

    private static (string Path, IntPtr Handle, IReadOnlyList<string> Weakened) LoadPatchedCopy(
        string original,
        IReadOnlyList<string> directories,
        IReadOnlyList<string> missingFromMessage,
        Exception stockFailure)
    {
        var image = File.ReadAllBytes(original);
        var originalHash = Convert.ToHexStringLower(SHA256.HashData(image))[..16];
        var elf = ReadElf(original, image, missingFromMessage, stockFailure);

        // Which versions to weaken: those the libstdc++ actually mapped into this process does not define.
        // That is the very object the loader will bind the library to (dlopen reuses an already-loaded
        // soname; the .NET runtime itself links libstdc++), so it is exact, and unlike dlerror, which names
        // only the first missing version, it yields the complete set in one pass. If it cannot be read,
        // the versions named by the failed load are the fallback.
        var (libStdCxxPath, provided) = LoadedLibStdCxxVersions();
        var toWeaken = elf.Needs
            .Where(n => n.File.StartsWith("libstdc++.so", StringComparison.Ordinal)
                        && n.Version.StartsWith("GLIBCXX_", StringComparison.Ordinal)
                        && !n.IsWeak
                        && (provided is null ? missingFromMessage.Contains(n.Version) : !provided.Contains(n.Version)))
            .ToList();

        var allMissing = toWeaken.Select(n => n.Version).Union(missingFromMessage).Distinct().ToArray();
        if (toWeaken.Count == 0)
        {
            throw new TorchRuntimeException(
                $"{original} cannot be loaded because the system lacks {string.Join(", ", missingFromMessage)}, " +
                "and none of these is a libstdc++ requirement that can safely be relaxed. " +
                $"Install libstdc++ from GCC 13 or newer (or a newer glibc, if a GLIBC_* version is missing). Loader said: {LoaderGist(stockFailure.Message)}",
                original,
                allMissing,
                stockFailure);
        }

        // A weak requirement only helps when nothing actually binds to a symbol of that version; if a
        // relocation did, the library would load and then die with a symbol lookup error mid-run, so
        // refusing here gives the user an actionable error instead.
        var used = toWeaken.Where(elf.IsUsedByRelocation).ToList();
        if (used.Count > 0)
        {
            var detail = string.Join("; ", used.Select(n => $"{n.Version}: {string.Join(", ", elf.SymbolsRequiring(n).Take(5))}"));
            throw new TorchRuntimeException(
                $"{original} needs {string.Join(", ", used.Select(n => n.Version))} from libstdc++.so.6 for symbols it really calls ({detail}), " +
                $"which the system libstdc++{(libStdCxxPath is null ? string.Empty : $" ({libStdCxxPath})")} lacks. " +
                "Install libstdc++ from GCC 13 or newer (e.g. Debian 13, Ubuntu 24.04) or point LD_LIBRARY_PATH at one.",
                original,
                allMissing,
                stockFailure);
        }

        var weakenedNames = toWeaken.Select(n => n.Version).ToHashSet(StringComparer.Ordinal);
        ElfVersionNeeds.MarkWeak(image, n => n.File.StartsWith("libstdc++.so", StringComparison.Ordinal) && weakenedNames.Contains(n.Version));
        var patchedPath = WritePatchedCopy(original, originalHash, image, allMissing);

        PreloadLibTorch(original, directories);

        try
        {
            var handle = NativeLibrary.Load(patchedPath);
            return (patchedPath, handle, weakenedNames.Order(StringComparer.Ordinal).ToArray());
        }
        catch (DllNotFoundException exception)
        {
            var stillMissing = MissingVersions(exception.Message);
            var reported = stillMissing.Count > 0 ? stillMissing : allMissing;
            throw new TorchRuntimeException(
                $"{original} needs {string.Join(", ", reported)}, which the system libraries lack, and loading a copy with " +
                $"{string.Join(", ", weakenedNames)} marked weak ({patchedPath}) failed as well: {LoaderGist(exception.Message)}. " +
                "Install libstdc++ from GCC 13 or newer (e.g. Debian 13, Ubuntu 24.04) or point LD_LIBRARY_PATH at one. " +
                "If the message mentions mapping a segment, the cache folder may be on a noexec mount: set MALARIAML_CACHE to another folder.",
                original,
                reported,
                exception);
        }
    }

    private static ElfVersionNeeds ReadElf(string original, byte[] image, IReadOnlyList<string> missing, Exception stockFailure)
    {
        try
        {
            return ElfVersionNeeds.Read(image);
        }
        catch (InvalidDataException exception)
        {
            throw new TorchRuntimeException(
                $"{original} needs {string.Join(", ", missing)}, which this system's libstdc++ lacks, and it could not be patched " +
                $"({exception.Message}). Install libstdc++ from GCC 13 or newer. Loader said: {LoaderGist(stockFailure.Message)}",
                original,
                missing,
                exception);
        }
    }

    /// <summary>Writes the patched image to the cache unless an identical file is already there.</summary>
    private static string WritePatchedCopy(string original, string originalHash, byte[] patched, IReadOnlyList<string> missing)
    {
        // Keyed by the original's content, so a TorchSharp upgrade gets a fresh copy and never a stale one.
        var directory = Path.Combine(CacheRoot(), "native", originalHash);
        var target = Path.Combine(directory, NativeFileName);

        try
        {
            // Comparing contents rather than trusting existence also repairs a copy patched for a different
            // libstdc++ (a home directory shared between machines) or damaged by hand.
            if (File.Exists(target) && File.ReadAllBytes(target).AsSpan().SequenceEqual(patched))
            {
                return target;
            }

            // Temp file in the same folder, then rename(2): another process starting at the same moment sees
            // either no file or a complete one, and a process that already mapped an older file keeps it.
            AtomicFile.WriteAllBytes(target, patched);
            return target;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new TorchRuntimeException(
                $"Could not write a patched copy of {original} to {target}: {exception.Message} " +
                "Set MALARIAML_CACHE to a writable folder, or install libstdc++ from GCC 13 or newer so no copy is needed.",
                original,
                missing,
                exception);
        }
    }

    private static string CacheRoot()
    {
        try
        {
            return CacheFolder.Root();
        }
        catch (MalariaMLException e) when (e is not TorchRuntimeException)
        {
            throw new TorchRuntimeException($"Cannot choose a cache folder for the patched TorchSharp library: {e.Message}.");
        }
    }

    private static void PreloadLibTorch(string original, IReadOnlyList<string> directories)
    {
        // All three from one folder, so libtorch versions cannot mix. If the stock attempt already loaded
        // libtorch_cpu.so, its folder wins: loading a second file with the same soname by full path would map
        // a second copy of libtorch into the process. Otherwise the folder beside the original is preferred.
        var loaded = MappedFile("libtorch_cpu.so");
        var home = new[] { Path.GetDirectoryName(loaded), Path.GetDirectoryName(original) }
            .Concat(directories)
            .FirstOrDefault(d => !string.IsNullOrEmpty(d) && File.Exists(Path.Combine(d, "libtorch_cpu.so")));
        if (home is null)
        {
            // Nothing to preload; the load of the copy will then report the missing dependency by name.
            return;
        }

        foreach (var name in LibTorchDependencies)
        {
            var path = Path.Combine(home, name);
            if (File.Exists(path))
            {
                NativeLibrary.Load(path);
            }
        }
    }

    /// <summary>
    /// Sends every request TorchSharp makes for <c>LibTorchSharp</c> to the patched copy.
    /// </summary>
    private static void RouteTorchSharpTo(Assembly torchAssembly, IntPtr handle)
    {
        // The resolver answers both TorchSharp's P/Invokes and the NativeLibrary.TryLoad(name, assembly, ...)
        // probes of its LoadNativeBackend (the runtime consults an assembly's resolver for those too), so
        // the stock file is never retried. Without it things would still work, but only by accident: after
        // failing on the stock file the runtime tries the bare soname, which glibc matches to the loaded copy.
        try
        {
            NativeLibrary.SetDllImportResolver(
                torchAssembly,
                (name, _, _) => IsLibTorchSharp(name) ? handle : IntPtr.Zero);
            return;
        }
        catch (InvalidOperationException)
        {
            // TorchSharp 0.107 registers no resolver, but the host application may have, and an assembly can
            // have only one. The load context's fallback event, raised once the stock attempt has failed,
            // then does the same job without taking the application's resolver away.
        }

        var context = AssemblyLoadContext.GetLoadContext(torchAssembly) ?? AssemblyLoadContext.Default;
        context.ResolvingUnmanagedDll += (assembly, name) =>
            assembly == torchAssembly && IsLibTorchSharp(name) ? handle : IntPtr.Zero;
    }

    private static bool IsLibTorchSharp(string name) =>
        name is "LibTorchSharp" or "libLibTorchSharp" or "LibTorchSharp.so" or NativeFileName;

    private static void InitializeTorchSharp(Exception? earlierFailure = null)
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception exception) when (exception is not TorchRuntimeException)
        {
            var cause = earlierFailure is null ? string.Empty : $" The first load attempt reported: {LoaderGist(earlierFailure.Message)}";
            throw new TorchRuntimeException(
                $"TorchSharp could not initialise its CPU backend: {exception.Message}{cause} " +
                "Make sure the application references the TorchSharp-cpu package (or another libtorch runtime package).",
                exception);
        }
    }

    private static TorchRuntimeInfo Describe(
        Assembly torchAssembly,
        bool usedPatchedCopy,
        string? nativePath,
        string? originalPath,
        IReadOnlyList<string> weakened)
    {
        var torchSharpVersion =
            torchAssembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? torchAssembly.GetName().Version?.ToString()
            ?? "unknown";
        return new TorchRuntimeInfo(
            usedPatchedCopy,
            nativePath,
            originalPath,
            weakened.ToArray(),
            torchSharpVersion,
            torch.__version__,
            torch.get_num_threads(),
            torch.get_num_interop_threads());
    }

    /// <summary>
    /// Folders where TorchSharp's native files may sit, most specific first.
    /// </summary>
    /// <remarks>
    /// <c>dotnet build</c> of a project referencing TorchSharp-cpu copies the natives into
    /// <c>bin/.../runtimes/linux-x64/native/</c> and lists them in deps.json, from which the host builds
    /// <c>NATIVE_DLL_SEARCH_DIRECTORIES</c>; <c>dotnet publish -r linux-x64</c> flattens them next to the
    /// app; and scripts loading TorchSharp.dll straight from the NuGet cache have them in the package's
    /// own <c>runtimes</c> folder. All three layouts are covered.
    /// </remarks>
    private static IReadOnlyList<string> NativeSearchDirectories(Assembly torchAssembly)
    {
        var rid = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-x64";
        var candidates = new List<string>();

        void AddWithRuntimes(string? directory)
        {
            if (string.IsNullOrEmpty(directory))
            {
                return;
            }

            candidates.Add(directory);
            candidates.Add(Path.Combine(directory, "runtimes", rid, "native"));
        }

        AddWithRuntimes(AppContext.BaseDirectory);

        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchDirectories)
        {
            candidates.AddRange(searchDirectories.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        var torchDirectory = string.IsNullOrEmpty(torchAssembly.Location) ? null : Path.GetDirectoryName(torchAssembly.Location);
        AddWithRuntimes(torchDirectory);
        if (torchDirectory is not null)
        {
            // NuGet layout: <package>/<version>/lib/<tfm>/TorchSharp.dll beside <package>/<version>/runtimes/.
            candidates.Add(Path.GetFullPath(Path.Combine(torchDirectory, "..", "..", "runtimes", rid, "native")));
        }

        return candidates
            .Where(Directory.Exists)
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    private static string? FindFile(IReadOnlyList<string> directories, string fileName) =>
        directories.Select(d => Path.Combine(d, fileName)).FirstOrDefault(File.Exists);

    private static IReadOnlyList<string> MissingVersions(string loaderMessage) =>
        MissingVersionPattern.Matches(loaderMessage)
            .Select(m => m.Groups["version"].Value)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    /// <summary>
    /// The lines of a .NET load failure that explain it: the runtime lists every candidate path it tried,
    /// nearly all "No such file", which would bury the one line that matters.
    /// </summary>
    private static string LoaderGist(string loaderMessage)
    {
        var lines = loaderMessage
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(line => !line.EndsWith("No such file or directory", StringComparison.Ordinal)
                           && !line.StartsWith("Unable to load shared library", StringComparison.Ordinal))
            .ToArray();
        return lines.Length == 0 ? loaderMessage : string.Join(" ", lines);
    }

    private static string? RejectedLibrary(string loaderMessage) =>
        RejectedLibraryPattern.Matches(loaderMessage)
            .Select(m => m.Groups["path"].Value)
            .FirstOrDefault(p => Path.GetFileName(p) == NativeFileName && File.Exists(p));

    private static bool IsLibStdCxxVersion(string version) =>
        version.StartsWith("GLIBCXX_", StringComparison.Ordinal);

    /// <summary>The libstdc++ mapped into this process and the versions it defines, or nulls if unreadable.</summary>
    private static (string? Path, HashSet<string>? Versions) LoadedLibStdCxxVersions()
    {
        var path = MappedFile("libstdc++.so");
        if (path is null)
        {
            return (null, null);
        }

        try
        {
            return (path, ElfVersionNeeds.ReadFile(path).Definitions.ToHashSet(StringComparer.Ordinal));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// The path of the first file mapped into this process whose name starts with <paramref name="fileNamePrefix"/>,
    /// which is what the dynamic loader actually loaded rather than what a search would find.
    /// </summary>
    private static string? MappedFile(string fileNamePrefix)
    {
        try
        {
            return File.ReadLines("/proc/self/maps")
                .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length == 6)
                .Select(fields => fields[5].Trim())
                .FirstOrDefault(p => Path.GetFileName(p).StartsWith(fileNamePrefix, StringComparison.Ordinal) && File.Exists(p));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using MalariaML.Cli.Natives;

namespace MalariaML.Tests.Cli;

/// <summary>
/// The Linux tool package carries libtorch and OpenCV xz-compressed; these tests pack a small real native library the
/// way the csproj's PackLinuxNatives target does (sha256sum listing, <c>xz -9 --check=crc32</c>) and restore it.
/// </summary>
public sealed class PackedNativesTests : IDisposable
{
    // ML.NET's LDA library: a real ELF shared object, small enough to compress in a test.
    private static readonly string Library = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLdaNative.so");

    private readonly string root = Directory.CreateTempSubdirectory("packed-natives-").FullName;
    private string App => Path.Combine(root, "app");
    private string Cache => Path.Combine(root, "cache");

    public void Dispose() => Directory.Delete(root, recursive: true);

    [SkippableFact]
    public void Expands_verifies_links_siblings_and_resolves_by_name()
    {
        // A name no other test or package uses, so that only the resolver below can answer for it.
        var name = $"libpackedprobe{Guid.NewGuid():N}.so";
        Pack(name, sibling: "libsibling.so.1");

        PackedNatives.Restore(App, () => Cache);

        var folder = Assert.Single(Directory.GetDirectories(Path.Combine(Cache, "natives")));
        var expanded = Path.Combine(folder, name);
        Assert.Equal(File.ReadAllBytes(Library), File.ReadAllBytes(expanded));
        Assert.Equal(Path.Combine(App, "libsibling.so.1"), new FileInfo(Path.Combine(folder, "libsibling.so.1")).LinkTarget);
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));

        // .NET's own probing cannot find the library (it is not in any folder it searches), so the handle can only
        // come from the restored copy.
        var probe = name["lib".Length..^".so".Length];
        Assert.True(NativeLibrary.TryLoad(probe, typeof(PackedNativesTests).Assembly, null, out var handle));
        Assert.NotEqual(IntPtr.Zero, handle);

        // A second start reuses the file instead of expanding it again.
        var written = File.GetLastWriteTimeUtc(expanded);
        File.Delete(Path.Combine(App, name + ".xz"));
        PackedNatives.Restore(App, () => Cache);
        Assert.Equal(written, File.GetLastWriteTimeUtc(expanded));
    }

    [SkippableFact]
    public void A_damaged_archive_is_refused_and_leaves_nothing_behind()
    {
        Pack("libdamaged.so", sibling: null);
        var manifest = Path.Combine(App, PackedNatives.ManifestName);
        File.WriteAllText(manifest, new string('0', 64) + "  libdamaged.so\n");

        var error = Assert.Throws<MalariaMLException>(() => PackedNatives.Restore(App, () => Cache));
        Assert.Contains(Path.Combine(App, "libdamaged.so.xz"), error.Message);
        Assert.Contains("SHA-256", error.Message);
        var folder = Assert.Single(Directory.GetDirectories(Path.Combine(Cache, "natives")));
        Assert.Empty(Directory.GetFiles(folder, "libdamaged*"));
    }

    [SkippableFact]
    public void A_missing_archive_names_the_file()
    {
        Pack("libgone.so", sibling: null);
        File.Delete(Path.Combine(App, "libgone.so.xz"));

        var error = Assert.Throws<MalariaMLException>(() => PackedNatives.Restore(App, () => Cache));
        Assert.Contains(Path.Combine(App, "libgone.so.xz"), error.Message);
    }

    [Fact]
    public void Without_a_listing_nothing_happens()
    {
        Directory.CreateDirectory(App);
        PackedNatives.Restore(App, () => throw new InvalidOperationException("the cache must not be asked for"));
        Assert.False(Directory.Exists(Cache));
    }

    private void Pack(string name, string? sibling)
    {
        Skip.IfNot(OperatingSystem.IsLinux() && File.Exists(Library), "needs ML.NET's libLdaNative.so (linux-x64)");
        Skip.If(FindOnPath("xz") is null, "needs xz (Debian: apt-get install xz-utils) to pack a library as the tool package does");
        Directory.CreateDirectory(App);
        var target = Path.Combine(App, name);
        File.Copy(Library, target);
        if (sibling is not null)
        {
            File.WriteAllText(Path.Combine(App, sibling), "not loaded, only linked");
        }

        File.WriteAllText(Path.Combine(App, PackedNatives.ManifestName), $"{Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(target)))}  {name}\n");
        using var xz = Process.Start(new ProcessStartInfo("xz", ["-9", "--check=crc32", "-f", target]) { RedirectStandardError = true })!;
        xz.WaitForExit();
        Assert.True(xz.ExitCode == 0, xz.StandardError.ReadToEnd());
        Assert.False(File.Exists(target));
    }

    private static string? FindOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);
}

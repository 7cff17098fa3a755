using MalariaML.Runtime;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace MalariaML.Tests.Runtime;

[Collection("torch")]
public class TorchRuntimeTests(ITestOutputHelper output)
{
    private const int ImageSize = 32;
    private const int CellsPerClass = 16;

    [Fact]
    public void EnsureInitialized_ThenTensorOperationsWork()
    {
        var info = TorchRuntime.EnsureInitialized();
        output.WriteLine(info.ToString());

        using var scope = torch.NewDisposeScope();
        var product = torch.ones(2, 3).matmul(torch.ones(3, 2));
        Assert.Equal(new long[] { 2, 2 }, product.shape);
        Assert.All(product.data<float>().ToArray(), value => Assert.Equal(3f, value));

        // manual_seed goes through TorchSharp's own native-backend probe (including its CUDA check),
        // which must also find the patched library when one is in use.
        torch.random.manual_seed(7);
        var first = torch.randn(4).data<float>().ToArray();
        torch.random.manual_seed(7);
        var second = torch.randn(4).data<float>().ToArray();
        Assert.Equal(first, second);

        Assert.False(string.IsNullOrEmpty(info.LibTorchVersion));
        Assert.False(string.IsNullOrEmpty(info.TorchSharpVersion));
        Assert.True(info.IntraOpThreads > 0);
        Assert.True(info.InterOpThreads > 0);
        if (info.UsedPatchedCopy)
        {
            Assert.NotNull(info.NativeLibraryPath);
            Assert.NotEqual(info.OriginalLibraryPath, info.NativeLibraryPath);
            Assert.True(File.Exists(info.NativeLibraryPath));
            // <cache>/native/<16 hex digits of the original's SHA-256>/libLibTorchSharp.so
            var hashFolder = Path.GetFileName(Path.GetDirectoryName(info.NativeLibraryPath))!;
            Assert.Matches("^[0-9a-f]{16}$", hashFolder);
            Assert.Equal("native", Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(info.NativeLibraryPath))));
            Assert.Equal("libLibTorchSharp.so", Path.GetFileName(info.NativeLibraryPath));
            Assert.True(ElfVersionNeeds.ReadFile(info.NativeLibraryPath).Needs.Single(n => n.Version == info.WeakenedVersions[0]).IsWeak);
            Assert.NotEmpty(info.WeakenedVersions);
            Assert.All(info.WeakenedVersions, v => Assert.StartsWith("GLIBCXX_", v));
        }
        else
        {
            Assert.Empty(info.WeakenedVersions);
        }
    }

    [Fact]
    public void EnsureInitialized_IsIdempotentAcrossThreads()
    {
        var results = new TorchRuntimeInfo[8];
        Parallel.For(0, results.Length, i => results[i] = TorchRuntime.EnsureInitialized());
        Assert.All(results, r => Assert.Same(results[0], r));
        Assert.Same(results[0], TorchRuntime.EnsureInitialized());
    }

    [Fact]
    public void TrainingStepOnRealCells_LowersLoss()
    {
        TorchRuntime.EnsureInitialized();
        torch.random.manual_seed(1234);

        var (images, labels) = LoadCells();
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(images, [labels.Length, 3, ImageSize, ImageSize]);
        var y = torch.tensor(labels);

        var model = nn.Sequential(
            nn.Conv2d(3, 8, kernel_size: 3, padding: 1),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size: 2),
            nn.Conv2d(8, 16, kernel_size: 3, padding: 1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
            nn.Linear(16, 2));
        var optimizer = optim.Adam(model.parameters(), lr: 0.01);

        double Loss()
        {
            using var noGrad = torch.no_grad();
            return nn.functional.cross_entropy(model.forward(x), y).item<float>();
        }

        var before = Loss();
        for (var step = 0; step < 10; step++)
        {
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }

        var after = Loss();
        output.WriteLine($"cross-entropy on {labels.Length} cells: before {before:F4}, after 10 Adam steps {after:F4}");
        Assert.True(double.IsFinite(before) && double.IsFinite(after), $"loss before {before}, after {after}");
        Assert.True(after < before, $"loss did not fall: before {before}, after {after}");
    }

    [Fact]
    public void ElfVersionNeeds_FindsAndWeakensOnlyTheGccThirteenRequirement()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // The Linux build of LibTorchSharp is the only ELF file the packages ship.
        }

        var original = FindLibTorchSharp();
        var originalBytes = File.ReadAllBytes(original);
        var elf = ElfVersionNeeds.Read(originalBytes);

        var need = Assert.Single(elf.Needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.IsWeak);
        Assert.Contains("_ZSt21ios_base_library_initv", elf.SymbolsRequiring(need));
        Assert.False(elf.IsUsedByRelocation(need));
        Assert.Contains(elf.Needs, n => n.File == "libc.so.6" && n.Version.StartsWith("GLIBC_", StringComparison.Ordinal));
        Assert.Contains(elf.Needs, n => n.Version == "GLIBCXX_3.4.30");

        var copy = Path.Combine(Path.GetTempPath(), $"elf-{Guid.NewGuid():N}.so");
        try
        {
            File.Copy(original, copy);
            var image = File.ReadAllBytes(copy);
            var changed = ElfVersionNeeds.MarkWeak(image, n => n.Version == "GLIBCXX_3.4.32");
            File.WriteAllBytes(copy, image);

            Assert.Equal("GLIBCXX_3.4.32", Assert.Single(changed).Version);
            var patched = File.ReadAllBytes(copy);
            Assert.Equal(originalBytes.Length, patched.Length);

            var differing = Enumerable.Range(0, patched.Length).Where(i => patched[i] != originalBytes[i]).ToArray();
            Assert.NotEmpty(differing);
            Assert.All(differing, i => Assert.InRange(i, need.FlagsOffset, need.FlagsOffset + 1));

            var reread = ElfVersionNeeds.Read(patched);
            Assert.True(Assert.Single(reread.Needs, n => n.Version == "GLIBCXX_3.4.32").IsWeak);
            Assert.Equal(
                elf.Needs.Where(n => n != need),
                reread.Needs.Where(n => n.Version != "GLIBCXX_3.4.32" || n.File != need.File));

            // Weakening is idempotent: a second pass finds nothing left to change.
            Assert.Empty(ElfVersionNeeds.MarkWeak(patched, n => n.Version == "GLIBCXX_3.4.32"));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void ElfVersionNeeds_RejectsNonElfInput()
    {
        Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.Read(new byte[128]));
    }

    private static string FindLibTorchSharp()
    {
        var info = TorchRuntime.EnsureInitialized();
        if (info.OriginalLibraryPath is not null)
        {
            return info.OriginalLibraryPath;
        }

        return Directory.EnumerateFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories).First();
    }

    private static (float[] Images, long[] Labels) LoadCells()
    {
        var root = TestData.SampleRoot;
        var classes = new[] { "Uninfected", "Parasitized" };
        var pixels = new List<float>();
        var labels = new List<long>();
        for (var label = 0; label < classes.Length; label++)
        {
            var files = Directory.EnumerateFiles(Path.Combine(root, classes[label]), "*.png")
                .Order(StringComparer.Ordinal)
                .Take(CellsPerClass)
                .ToList();
            Assert.True(files.Count == CellsPerClass, $"expected {CellsPerClass} PNGs in {root}/{classes[label]}, found {files.Count}");
            foreach (var file in files)
            {
                pixels.AddRange(DecodeChw(file));
                labels.Add(label);
            }
        }

        return (pixels.ToArray(), labels.ToArray());
    }

    private static float[] DecodeChw(string path) => TestData.PlanarPixels(path, ImageSize, 1f / 255f);
}

using System.Diagnostics;
using System.Text;
using MalariaML.Data;
using MalariaML.Preprocessing;
using MalariaML.Splits;
using MalariaML.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit.Abstractions;

namespace MalariaML.Tests.Robustness;

/// <summary>
/// Every entry point that reads images, run over a seeded corpus of damaged and unusual files made from real cells:
/// no crash, no hang, every file used (valid images in other formats and layouts are converted) or skipped with a reason,
/// and forged sizes refused before pixels are allocated.
/// </summary>
/// <remarks>
/// CI runs <see cref="CiSlice"/> entries. The full corpus runs on request:
/// <c>MALARIAML_FULL_FUZZ=1 dotnet test tests/MalariaML.Tests -c Release --filter "Category=Explicit" --logger "console;verbosity=detailed"</c>
/// (the counts are printed to the test output).
/// </remarks>
[Collection("torch")]
public class CorruptImageTests(ITestOutputHelper output)
{
    /// <summary>Entries in the CI run: every mutation about 12 times.</summary>
    public const int CiSlice = 200;

    /// <summary>Entries in the explicit full run.</summary>
    public const int FullRun = 1000;

    /// <summary>Seed of the corpus (the first <see cref="CiSlice"/> entries of the full run are the CI slice).</summary>
    public const int Seed = 20_240_521;

    /// <summary>
    /// The hang detector: no single file may take longer to decode. Generous on purpose (a cell decodes in milliseconds);
    /// this is not a speed test.
    /// </summary>
    private static readonly TimeSpan PerFileLimit = TimeSpan.FromSeconds(5);

    [Fact]
    public void Every_entry_point_survives_the_corpus_slice() => RunCorpus(CiSlice);

    [SkippableFact]
    [Trait("Category", "Explicit")]
    public void Every_entry_point_survives_the_full_corpus()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable("MALARIAML_FULL_FUZZ") == "1",
            "explicit run: set MALARIAML_FULL_FUZZ=1 and filter Category=Explicit");
        RunCorpus(FullRun);
    }

    [Fact]
    public void The_corpus_is_reproducible_and_each_entry_is_what_it_claims()
    {
        using var a = TestData.NewTempFolder();
        using var b = TestData.NewTempFolder();
        var first = CorruptImageCorpus.Write(a.Path, 48, Seed);
        var second = CorruptImageCorpus.Write(b.Path, 48, Seed);
        Assert.Equal(first.Entries.Select(e => Path.GetRelativePath(a.Path, e.Path)), second.Entries.Select(e => Path.GetRelativePath(b.Path, e.Path)));
        Assert.All(first.Entries.Zip(second.Entries), p => Assert.Equal(p.First.Bytes, p.Second.Bytes));
        Assert.All(first.Entries, e => Assert.Equal(e.Bytes, File.ReadAllBytes(e.Path)));
        Assert.Equal(Enum.GetValues<Mutation>().Order(), first.Entries.Select(e => e.Mutation).Distinct().Order());
        var dataset = CellDataset.Load(a.Path);
        Assert.Equal(first.Entries.Count, dataset.Cells.Count);
        Assert.All(dataset.Cells, c => Assert.Equal(first[c.Path].Label, c.Label));

        foreach (var e in first.Entries)
        {
            var original = File.ReadAllBytes(e.SourcePath);
            var bytes = e.Bytes;
            switch (e.Mutation)
            {
                case Mutation.ZeroBytes:
                    Assert.Empty(bytes);
                    break;
                case Mutation.Truncated:
                    Assert.InRange(bytes.Length, 1, original.Length - 1);
                    Assert.Equal(original[..bytes.Length], bytes);
                    break;
                case Mutation.FlippedBytes:
                    Assert.Equal(original.Length, bytes.Length);
                    Assert.InRange(original.Zip(bytes).Count(p => p.First != p.Second), 1, 8);
                    break;
                case Mutation.HugeHeader:
                {
                    var ihdr = CorruptImageCorpus.Chunks(bytes)[0];
                    Assert.Equal("IHDR", ihdr.Type);
                    Assert.Equal(100_000, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ihdr.Data));
                    Assert.Equal(100_000, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ihdr.Data.AsSpan(4)));
                    Assert.Equal(CorruptImageCorpus.Crc32("IHDR", ihdr.Data), ihdr.Crc);
                    Assert.Equal(CorruptImageCorpus.Chunks(original).Skip(1), CorruptImageCorpus.Chunks(bytes).Skip(1), new ChunkComparer());
                    break;
                }

                case Mutation.CorruptCrc:
                {
                    var chunks = CorruptImageCorpus.Chunks(bytes);
                    Assert.Single(chunks, c => c.Crc != CorruptImageCorpus.Crc32(c.Type, c.Data));
                    Assert.Equal(CorruptImageCorpus.Chunks(original).Select(c => c.Type + Convert.ToHexString(c.Data)), chunks.Select(c => c.Type + Convert.ToHexString(c.Data)));
                    break;
                }

                case Mutation.ChunkDeleted:
                    Assert.Equal(CorruptImageCorpus.Chunks(original).Count - 1, CorruptImageCorpus.Chunks(bytes).Count);
                    break;
                case Mutation.ChunkDuplicated:
                    Assert.Equal(CorruptImageCorpus.Chunks(original).Count + 1, CorruptImageCorpus.Chunks(bytes).Count);
                    break;
                case Mutation.ChunksReordered:
                {
                    var before = CorruptImageCorpus.Chunks(original);
                    var after = CorruptImageCorpus.Chunks(bytes);
                    Assert.Equal(2, before.Zip(after).Count(p => !new ChunkComparer().Equals(p.First, p.Second)));
                    Assert.Equal(before.Select(c => c.Type).Order(), after.Select(c => c.Type).Order());
                    break;
                }

                case Mutation.JpegAsPng:
                    Assert.Equal([0xFF, 0xD8, 0xFF], bytes[..3]);
                    break;
                case Mutation.GifAsPng:
                    Assert.Equal("GIF89a"u8.ToArray(), bytes[..6]);
                    break;
                case Mutation.BmpAsPng:
                    Assert.Equal("BM"u8.ToArray(), bytes[..2]);
                    break;
                case Mutation.WebpAsPng:
                    Assert.Equal("RIFF"u8.ToArray(), bytes[..4]);
                    Assert.Equal("WEBP"u8.ToArray(), bytes[8..12]);
                    break;
                case Mutation.Grayscale or Mutation.Rgba or Mutation.Rgb16 or Mutation.OnePixel:
                {
                    var header = CorruptImageCorpus.Chunks(bytes)[0].Data;
                    var (depth, colorType) = (header[8], header[9]);
                    var expected = e.Mutation switch
                    {
                        Mutation.Grayscale => (8, 0),
                        Mutation.Rgba => (8, 6),
                        Mutation.Rgb16 => (16, 2),
                        _ => (8, 2),
                    };
                    Assert.Equal(expected, (depth, colorType));
                    if (e.Mutation == Mutation.OnePixel)
                    {
                        Assert.Equal((1, 1), (e.ExpectedPixels!.Width, e.ExpectedPixels.Height));
                    }

                    break;
                }
            }
        }
    }

    [Fact]
    public void A_header_claiming_100000_by_100000_pixels_is_refused_before_its_pixels_are_allocated()
    {
        using var temp = TestData.NewTempFolder();
        // Entry 6 is the first HugeHeader entry (mutation i mod 16).
        var corpus = CorruptImageCorpus.Write(temp.Path, 16 + 7, Seed);
        var huge = corpus.Entries.Where(e => e.Mutation == Mutation.HugeHeader).ToList();
        Assert.Equal(2, huge.Count);
        foreach (var entry in huge)
        {
            // 10^10 pixels would take 40 GB as 32-bit pixels: refusal must come from the header alone.
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            var native = Assert.Throws<InvalidImageException>(() => ImageDecoder.DecodeFile(entry.Path));
            var resized = Assert.Throws<InvalidImageException>(() => ImageDecoder.DecodeFile(entry.Path, ImageLoadOptions.Square(32)));
            clock.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
            Assert.Contains("100000x100000", native.Reason);
            Assert.Contains("over the limit", native.Reason);
            Assert.Equal(native.Reason, resized.Reason);
            Assert.True(clock.Elapsed < PerFileLimit, $"{entry}: refusal took {clock.Elapsed}");
            Assert.True(allocated < 4 * entry.Bytes.Length + 256 * 1024, $"{entry}: {allocated:N0} managed bytes allocated to refuse it");
        }

        var scan = DatasetScanner.Scan(CellDataset.Load(temp.Path));
        Assert.All(huge, e => Assert.Contains("over the limit", Assert.Single(scan.Skipped, s => s.Path == e.Path).Reason));
        var decoded = new CellImageLoader(ImageLoadOptions.Square(32)).Decode(scan.Dataset.Cells);
        Assert.All(huge, e => Assert.Contains("over the limit", Assert.Single(decoded.Skipped, s => s.Path == e.Path).Reason));
    }

    private void RunCorpus(int count)
    {
        using var temp = TestData.NewTempFolder();
        var corpus = CorruptImageCorpus.Write(temp.Path, count, Seed);
        var report = new Report(corpus);

        // 1. Every file alone through the decoder every entry point uses, timed: the hang detector.
        foreach (var e in corpus.Entries)
        {
            report.Decode(e);
        }

        Assert.True(report.Crashes.Count == 0, "decoder crashes:\n" + string.Join("\n", report.Crashes));
        Assert.True(report.Hangs.Count == 0, "decodes over the per-file limit:\n" + string.Join("\n", report.Hangs));
        var wrong = report.Mismatches().ToList();
        Assert.True(wrong.Count == 0, "entries not handled as expected:\n" + string.Join("\n", wrong));

        var limit = TimeSpan.FromSeconds(Math.Max(120, count * 0.5));
        var dataset = CellDataset.Load(corpus.Root);
        Assert.Equal(count, dataset.Cells.Count);

        // 2. Dataset summary: the scan must agree file by file with the lone decodes.
        var scan = Within("DatasetScanner.Scan", limit, () => DatasetScanner.Scan(dataset));
        report.Agrees("DatasetScanner.Scan", scan.Usable.Select(u => u.Cell.Path), scan.Skipped);
        Assert.All(scan.Usable, u => Assert.Equal((u.Width, u.Height), report.SizeOf(u.Cell.Path)));
        _ = DatasetSummary.From(scan);

        // 3. Fast preprocessing path.
        var loader = new CellImageLoader(new ImageLoadOptions { Width = 32, Height = 32, Sampling = ResizeSampling.Nearest });
        var decoded = Within("CellImageLoader.Decode", limit, () => loader.Decode(dataset.Cells));
        report.Agrees("CellImageLoader.Decode", decoded.Cells.Select(c => c.Path), decoded.Skipped);
        Assert.All(decoded.Images, i => Assert.Equal(32 * 32 * 3, i.Pixels.Length));

        // 4. ML.NET pipeline: its LoadImages throws on bad files, so it is given the scan's usable cells, and all must pass,
        // giving the fast path's pixels (both sample nearest neighbour).
        var mlnet = Within("MlNetImagePipeline", limit, () => MlNetPixels(scan.Usable.Select(u => u.Cell).ToList()));
        Assert.Equal(scan.Usable.Count, mlnet.Count);
        var fastByPath = decoded.Cells.Select((c, i) => (c.Path, Image: decoded.Images[i])).ToDictionary(p => p.Path, p => p.Image);
        var differ = scan.Usable.Select((u, i) => (Entry: corpus[u.Cell.Path], Diff: MaxAbsDiff(mlnet[i], TestData.Planar(fastByPath[u.Cell.Path]))))
            .Where(d => d.Diff > 1e-6f).Select(d => $"{d.Entry}: ML.NET and the fast path differ by up to {d.Diff}").ToList();
        Assert.True(differ.Count == 0, "preprocessing paths disagree:\n" + string.Join("\n", differ));
        report.Stage("MlNetImagePipeline", scan.Usable.Count, 0);

        // 5. Training data loading on a patient split of the raw corpus (bad files included, as a saved split may hold them).
        var split = DatasetSplitter.Split(dataset, SplitStrategy.Patient, SplitRatios.Default, seed: 3);
        var options = new ModelTrainingOptions
        {
            Model = "basic-cnn", ImageSize = 32, Epochs = 1, BatchSize = 32, Seed = 11, Device = "cpu", EarlyStoppingPatience = 0,
        };
        var trained = Within("ModelTrainer.Train", limit, () => ModelTrainer.Train(split, dataset.Classes, dataset.PositiveClass, options));
        using var model = trained.Model;
        // Training reads the training and validation parts only; the test part is the evaluate step's.
        var inSplit = new[] { SplitPart.Train, SplitPart.Validation }.SelectMany(p => split[p]).Select(c => c.Path).ToHashSet();
        report.Agrees("ModelTrainer.Train", inSplit.Where(p => report.Used(p)), trained.Skipped, inSplit);
        Assert.Single(trained.History.Epochs);
        Assert.True(double.IsFinite(trained.History.Epochs[0].Loss), "training loss is not finite");

        // 6. Prediction over every file of the corpus with the model just trained.
        var paths = corpus.Entries.Select(e => e.Path).ToList();
        var predicted = Within("MalariaModel.PredictMany", limit, () => model.PredictMany(paths));
        report.Agrees("MalariaModel.PredictMany", predicted.Predictions.Select(p => p.Source), predicted.Skipped);
        Assert.All(predicted.Predictions, p => Assert.InRange(p.Probability, 0.0, 1.0));
        Assert.Equal(paths.Where(report.Used), predicted.Predictions.Select(p => p.Source));

        report.Print(output);
    }

    private static T Within<T>(string what, TimeSpan limit, Func<T> work)
    {
        var task = Task.Run(work);
        try
        {
            if (!task.Wait(limit))
            {
                Assert.Fail($"{what} did not finish within {limit} (hang)");
            }
        }
        catch (AggregateException e)
        {
            Assert.Fail($"{what} crashed: {e.InnerException}");
        }

        return task.Result;
    }

    private static List<float[]> MlNetPixels(IReadOnlyList<CellImage> cells)
    {
        var ml = new MLContext(seed: 1);
        var pipeline = MlNetImagePipeline.Create(ml, ImageLoadOptions.Square(32));
        try
        {
            var data = MlNetImagePipeline.ToDataView(ml, cells);
            return pipeline.Fit(data).Transform(data).GetColumn<VBuffer<float>>(MlNetImagePipeline.PixelsColumn)
                .Select(v => v.DenseValues().ToArray()).ToList();
        }
        catch (Exception whole)
        {
            // Name the files ML.NET refused, one by one.
            var failures = new StringBuilder();
            foreach (var cell in cells)
            {
                try
                {
                    var one = MlNetImagePipeline.ToDataView(ml, [cell]);
                    _ = pipeline.Fit(one).Transform(one).GetColumn<VBuffer<float>>(MlNetImagePipeline.PixelsColumn).ToList();
                }
                catch (Exception e)
                {
                    failures.AppendLine($"{cell.Path}: {e.GetType().Name}: {e.Message}");
                }
            }

            throw new Xunit.Sdk.XunitException($"ML.NET failed on usable cells ({whole.Message}):\n{failures}");
        }
    }

    private static float MaxAbsDiff(float[] a, float[] b)
        => a.Length != b.Length ? float.PositiveInfinity : a.Zip(b, (x, y) => Math.Abs(x - y)).DefaultIfEmpty(0f).Max();

    private sealed class ChunkComparer : IEqualityComparer<CorruptImageCorpus.Chunk>
    {
        public bool Equals(CorruptImageCorpus.Chunk? x, CorruptImageCorpus.Chunk? y)
            => x is not null && y is not null && x.Type == y.Type && x.Crc == y.Crc && x.Data.AsSpan().SequenceEqual(y.Data);

        public int GetHashCode(CorruptImageCorpus.Chunk obj) => obj.Type.GetHashCode();
    }

    /// <summary>Outcome of every file: used (with its size) or skipped (with its reason), crashes and hangs.</summary>
    private sealed class Report(CorruptImageCorpus corpus)
    {
        private readonly Dictionary<string, (int W, int H)> _used = [];
        private readonly Dictionary<string, string> _skipped = [];
        private readonly Dictionary<string, string> _mismatch = [];
        private readonly List<string> _stages = [];
        private TimeSpan _slowest;
        private string _slowestFile = "";

        public List<string> Crashes { get; } = [];

        public List<string> Hangs { get; } = [];

        public bool Used(string path) => _used.ContainsKey(path);

        public (int W, int H) SizeOf(string path) => _used[path];

        public void Decode(CorpusEntry e)
        {
            var clock = Stopwatch.StartNew();
            try
            {
                var image = ImageDecoder.DecodeFile(e.Path);
                _used[e.Path] = (image.Width, image.Height);
                if (e.ExpectedPixels is { } expected)
                {
                    if ((image.Width, image.Height) != (expected.Width, expected.Height))
                    {
                        _mismatch[e.Path] = $"decoded {image.Width}x{image.Height}, expected {expected.Width}x{expected.Height}";
                    }
                    else
                    {
                        var mean = image.Pixels.Zip(expected.Pixels, (a, b) => Math.Abs(a - b)).Average();
                        if (mean > e.MaxMeanAbsDiff)
                        {
                            _mismatch[e.Path] = $"decoded pixels differ from the source by {mean:F3} on average (allowed {e.MaxMeanAbsDiff})";
                        }
                    }
                }
            }
            catch (InvalidImageException x)
            {
                if (string.IsNullOrWhiteSpace(x.Reason))
                {
                    Crashes.Add($"{e}: skipped without a reason");
                }

                _skipped[e.Path] = x.Reason;
            }
            catch (Exception x)
            {
                Crashes.Add($"{e}: {x.GetType().Name}: {x.Message}");
            }

            clock.Stop();
            if (clock.Elapsed > _slowest)
            {
                (_slowest, _slowestFile) = (clock.Elapsed, e.ToString());
            }

            if (clock.Elapsed > PerFileLimit)
            {
                Hangs.Add($"{e}: {clock.Elapsed.TotalSeconds:F1} s");
            }
        }

        public IEnumerable<string> Mismatches()
        {
            foreach (var e in corpus.Entries)
            {
                if (_mismatch.TryGetValue(e.Path, out var m))
                {
                    yield return $"{e}: {m}";
                }

                var used = _used.ContainsKey(e.Path);
                _skipped.TryGetValue(e.Path, out var reason);
                if (e.Expected == Expectation.Use && !used)
                {
                    yield return $"{e}: a valid image was refused ({reason})";
                }
                else if (e.Expected == Expectation.Skip && used)
                {
                    yield return $"{e}: an unusable file was used";
                }
                else if (e.ReasonContains is { } text && reason?.Contains(text, StringComparison.Ordinal) != true)
                {
                    yield return $"{e}: reason '{reason}' lacks '{text}'";
                }
            }
        }

        /// <summary>Checks that an entry point used and skipped exactly the files the lone decodes did, with the same reasons.</summary>
        public void Agrees(string stage, IEnumerable<string> usedPaths, IReadOnlyList<SkippedFile> skipped, IReadOnlySet<string>? scope = null)
        {
            var used = usedPaths.ToList();
            var inScope = corpus.Entries.Select(e => e.Path).Where(p => scope?.Contains(p) ?? true).ToList();
            var problems = new List<string>();
            var seen = used.Concat(skipped.Select(s => s.Path)).ToList();
            problems.AddRange(seen.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => $"{corpus[g.Key]}: reported {g.Count()} times"));
            problems.AddRange(inScope.Except(seen).Select(p => $"{corpus[p]}: neither used nor skipped"));
            problems.AddRange(used.Where(p => !_used.ContainsKey(p)).Select(p => $"{corpus[p]}: used, but alone it is skipped ({_skipped.GetValueOrDefault(p)})"));
            foreach (var s in skipped)
            {
                if (string.IsNullOrWhiteSpace(s.Reason))
                {
                    problems.Add($"{corpus[s.Path]}: skipped without a reason");
                }
                else if (!_skipped.TryGetValue(s.Path, out var reason))
                {
                    problems.Add($"{corpus[s.Path]}: skipped ({s.Reason}), but alone it decodes");
                }
                else if (reason != s.Reason)
                {
                    problems.Add($"{corpus[s.Path]}: skipped for '{s.Reason}', alone for '{reason}'");
                }
            }

            Assert.True(problems.Count == 0, $"{stage}:\n" + string.Join("\n", problems));
            Stage(stage, used.Count, skipped.Count);
        }

        public void Stage(string stage, int used, int skipped) => _stages.Add($"{stage}: {used} used, {skipped} skipped, 0 crashes, 0 hangs");

        public void Print(ITestOutputHelper output)
        {
            var skipped = _skipped.GroupBy(p => p.Value).OrderByDescending(g => g.Count()).ToList();
            output.WriteLine($"corpus: {corpus.Entries.Count} files (seed {Seed}) in {corpus.Root}");
            output.WriteLine($"used: {_used.Count}");
            output.WriteLine($"skipped: {_skipped.Count}");
            foreach (var g in skipped)
            {
                output.WriteLine($"  {g.Count(),5}  {g.Key}");
            }

            output.WriteLine($"crashes: {Crashes.Count}");
            output.WriteLine($"hangs (over {PerFileLimit.TotalSeconds:F0} s per file): {Hangs.Count}; slowest file {_slowest.TotalMilliseconds:F0} ms ({_slowestFile})");
            output.WriteLine("");
            output.WriteLine($"{"mutation",-16} {"files",5} {"used",5} {"skipped",7}");
            foreach (var g in corpus.Entries.GroupBy(e => e.Mutation))
            {
                output.WriteLine($"{g.Key,-16} {g.Count(),5} {g.Count(e => _used.ContainsKey(e.Path)),5} {g.Count(e => _skipped.ContainsKey(e.Path)),7}");
            }

            output.WriteLine("");
            output.WriteLine("entry points (same files used and skipped, same reasons, as the lone decodes):");
            foreach (var s in _stages)
            {
                output.WriteLine("  " + s);
            }
        }
    }
}

using BenchmarkDotNet.Attributes;
using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Inference;
using MalariaML.Models;
using MalariaML.Runtime;
using MalariaML.Tests.Fields;

namespace MalariaML.Benchmarks;

/// <summary>
/// Whole fields composed from the real sample cells (as the tests compose them), at three sizes with the cells scaled
/// along (32, 64 and 128 px across): segmentation alone, segmentation plus cutting out every counted cell, and the whole
/// screen of one field with <c>basic-cnn</c> (segment, crop, PNG round trip as for cell files, classify). One operation
/// is one field; the ratio column compares each size with 640x480.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Fields")]
public class FieldBenchmarks
{
    private RgbImage field = null!;
    private FieldSegmenter segmenter = null!;
    private FieldScreener screener = null!;
    private MalariaModel model = null!;

    [Params("640x480", "1280x960", "2560x1920")]
    public string Size { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        var (width, height) = Size switch { "640x480" => (640, 480), "1280x960" => (1280, 960), _ => (2560, 1920) };
        var cells = BenchData.Cells(BenchData.MaxDistinctCells).Select(c => c.Path).Distinct().ToList();
        field = SyntheticField.Compose(cells, width, height, diameter: 64.0 * width / 1280, seed: 1).Image;
        segmenter = new FieldSegmenter();
        TorchRuntime.EnsureInitialized();
        var (network, size) = Networks.Create(ModelCatalog.BasicCnn);
        model = new MalariaModel(new TorchCellScorer(network), new ModelMetadata
        {
            ModelKind = ModelCatalog.BasicCnn,
            InputWidth = size,
            InputHeight = size,
            ClassNames = ["Uninfected", "Parasitized"],
            PositiveClass = "Parasitized",
        });
        screener = new FieldScreener(model);
    }

    [Benchmark(Baseline = true)]
    [Work(Images = false)]
    public int Segment() => segmenter.Segment(field).Objects.Count;

    [Benchmark]
    [Work(Images = false)]
    public int SegmentAndCrop()
    {
        var segmentation = segmenter.Segment(field);
        var cropper = new CellCropper(segmentation.CellDiameter);
        return segmentation.CountedCells.Sum(c => cropper.Crop(field, c).Width);
    }

    [Benchmark]
    [Work(Images = false)]
    public int ScreenWithBasicCnn() => screener.Screen(field, "field", "patient").Parasitized;

    [GlobalCleanup]
    public void Cleanup() => model.Dispose();
}

using MalariaML.Data;
using MalariaML.Evaluation;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Training;

namespace MalariaML.Tests.Training;

/// <summary>
/// Training keeps file paths, not pixels, and decodes every batch again: the images, the skipped files and the trained
/// weights must be exactly those of the run that decoded everything once.
/// </summary>
[Collection("torch")]
public class DecodeOnReadTests
{
    [Fact]
    public void Decoding_on_read_gives_the_same_cells_images_and_skipped_files_as_decoding_once()
    {
        using var temp = TestData.NewTempFolder();
        var cells = TestData.SampleCells(6).ToList();
        // One truncated copy of a real cell: skipped by both, with the same reason.
        var bad = Path.Combine(temp.Path, "C1P1thinF_IMG_0_cell_1.png");
        var bytes = File.ReadAllBytes(cells[0].Path);
        File.WriteAllBytes(bad, bytes[..(bytes.Length / 3)]);
        cells.Insert(3, cells[0] with { Path = bad });

        var loader = new CellImageLoader(ImageLoadOptions.Square(48));
        var once = loader.Decode(cells);
        var lazy = loader.DecodeOnRead(cells);

        Assert.IsType<DecodeOnReadImages>(lazy.Images);
        Assert.Equal(once.Cells, lazy.Cells);
        Assert.Equal(once.Skipped, lazy.Skipped);
        Assert.Single(lazy.Skipped);
        Assert.Equal(once.Images.Count, lazy.Images.Count);
        for (var i = 0; i < once.Images.Count; i++)
        {
            Assert.Equal(once.Images[i].Pixels, lazy.Images[i].Pixels);
        }
    }

    [Fact]
    public void A_file_that_breaks_after_the_check_fails_with_its_name()
    {
        using var temp = TestData.NewTempFolder();
        var source = TestData.SampleCells(1)[0];
        var copy = Path.Combine(temp.Path, Path.GetFileName(source.Path));
        File.Copy(source.Path, copy);
        var lazy = new CellImageLoader(ImageLoadOptions.Square(32)).DecodeOnRead([source with { Path = copy }]);
        File.WriteAllBytes(copy, []);

        var error = Assert.Throws<InvalidImageException>(() => lazy.Images[0]);
        Assert.Contains(copy, error.Message);
    }

    [Fact]
    public void Kept_cells_fill_the_budget_in_order_and_are_not_read_from_their_files_again()
    {
        using var temp = TestData.NewTempFolder();
        var cells = TestData.SampleCells(5).Select(c =>
        {
            var copy = Path.Combine(temp.Path, Path.GetFileName(c.Path));
            File.Copy(c.Path, copy);
            return c with { Path = copy };
        }).ToList();
        var loader = new CellImageLoader(ImageLoadOptions.Square(32));
        var once = loader.Decode(cells);
        // Room for two images and a half: two are kept, the rest decoded on read.
        var budget = RgbImage.ByteCount(32, 32) * 5L / 2;
        var lazy = loader.DecodeOnRead(cells, keepBytes: budget);

        var images = Assert.IsType<DecodeOnReadImages>(lazy.Images);
        Assert.Equal(2, images.KeptCount);
        foreach (var cell in cells)
        {
            File.WriteAllBytes(cell.Path, []);
        }

        Assert.Equal(once.Images[0].Pixels, images[0].Pixels);
        Assert.Equal(once.Images[1].Pixels, images[1].Pixels);
        var error = Assert.Throws<InvalidImageException>(() => images[2]);
        Assert.Contains(cells[2].Path, error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => loader.DecodeOnRead(cells, keepBytes: -1));
    }

    [Fact]
    public void Training_on_images_decoded_per_batch_matches_training_on_kept_pixels_to_the_last_digit()
    {
        var loader = new CellImageLoader(ImageLoadOptions.Square(32));
        var cells = TestData.SampleCells(20);
        var kept = loader.Decode(cells);
        // Half the cells kept, half decoded per batch: both paths in one run.
        var lazy = loader.DecodeOnRead(cells, keepBytes: RgbImage.ByteCount(32, 32) * 10L);
        Assert.Equal(10, Assert.IsType<DecodeOnReadImages>(lazy.Images).KeptCount);
        var labels = kept.Cells.Select(c => c.Label == "Parasitized").ToArray();
        (IReadOnlyList<EpochRecord> History, byte[] Weights) Run(DecodedCells data)
        {
            MalariaML.Runtime.TorchRuntime.EnsureInitialized();
            TorchSharp.torch.manual_seed(7);
            using var network = new MalariaML.Models.BasicCnn(32);
            var options = new TrainingOptions { Epochs = 2, BatchSize = 8, Seed = 7, Device = "cpu", EarlyStoppingPatience = 0 };
            var result = Trainer.Train(network, new ImageBatchSource(data.Images, labels, ImageAugmentation.Article),
                new ImageBatchSource(data.Images, labels), options);
            return (result.History.Epochs.Select(e => e with { Seconds = 0 }).ToList(), ModuleState.Save(network));
        }

        var (keptHistory, keptWeights) = Run(kept);
        var (lazyHistory, lazyWeights) = Run(lazy);
        Assert.Equal(keptHistory, lazyHistory);
        Assert.Equal(keptWeights, lazyWeights);
    }
}

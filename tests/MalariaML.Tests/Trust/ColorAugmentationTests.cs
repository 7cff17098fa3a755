using MalariaML.Data;
using MalariaML.Preprocessing;
using MalariaML.Training;
using MalariaML.Training.Augmentation;
using TorchSharp;
using static TorchSharp.torch;

namespace MalariaML.Tests.Trust;

[Collection("torch")]
public class ColorAugmentationTests
{
    private static readonly DecodedCells Cells = new CellImageLoader(ImageLoadOptions.Square(48)).Decode(TestData.SampleCells(8));

    public ColorAugmentationTests() => TrustFixtures.EnsureTorch();

    private static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void Brightness_alone_scales_every_cell_pixel_within_its_bounds_and_keeps_the_background_black()
    {
        using var input = CellImageLoader.ToTensor(Cells.Images);
        var options = ColorAugmentation.None with { Brightness = 0.2 };
        using var output = ColorAugmenter.Apply(input, options, new Random(7));
        float[] before = Values(input), after = Values(output);
        var factors = new List<double>();
        var plane = before.Length / Cells.Images.Count;
        for (var image = 0; image < Cells.Images.Count; image++)
        {
            var seen = new List<double>();
            for (var i = image * plane; i < (image + 1) * plane; i++)
            {
                if (before[i] == 0)
                {
                    // Black background: a pixel whose three channels are all black stays black.
                    continue;
                }

                if (after[i] < 1f && before[i] > 0.05f)
                {
                    var ratio = after[i] / before[i];
                    Assert.InRange(ratio, 0.8 - 1e-4, 1.2 + 1e-4);
                    seen.Add(ratio);
                }
            }

            // One factor per image: every unclamped pixel of the image was scaled alike.
            Assert.True(seen.Max() - seen.Min() < 1e-3, $"image {image}: factors from {seen.Min()} to {seen.Max()}");
            factors.Add(Math.Round(seen.Average(), 3));
        }

        Assert.True(factors.Distinct().Count() > 1, "images of a batch draw their own factors");

        // Pixels black in all three channels stay exactly black.
        using var mask = input.amax([1]).eq(0f);
        using var outMax = output.amax([1]);
        Assert.Equal(0f, outMax.masked_select(mask).abs().max().item<float>());
    }

    [Fact]
    public void Default_augmentation_changes_colours_moderately_stays_in_range_and_is_reproducible_from_its_seed()
    {
        using var input = CellImageLoader.ToTensor(Cells.Images);
        using var a = ColorAugmenter.Apply(input, ColorAugmentation.Default, new Random(3));
        using var b = ColorAugmenter.Apply(input, ColorAugmentation.Default, new Random(3));
        using var c = ColorAugmenter.Apply(input, ColorAugmentation.Default, new Random(4));
        Assert.Equal(Values(a), Values(b));
        Assert.NotEqual(Values(a), Values(c));
        Assert.InRange(a.min().item<float>(), 0f, 0f);
        Assert.InRange(a.max().item<float>(), 0f, 1f);

        // Per image and channel, the cell's mean colour moves, but by less than the bounds allow in the worst case
        // (brightness 15% + contrast/saturation 15% + hue + stain on a mean of at most 1).
        using var mask = input.amax([1], keepdim: true).gt(0f).to(ScalarType.Float32);
        using var area = mask.sum([2, 3]);
        using var meanBefore = input.mul(mask).sum([2, 3]).div(area);
        using var meanAfter = a.mul(mask).sum([2, 3]).div(area);
        using var shift = meanAfter.sub(meanBefore).abs();
        Assert.True(shift.max().item<float>() < 0.25f, $"largest mean shift {shift.max().item<float>()}");
        Assert.True(shift.mean().item<float>() > 0.005f, $"mean shift {shift.mean().item<float>()}: the colours barely changed");
    }

    [Fact]
    public void No_change_options_are_the_identity()
    {
        using var input = CellImageLoader.ToTensor(Cells.Images);
        using var output = ColorAugmenter.Apply(input, ColorAugmentation.None, new Random(1));
        Assert.Equal(Values(input), Values(output));
    }

    [Fact]
    public void A_source_with_colour_augmentation_gives_raw_pixels_without_a_generator()
    {
        var labels = Cells.Cells.Select(c => c.Label == "Parasitized").ToArray();
        var source = new ImageBatchSource(Cells.Images, labels, ImageAugmentation.Article, ColorAugmentation.Default);
        int[] all = [.. Enumerable.Range(0, Cells.Images.Count)];
        using var raw = CellImageLoader.ToTensor(Cells.Images, all, null, channelsLast: true);
        using var plain = source.Inputs(all, null, CPU);
        using var augmented = source.Inputs(all, new Random(2), CPU);
        Assert.Equal(Values(raw), Values(plain));
        Assert.NotEqual(Values(raw), Values(augmented));
    }

    [Fact]
    public void Training_with_colour_augmentation_validates_on_unaugmented_cells()
    {
        // The validation source itself is configured to augment: the loop must still never hand it a generator.
        var labels = Cells.Cells.Select(c => c.Label == "Parasitized").ToArray();
        var strong = new ColorAugmentation { Brightness = 0.6, Contrast = 0.6, Saturation = 0.6, Hue = 0.3, MaxNoise = 0.3, BlurProbability = 1 };
        torch.manual_seed(5);
        using var network = new MalariaML.Models.BasicCnn(48);
        var options = new TrainingOptions { Epochs = 1, BatchSize = 8, Seed = 5, Device = "cpu", EarlyStoppingPatience = 0 };
        var result = Trainer.Train(network, new ImageBatchSource(Cells.Images, labels, null, strong),
            new ImageBatchSource(Cells.Images, labels, null, strong), options);
        var (loss, _) = Trainer.Evaluate(network, new ImageBatchSource(Cells.Images, labels), 8, CPU);
        Assert.Equal(loss, result.History.Epochs[0].ValidationLoss, 6);
    }

    [Fact]
    public void Out_of_range_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => (ColorAugmentation.Default with { Brightness = -0.1 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (ColorAugmentation.Default with { Hue = double.NaN }).Validate());
    }
}

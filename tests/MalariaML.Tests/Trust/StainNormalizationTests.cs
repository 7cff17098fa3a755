using System.IO.Compression;
using MalariaML.Data;
using MalariaML.Fields;
using MalariaML.Inference;
using MalariaML.Preprocessing;
using MalariaML.Splits;
using MalariaML.Tests.Training;

namespace MalariaML.Tests.Trust;

[Collection("torch")]
public class StainNormalizationTests
{
    private const int SurroundMaxSum = 30;

    private static readonly IReadOnlyList<RgbImage> Cells = TrustFixtures.Cells(size: 48, perClass: 8);

    // Another lab's stain: darker, redder and bluer than the NIH cells (interior medians about L 67, a 21, b 10).
    private static readonly ColorStatistics OtherLab = new([55.0, 30.0, -2.0], [1.5, 1.2, 0.8]);

    private static bool IsSurround(RgbImage image, int pixel)
        => image.Pixels[3 * pixel] + image.Pixels[3 * pixel + 1] + image.Pixels[3 * pixel + 2] <= SurroundMaxSum;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Every_real_cells_Lab_centre_reaches_the_reference_its_contrast_stays_and_the_background_stays_black(bool otherLab)
    {
        // The reference measured on half of the cells, applied to the other half; or a reference far from every cell.
        var stain = otherLab ? new StainNormalization(OtherLab, 1) : StainNormalization.Measure(Cells.Where((_, i) => i % 2 == 0));
        var target = stain.Reference;
        var cells = otherLab ? Cells : Cells.Where((_, i) => i % 2 == 1).ToList();
        var farBefore = 0;
        foreach (var cell in cells)
        {
            var before = LabColor.RobustStatistics(cell)!;
            var normalised = stain.Apply(cell);
            var after = LabColor.RobustStatistics(normalised)!;
            for (var c = 0; c < 3; c++)
            {
                // 8-bit rounding and the few pixels pushed out of the RGB gamut keep it from being exact.
                Assert.True(Math.Abs(after.Mean[c] - target.Mean[c]) < 0.6, $"channel {c}: centre {after.Mean[c]:F2}, reference {target.Mean[c]:F2}");
                // The cell's own contrast (a parasite's dark pixels included) is kept, not matched, up to the 8-bit
                // rounding of the moved pixels (a few tenths of a Lab unit; the interior spreads are 0.1 to 2 units).
                Assert.True(Math.Abs(after.StdDev[c] - before.StdDev[c]) < 0.4 + 0.1 * before.StdDev[c], $"channel {c}: spread {before.StdDev[c]:F2} became {after.StdDev[c]:F2}");
                if (Math.Abs(before.Mean[c] - target.Mean[c]) > 1.5)
                {
                    farBefore++;
                }
            }

            var surround = Enumerable.Range(0, cell.Width * cell.Height).Where(p => IsSurround(cell, p)).ToList();
            Assert.True(surround.Count > cell.Width * cell.Height / 20, "the NIH crop should have a black surround");
            Assert.All(surround, p => Assert.True(normalised.Pixels[3 * p] == 0 && normalised.Pixels[3 * p + 1] == 0 && normalised.Pixels[3 * p + 2] == 0));
        }

        // The cells really had to move (every channel of every cell towards the other lab; the sample's own cells lie
        // closer to their reference): otherwise the test would pass with normalisation removed.
        Assert.True(farBefore >= (otherLab ? 3 * cells.Count : cells.Count / 2), $"only {farBefore} channel centres were far from the reference before");
    }

    [Fact]
    public void A_model_trained_with_stain_normalisation_stores_the_training_cells_reference_and_applies_it_at_prediction()
    {
        using var temp = TestData.NewTempFolder();
        var path = Path.Combine(temp.Path, "stain.malaria");
        using (var trained = TinyTraining.Train(TinyTraining.Options(epochs: 2) with { StainNormalization = true }).Model)
        {
            trained.Save(path);
        }

        using var model = MalariaModel.Load(path);
        var stain = model.Metadata.StainNormalization;
        Assert.NotNull(stain);
        // Measured on the training cells (fewer than the 1,000-cell sample) at the input size, nothing else.
        var train = new CellImageLoader(ImageLoadOptions.Square(32)).Decode(TinyTraining.Split[SplitPart.Train]).Images;
        var expected = StainNormalization.Measure(train);
        Assert.Equal(expected.Cells, stain.Cells);
        for (var c = 0; c < 3; c++)
        {
            Assert.Equal(expected.Reference.Mean[c], stain.Reference.Mean[c], 6);
            Assert.Equal(expected.Reference.StdDev[c], stain.Reference.StdDev[c], 6);
        }

        // A cell from another lab: predicting its file gives what the network gives the normalised cell, not the raw one.
        var cells = TinyTraining.Split[SplitPart.Test].Take(12).ToList();
        var moved = 0;
        foreach (var cell in cells)
        {
            var original = ImageDecoder.DecodeFile(cell.Path);
            var own = LabColor.RobustStatistics(original)!;
            var recoloured = LabColor.Transfer(original, own, OtherLab with { StdDev = own.StdDev });
            var png = PngFile.Encode(recoloured);
            var raw = ImageDecoder.Decode(png, cell.Path, ImageLoadOptions.Square(32));
            var predicted = model.Predict(png, cell.Path).Probability;
            var scores = model.PredictProbabilities([stain.Apply(raw), raw]);
            var (normalisedScore, rawScore) = (scores[0], scores[1]);
            Assert.Equal(normalisedScore, predicted, 5);
            if (Math.Abs(rawScore - normalisedScore) > 1e-5)
            {
                moved++;
            }

            // What normalisation is for: the recoloured cell scores about as the original cell does.
            var originalScore = model.Predict(cell.Path).Probability;
            Assert.True(Math.Abs(originalScore - predicted) < 0.05, $"{cell.Path}: {originalScore:F3} as it is, {predicted:F3} recoloured");
        }

        Assert.True(moved > cells.Count / 2, $"normalisation changed the score of only {moved} of {cells.Count} recoloured cells");
    }

    [Fact]
    public void A_model_without_stain_normalisation_writes_no_reference_and_decodes_cells_as_they_are()
    {
        using var temp = TestData.NewTempFolder();
        var path = Path.Combine(temp.Path, "plain.malaria");
        using (var model = TrustFixtures.BasicCnn(seed: 2))
        {
            model.Save(path);
        }

        using (var zip = ZipFile.OpenRead(path))
        using (var reader = new StreamReader(zip.GetEntry("metadata.json")!.Open()))
        {
            Assert.DoesNotContain("stainNormalization", reader.ReadToEnd(), StringComparison.OrdinalIgnoreCase);
        }

        using var loaded = MalariaModel.Load(path);
        Assert.Null(loaded.LoadOptions.Normalization);
        var file = TestData.SampleCells(1)[0].Path;
        Assert.Equal(ImageDecoder.DecodeFile(file, ImageLoadOptions.Square(32)).Pixels, ImageDecoder.DecodeFile(file, loaded.LoadOptions).Pixels);
    }
}

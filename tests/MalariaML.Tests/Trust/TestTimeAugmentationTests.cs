using MalariaML.Inference;
using static TorchSharp.torch;

namespace MalariaML.Tests.Trust;

[Collection("torch")]
public class TestTimeAugmentationTests
{
    [Fact]
    public void Tta_of_a_network_whose_output_does_not_depend_on_orientation_equals_the_network()
    {
        var images = TrustFixtures.Cells();
        using var model = new MalariaModel(new TorchCellScorer(TrustFixtures.PooledNetwork(seed: 4)), TrustFixtures.Metadata(32));
        var plain = model.PredictProbabilities(images);
        model.TestTimeAugmentation = true;
        var averaged = model.PredictProbabilities(images);
        Assert.Equal(plain.Length, averaged.Length);
        for (var i = 0; i < plain.Length; i++)
        {
            Assert.Equal(plain[i], averaged[i], 5);
        }

        Assert.True(plain.Distinct().Count() > 1, "the network must tell the cells apart for the comparison to mean something");
    }

    [Fact]
    public void Tta_averages_the_eight_orientations_of_an_orientation_dependent_model()
    {
        var images = TrustFixtures.Cells();
        using var model = new MalariaModel(new TrustFixtures.TopRowScorer(), TrustFixtures.Metadata(32));
        var plain = model.PredictProbabilities(images);
        model.TestTimeAugmentation = true;
        var averaged = model.PredictProbabilities(images);
        for (var k = 0; k < images.Count; k++)
        {
            // Each orientation puts another border on top, read in either direction: the mean is the four borders' mean red.
            var image = images[k];
            int w = image.Width, h = image.Height;
            double Red(int x, int y) => image.Pixels[((y * w) + x) * 3] / 255.0;
            var top = Enumerable.Range(0, w).Average(x => Red(x, 0));
            var bottom = Enumerable.Range(0, w).Average(x => Red(x, h - 1));
            var left = Enumerable.Range(0, h).Average(y => Red(0, y));
            var right = Enumerable.Range(0, h).Average(y => Red(w - 1, y));
            Assert.Equal((top + bottom + left + right) / 4, averaged[k], 5);
            Assert.Equal(top, plain[k], 5);
        }
    }

    [Fact]
    public void The_eight_orientations_of_a_real_cell_are_distinct_and_four_quarter_turns_are_the_identity()
    {
        var image = TrustFixtures.Cells(perClass: 1)[0];
        var views = TestTimeAugmenter.SquareViews.Select(v => Convert.ToBase64String(TestTimeAugmenter.Orient(image, v.QuarterTurns, v.Mirrored).Pixels)).ToList();
        Assert.Equal(8, views.Distinct().Count());
        var turned = image;
        for (var i = 0; i < 4; i++)
        {
            turned = TestTimeAugmenter.Orient(turned, 1, false);
        }

        Assert.Equal(image.Pixels, turned.Pixels);
        // Mirroring twice is the identity as well.
        Assert.Equal(image.Pixels, TestTimeAugmenter.Orient(TestTimeAugmenter.Orient(image, 0, true), 0, true).Pixels);
    }
}

using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Preprocessing;

namespace MalariaML.Tests.Training;

[Collection("torch")]
public class FrozenAndFineTuneTests
{
    [Fact]
    public void Frozen_resnet18_trains_its_head_on_cached_features_and_a_second_run_reuses_them()
    {
        using var cache = TestData.NewTempFolder();
        var options = TinyTraining.Options(epochs: 2) with { Model = ModelCatalog.ResNet18Frozen, ImageSize = 64, CacheDirectory = cache.Path };
        var first = TinyTraining.Train(options);
        var file = Directory.GetFiles(cache.Path).Single();
        var cells = TinyTraining.Split.Train.Count + TinyTraining.Split.Validation.Count; // training never reads the test part
        Assert.Equal(cells * (32 + 512 * 4), new FileInfo(file).Length);
        var written = File.GetLastWriteTimeUtc(file);

        var second = TinyTraining.Train(options);
        Assert.Equal(written, File.GetLastWriteTimeUtc(file));
        Assert.Equal(first.Validation, second.Validation);
        Assert.InRange(first.Validation!.Auc, 0.6, 1.0); // ImageNet features separate the classes even at 64 px
        first.Model.Dispose();
        second.Model.Dispose();
    }

    [Fact]
    public void Cached_features_equal_a_fresh_forward_pass()
    {
        using var cache = TestData.NewTempFolder();
        var images = new CellImageLoader(ImageLoadOptions.Square(64)).Decode(TestData.SampleCells(2)).Images;
        var featureCache = new FeatureCache(cache.Path, "test", 3);
        var calls = 0;
        float[][] Compute(IReadOnlyList<RgbImage> batch)
        {
            calls++;
            return batch.Select(i => new float[] { i.Pixels[0], i.Pixels[100], i.Pixels.Length }).ToArray();
        }

        var a = featureCache.GetOrCompute(images, Compute, 2);
        Assert.Equal(2, calls);
        var reopened = new FeatureCache(cache.Path, "test", 3);
        var b = reopened.GetOrCompute(images, Compute, 2);
        Assert.Equal(2, calls);
        Assert.Equal(a, b);
        Assert.Equal(images[0].Pixels[100], b[0][1]);

        // A torn record (a run killed mid-write) is dropped, and the rest stays usable.
        File.AppendAllText(reopened.FilePath, "torn");
        Assert.Equal(images.Count, new FeatureCache(cache.Path, "test", 3).Count);
    }

    [Fact]
    public void Fine_tuning_trains_only_the_last_two_stages_and_the_head()
    {
        var trained = TinyTraining.Train(TinyTraining.Options(epochs: 1) with { Model = ModelCatalog.ResNet18FineTune, ImageSize = 64, BatchSize = 16 });
        var network = ((MalariaML.Inference.TorchCellScorer)trained.Model.Scorer).Network;
        var trainable = network.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.NotEmpty(trainable);
        Assert.All(trainable, n => Assert.True(n.Contains(ResNet18LayerNames.Stage3 + ".") || n.Contains(ResNet18LayerNames.Stage4 + ".") || n.StartsWith("head."), n));
        Assert.Contains(trainable, n => n.Contains(ResNet18LayerNames.Stage3 + "."));
        Assert.DoesNotContain(trainable, n => n.Contains(ResNet18LayerNames.Stage2 + "."));
        Assert.Single(trained.History.Epochs);
        trained.Model.Dispose();
    }
}

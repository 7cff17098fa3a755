using MalariaML.Data;
using MalariaML.Models;
using MalariaML.Preprocessing;
using MalariaML.Training;
using static TorchSharp.torch;

namespace MalariaML.Tests.Training;

/// <summary>The pretrained ResNet18 as training uses it: what fine-tuning may change, and what the feature cache holds.</summary>
[Collection("torch")]
public class PretrainedNetworkTests
{
    [Fact]
    public void Fine_tuning_changes_the_trained_stages_and_leaves_frozen_weights_and_batch_norm_statistics_alone()
    {
        var loader = new CellImageLoader(ImageLoadOptions.Square(64));
        var cells = loader.Decode(TinyTraining.Split.Train.Take(48).ToList());
        var labels = cells.Cells.Select(c => c.Label == "Parasitized").ToList();
        MalariaML.Runtime.TorchRuntime.EnsureInitialized(); // the native-library fix must run before TorchSharp loads
        manual_seed(1);
        using var network = new ResNet18Classifier(pretrained: true, trainableStages: 2);
        var before = network.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        // One epoch at a rate high enough for every trained tensor to move visibly.
        var options = new TrainingOptions { Epochs = 1, BatchSize = 16, LearningRate = 1e-3, Optimizer = "rmsprop", Seed = 1, Device = "cpu", EarlyStoppingPatience = 0 };
        Trainer.Train(network, new ImageBatchSource(cells.Images, labels, ImageAugmentation.Article), new ImageBatchSource(cells.Images, labels), options);

        var trained = new[] { ResNet18LayerNames.Stage3 + ".", ResNet18LayerNames.Stage4 + ".", "head." };
        var changed = new List<string>();
        var unchanged = new List<string>();
        foreach (var (name, after) in network.state_dict())
        {
            if (!after.is_floating_point())
            {
                continue; // batch counters
            }

            (before[name].allclose(after, rtol: 0, atol: 0) ? unchanged : changed).Add(name);
        }

        bool IsTrained(string name) => trained.Any(name.Contains);
        // Every weight of stages 1-2 and the stem, and every running mean and variance of their batch norms, is as imported.
        Assert.All(changed, name => Assert.True(IsTrained(name), $"{name} is frozen but changed"));
        Assert.Contains(unchanged, n => n.Contains(ResNet18LayerNames.Stage1 + ".") && n.EndsWith("running_mean", StringComparison.Ordinal));
        Assert.Contains(unchanged, n => n.Contains(ResNet18LayerNames.StemConv));
        // ...while the trained stages and the head did learn.
        foreach (var prefix in trained)
        {
            Assert.Contains(changed, n => n.Contains(prefix) && n.EndsWith("weight", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_feature_cache_written_by_training_holds_a_real_ResNet18_forward_pass()
    {
        using var cache = TestData.NewTempFolder();
        var options = TinyTraining.Options(epochs: 1) with { Model = ModelCatalog.ResNet18Frozen, ImageSize = 64, CacheDirectory = cache.Path };
        TinyTraining.Train(options).Model.Dispose();

        // A fresh network, run in the plain NCHW layout (training extracts in channels-last), on the first training cells.
        var images = new CellImageLoader(ImageLoadOptions.Square(64)).Decode(TinyTraining.Split.Train.Take(8).ToList()).Images;
        using var network = new ResNet18Classifier(pretrained: true, trainableStages: 0);
        network.eval();
        float[] fresh;
        using (no_grad())
        {
            fresh = network.Features(CellImageLoader.ToTensor(images, CPU, channelsLast: false)).contiguous().data<float>().ToArray();
        }

        var stored = new FeatureCache(cache.Path, $"{network.FeatureExtractorId}-64", network.FeatureCount)
            .GetOrCompute(images, _ => throw new InvalidOperationException("the training run should have cached these cells"), 8);
        var flat = stored.SelectMany(f => f).ToArray();
        Assert.Equal(fresh.Length, flat.Length);
        var worst = fresh.Zip(flat, (a, b) => Math.Abs(a - b) / Math.Max(1f, Math.Abs(a))).Max();
        Assert.True(worst < 1e-4, $"cached features differ from a forward pass by up to {worst} (relative)");
        Assert.True(fresh.Count(v => v != 0) > fresh.Length / 4, "the forward pass gives mostly zeros: not a real network");
    }
}

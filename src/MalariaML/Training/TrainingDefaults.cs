using MalariaML.Models;

namespace MalariaML.Training;

/// <summary>
/// How each catalogued model is trained unless the caller overrides it: the article's optimizers and rates, and the
/// geometric augmentation of the fine-tuned networks. Kept beside the trainer rather than in the model catalog so that
/// describing or rebuilding a network (<c>Models/</c>) never depends on how it is trained.
/// </summary>
internal static class TrainingDefaults
{
    private static readonly TrainingOptions Adam = new() { Optimizer = "adam", LearningRate = 1e-3 };

    // The article fine-tunes pretrained layers with a small RMSprop step so that ImageNet features are adjusted, not erased.
    private static readonly TrainingOptions RmsProp = new() { Optimizer = "rmsprop", LearningRate = 1e-5 };

    private static readonly IReadOnlyDictionary<string, TrainingDefault> Defaults =
        new Dictionary<string, TrainingDefault>(StringComparer.OrdinalIgnoreCase)
        {
            [ModelCatalog.BasicCnn] = new(Adam, null),
            [ModelCatalog.ResNet18Frozen] = new(Adam, null),
            [ModelCatalog.ResNet18FineTune] = new(RmsProp, ImageAugmentation.Article),
            [ModelCatalog.Vgg19Frozen] = new(Adam, null),
            [ModelCatalog.Vgg19FineTune] = new(RmsProp, ImageAugmentation.Article),
            // One pass: ML.NET's L-BFGS runs to convergence inside it.
            [ModelCatalog.ResNet18MlNet] = new(new TrainingOptions { Epochs = 1 }, null),
        };

    /// <summary>The defaults of a catalogued model.</summary>
    /// <exception cref="MalariaMLException">Unknown name (the catalog's message, listing the known ones).</exception>
    public static TrainingDefault For(string model)
        => Defaults.TryGetValue(model, out var defaults) ? defaults : Defaults[ModelCatalog.Get(model).Name];
}

/// <summary>A model's default training loop options and augmentation of training images (null for none).</summary>
internal sealed record TrainingDefault(TrainingOptions Loop, ImageAugmentation? Augmentation);

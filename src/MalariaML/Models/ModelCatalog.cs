namespace MalariaML.Models;

/// <summary>The models MalariaML trains, by name: a table rather than a chain of ifs, so adding one is one entry.</summary>
public static class ModelCatalog
{
    /// <summary>The article's CNN trained from scratch.</summary>
    public const string BasicCnn = "basic-cnn";

    /// <summary>Frozen ImageNet ResNet18 features with the article's dense head.</summary>
    public const string ResNet18Frozen = "resnet18-frozen";

    /// <summary>ImageNet ResNet18 with its last two stages and the head fine-tuned, with augmentation.</summary>
    public const string ResNet18FineTune = "resnet18-finetune";

    /// <summary>VGG-19 with user-supplied torchvision weights as a frozen feature extractor with the article's dense head.</summary>
    public const string Vgg19Frozen = "vgg19-frozen";

    /// <summary>VGG-19 with user-supplied torchvision weights, blocks 4-5 and the head fine-tuned, with augmentation.</summary>
    public const string Vgg19FineTune = "vgg19-finetune";

    /// <summary>The all-ML.NET baseline: ML.NET's ResNet18 featurizer and L-BFGS logistic regression.</summary>
    public const string ResNet18MlNet = "resnet18-mlnet";

    private static readonly IReadOnlyDictionary<string, ModelDefinition> Definitions = new[]
    {
        new ModelDefinition(BasicCnn, "The article's CNN from scratch: 3 conv blocks (32, 64, 128) + dense 512-512-1.", 125, ModelFamily.Network,
            o => new BasicCnn(o.ImageSize)),
        new ModelDefinition(ResNet18Frozen, "ImageNet ResNet18 (shipped ONNX weights) as a frozen feature extractor + dense head; features cached.", 224, ModelFamily.FrozenFeatures,
            o => new ResNet18Classifier(o.Pretrained, trainableStages: 0)),
        new ModelDefinition(ResNet18FineTune, "ImageNet ResNet18 with stages 3-4 and the head fine-tuned (RMSprop), with augmentation.", 125, ModelFamily.Network,
            o => new ResNet18Classifier(o.Pretrained, trainableStages: 2)),
        new ModelDefinition(Vgg19Frozen, "VGG-19 (torchvision weights from --weights) as a frozen feature extractor + dense head; features cached.", 125, ModelFamily.FrozenFeatures,
            o => new Vgg19Classifier(o.WeightsPath, o.Pretrained, trainableBlocks: 0)) { RequiresWeightsFile = true },
        new ModelDefinition(Vgg19FineTune, "VGG-19 (torchvision weights from --weights) with blocks 4-5 and the head fine-tuned (RMSprop), with augmentation.", 125, ModelFamily.Network,
            o => new Vgg19Classifier(o.WeightsPath, o.Pretrained, trainableBlocks: 2)) { RequiresWeightsFile = true },
        new ModelDefinition(ResNet18MlNet, "ML.NET only: DnnFeaturizeImage (ResNet18, one image at a time) + L-BFGS logistic regression.", 224, ModelFamily.MlNet, null),
    }.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>All model names.</summary>
    public static IReadOnlyCollection<string> Names => Definitions.Keys.ToList();

    /// <summary>One line on what the model is and how it is trained.</summary>
    /// <exception cref="MalariaMLException">Unknown name; the message lists the known ones.</exception>
    public static string Describe(string name) => Get(name).Description;

    /// <summary>Looks a model up by name.</summary>
    /// <exception cref="MalariaMLException">Unknown name; the message lists the known ones.</exception>
    internal static ModelDefinition Get(string name)
        => Definitions.TryGetValue(name, out var definition)
            ? definition
            : throw new MalariaMLException($"unknown model '{name}': use one of {string.Join(", ", Names)}");
}

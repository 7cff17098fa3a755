using MalariaML.Models;
using static TorchSharp.torch;

namespace MalariaML.Benchmarks;

/// <summary>Builds the catalog's networks as the trainer does (pretrained weights where the model has them).</summary>
internal static class Networks
{
    /// <summary>The models the network benchmarks compare.</summary>
    public static IEnumerable<string> Names => [ModelCatalog.BasicCnn, ModelCatalog.ResNet18FineTune];

    /// <summary>The network and its input size.</summary>
    public static (nn.Module<Tensor, Tensor> Network, int ImageSize) Create(string name)
    {
        var definition = ModelCatalog.Get(name);
        var create = definition.CreateNetwork ?? throw new InvalidOperationException($"{name} is not a TorchSharp network");
        manual_seed(42);
        return (create(new ModelBuildOptions(definition.ImageSize)), definition.ImageSize);
    }
}

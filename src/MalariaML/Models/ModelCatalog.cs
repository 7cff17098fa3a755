using MalariaML.Training;

namespace MalariaML.Models;

/// <summary>The models MalariaML trains, by name: a table rather than a chain of ifs, so adding one is one entry.</summary>
public static class ModelCatalog
{
    /// <summary>The article's CNN trained from scratch.</summary>
    public const string BasicCnn = "basic-cnn";

    private static readonly IReadOnlyDictionary<string, ModelDefinition> Definitions = new[]
    {
        new ModelDefinition(BasicCnn, "The article's CNN from scratch: 3 conv blocks (32, 64, 128) + dense 512-512-1.", 125,
            new TrainingOptions { Optimizer = "adam", LearningRate = 1e-3 }, null,
            o => new BasicCnn(o.ImageSize)),
    }.ToDictionary(d => d.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>All model names.</summary>
    public static IReadOnlyCollection<string> Names => Definitions.Keys.ToList();

    /// <summary>Looks a model up by name.</summary>
    /// <exception cref="MalariaMLException">Unknown name; the message lists the known ones.</exception>
    public static ModelDefinition Get(string name)
        => Definitions.TryGetValue(name, out var definition)
            ? definition
            : throw new MalariaMLException($"unknown model '{name}': use one of {string.Join(", ", Names)}");
}

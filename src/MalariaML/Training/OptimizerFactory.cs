using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MalariaML.Training;

/// <summary>Optimizers by name: a table instead of an if-chain, so adding one is one line.</summary>
internal static class OptimizerFactory
{
    private static readonly IReadOnlyDictionary<string, Func<IEnumerable<Parameter>, double, OptimizerHelper>> Factories =
        new Dictionary<string, Func<IEnumerable<Parameter>, double, OptimizerHelper>>(StringComparer.OrdinalIgnoreCase)
        {
            ["adam"] = (p, lr) => optim.Adam(p, lr),
            ["rmsprop"] = (p, lr) => optim.RMSProp(p, lr),
            ["sgd"] = (p, lr) => optim.SGD(p, lr, momentum: 0.9),
        };

    /// <summary>Known optimizer names.</summary>
    public static IReadOnlyCollection<string> Names => Factories.Keys.ToList();

    /// <summary>Creates the named optimizer over <paramref name="parameters"/>.</summary>
    /// <exception cref="MalariaMLException">Unknown name.</exception>
    public static OptimizerHelper Create(string name, IEnumerable<Parameter> parameters, double learningRate)
    {
        if (!Factories.TryGetValue(name, out var factory))
        {
            throw new MalariaMLException($"unknown optimizer '{name}': use one of {string.Join(", ", Names)}");
        }

        return factory(parameters, learningRate);
    }
}

using static TorchSharp.torch;

namespace MalariaML.Export;

/// <summary>A network's parameters and buffers by state_dict name, added to a graph on first use.</summary>
internal sealed class NetworkWeights(nn.Module network, OnnxGraphBuilder graph)
{
    private readonly Dictionary<string, Tensor> _state = network.state_dict();

    /// <summary>True when the network has a tensor of that name.</summary>
    public bool Has(string name) => _state.ContainsKey(name);

    /// <summary>The initializer holding tensor <paramref name="name"/>.</summary>
    /// <exception cref="OnnxExportException">No such tensor: the network and its graph writer disagree.</exception>
    public string this[string name]
    {
        get
        {
            if (!_state.TryGetValue(name, out var tensor))
            {
                throw new OnnxExportException($"the {network.GetName()} network has no tensor '{name}' (its ONNX graph writer is out of date)");
            }

            return _added.Contains(name) ? name : Add(name, tensor);
        }
    }

    private readonly HashSet<string> _added = new(StringComparer.Ordinal);

    private string Add(string name, Tensor tensor)
    {
        _added.Add(name);
        return graph.Weight(name, tensor);
    }
}

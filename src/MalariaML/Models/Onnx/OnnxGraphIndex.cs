namespace MalariaML.Models.Onnx;

/// <summary>
/// Consumer lookup and checked accessors over an <see cref="OnnxModel"/>, so importers can follow the
/// data flow (which node reads which value) instead of relying on node order or exporter naming.
/// </summary>
internal sealed class OnnxGraphIndex
{
    private readonly Dictionary<string, List<OnnxNode>> _consumers = new(StringComparer.Ordinal);

    public OnnxGraphIndex(OnnxModel model)
    {
        Model = model;
        foreach (var node in model.Graph.Nodes)
        {
            foreach (var input in node.Inputs.Where(i => i.Length > 0))
            {
                if (!_consumers.TryGetValue(input, out var list)) _consumers[input] = list = [];
                list.Add(node);
            }
        }
    }

    public OnnxModel Model { get; }

    public IReadOnlyList<OnnxNode> Consumers(string value) =>
        _consumers.TryGetValue(value, out var list) ? list : [];

    /// <summary>The one node of type <paramref name="opType"/> reading <paramref name="value"/>.</summary>
    public OnnxNode SingleConsumer(string value, string opType)
    {
        var matches = Consumers(value).Where(n => n.OpType == opType).ToList();
        if (matches.Count != 1)
        {
            Fail($"expected exactly one {opType} reading '{value}', found {matches.Count}");
        }

        return matches[0];
    }

    /// <summary>The single graph input that is not an initializer (older exporters list weights as inputs too).</summary>
    public string DataInput()
    {
        var inputs = Model.Graph.Inputs.Where(i => !Model.Graph.Initializers.ContainsKey(i.Name)).ToList();
        if (inputs.Count != 1) Fail($"expected one data input, found {inputs.Count}");
        return inputs[0].Name;
    }

    /// <summary>The FLOAT initializer feeding input <paramref name="index"/> of <paramref name="node"/>.</summary>
    public OnnxTensor Initializer(OnnxNode node, int index, string role)
    {
        if (index >= node.Inputs.Count || node.Inputs[index].Length == 0)
        {
            Fail($"{node.DisplayName} has no input for its {role}");
        }

        string name = node.Inputs[index];
        if (!Model.Graph.Initializers.TryGetValue(name, out var tensor))
        {
            Fail($"initializer '{name}' ({role} of {node.DisplayName}) is missing");
        }

        if (tensor.FloatData is null)
        {
            Fail($"initializer '{name}' ({role} of {node.DisplayName}) has element type {tensor.DataType}, expected FLOAT");
        }

        return tensor;
    }

    /// <summary>Checks that <paramref name="node"/> reads <paramref name="expected"/> as input <paramref name="index"/>.</summary>
    public void RequireInput(OnnxNode node, int index, string expected)
    {
        if (index >= node.Inputs.Count || node.Inputs[index] != expected)
        {
            Fail($"{node.DisplayName} should read '{expected}' as input {index}, but its inputs are [{string.Join(", ", node.Inputs)}]");
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public void Fail(string reason) => throw new ModelImportException(Model.SourceName, reason);
}

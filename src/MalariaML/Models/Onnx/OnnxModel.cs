namespace MalariaML.Models.Onnx;

/// <summary>
/// The parts of an ONNX <c>ModelProto</c> that MalariaML needs to import pretrained weights:
/// producer information, opset and the main graph.
/// </summary>
/// <param name="SourceName">The file (or other source) the model was read from; used in error messages.</param>
/// <param name="IrVersion">ONNX IR version (<c>ir_version</c>).</param>
/// <param name="ProducerName">Tool that wrote the model, e.g. <c>CNTK</c>.</param>
/// <param name="ProducerVersion">Version of that tool.</param>
/// <param name="OpsetVersion">Version of the default (<c>ai.onnx</c>) operator set, or 0 when absent.</param>
/// <param name="Graph">The model's graph.</param>
internal sealed record OnnxModel(
    string SourceName,
    long IrVersion,
    string ProducerName,
    string ProducerVersion,
    long OpsetVersion,
    OnnxGraph Graph);

/// <summary>An ONNX <c>GraphProto</c>: nodes in file order, initializers by name, graph inputs and outputs.</summary>
/// <param name="Name">Graph name.</param>
/// <param name="Nodes">Nodes in the order stored in the file (ONNX requires topological order).</param>
/// <param name="Initializers">Constant tensors (weights) by name.</param>
/// <param name="Inputs">Declared graph inputs. Older exporters also list initializers here.</param>
/// <param name="Outputs">Declared graph outputs.</param>
internal sealed record OnnxGraph(
    string Name,
    IReadOnlyList<OnnxNode> Nodes,
    IReadOnlyDictionary<string, OnnxTensor> Initializers,
    IReadOnlyList<OnnxValueInfo> Inputs,
    IReadOnlyList<OnnxValueInfo> Outputs);

/// <summary>A graph input or output: its name and, when declared, its static shape.</summary>
/// <param name="Name">Value name.</param>
/// <param name="ElementType">ONNX element type (1 = FLOAT), or 0 when not declared.</param>
/// <param name="Shape">Dimensions; a symbolic or missing dimension is reported as -1.</param>
internal sealed record OnnxValueInfo(string Name, int ElementType, IReadOnlyList<long> Shape);

/// <summary>An ONNX <c>NodeProto</c>.</summary>
/// <param name="Name">Node name (may be empty).</param>
/// <param name="OpType">Operator, e.g. <c>Conv</c>.</param>
/// <param name="Inputs">Input value names; an empty string marks an omitted optional input.</param>
/// <param name="Outputs">Output value names.</param>
/// <param name="Attributes">Attributes by name.</param>
internal sealed record OnnxNode(
    string Name,
    string OpType,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    IReadOnlyDictionary<string, OnnxAttribute> Attributes)
{
    /// <summary>A readable identifier for error messages (the name, or the op type and first output).</summary>
    public string DisplayName => Name.Length > 0 ? $"{OpType} '{Name}'" : $"{OpType} -> '{Outputs.FirstOrDefault()}'";

    /// <summary>The integer-list attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="fallback">Value used when the node does not carry the attribute (the ONNX default).</param>
    public IReadOnlyList<long> GetInts(string name, IReadOnlyList<long> fallback) =>
        Attributes.TryGetValue(name, out var a) ? a.Ints : fallback;

    /// <summary>The integer attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="fallback">Value used when the node does not carry the attribute (the ONNX default).</param>
    public long GetInt(string name, long fallback) =>
        Attributes.TryGetValue(name, out var a) && a.Int is { } i ? i : fallback;

    /// <summary>The float attribute <paramref name="name"/>, or <paramref name="fallback"/> when absent.</summary>
    /// <param name="name">Attribute name.</param>
    /// <param name="fallback">Value used when the node does not carry the attribute (the ONNX default).</param>
    public float GetFloat(string name, float fallback) =>
        Attributes.TryGetValue(name, out var a) && a.Float is { } f ? f : fallback;
}

/// <summary>An ONNX <c>AttributeProto</c> restricted to the scalar and list kinds used by CNN operators.</summary>
/// <param name="Name">Attribute name.</param>
/// <param name="Int">Value of an INT attribute.</param>
/// <param name="Float">Value of a FLOAT attribute.</param>
/// <param name="String">Value of a STRING attribute (decoded as UTF-8).</param>
/// <param name="Ints">Value of an INTS attribute (empty otherwise).</param>
/// <param name="Floats">Value of a FLOATS attribute (empty otherwise).</param>
internal sealed record OnnxAttribute(
    string Name,
    long? Int,
    float? Float,
    string? String,
    IReadOnlyList<long> Ints,
    IReadOnlyList<float> Floats);

/// <summary>An ONNX <c>TensorProto</c> initializer.</summary>
/// <param name="Name">Initializer name.</param>
/// <param name="Dims">Shape.</param>
/// <param name="DataType">ONNX element type; <see cref="FloatDataType"/> is the only one whose values are decoded.</param>
/// <param name="FloatData">Row-major values for FLOAT tensors (from <c>raw_data</c> or <c>float_data</c>); null for other types.</param>
internal sealed record OnnxTensor(string Name, IReadOnlyList<long> Dims, int DataType, float[]? FloatData)
{
    /// <summary>ONNX <c>TensorProto.DataType.FLOAT</c>.</summary>
    public const int FloatDataType = 1;

    /// <summary>Number of elements implied by <see cref="Dims"/> (1 for a scalar).</summary>
    public long ElementCount => Dims.Aggregate(1L, (acc, d) => acc * d);

    /// <summary>The shape formatted like <c>[64, 3, 7, 7]</c>, for messages.</summary>
    public string ShapeText => "[" + string.Join(", ", Dims) + "]";
}

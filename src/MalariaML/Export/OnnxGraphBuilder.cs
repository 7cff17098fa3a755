using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MalariaML.Export;

/// <summary>
/// Builds one ONNX graph node by node (operators of opset <see cref="Opset"/>, default domain) with the weights as
/// initializers, and serialises it as a <c>ModelProto</c> with <see cref="ProtoWriter"/>.
/// </summary>
/// <remarks>Field numbers are those of <c>onnx.proto</c> (IR version 8).</remarks>
internal sealed class OnnxGraphBuilder
{
    /// <summary>ONNX operator set the graph uses: BatchNormalization without training outputs, Gemm, Reshape with an input shape.</summary>
    public const int Opset = 17;

    /// <summary>IR version matching <see cref="Opset"/> (ONNX 1.12+), read by any ONNX Runtime since 1.12.</summary>
    public const int IrVersion = 8;

    private const int FloatType = 1;
    private const int Int64Type = 7;

    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>Adds a float initializer holding a copy of <paramref name="value"/> (any device, logical NCHW order).</summary>
    public string Weight(string name, Tensor value)
    {
        using var scope = NewDisposeScope();
        var data = value.detach().cpu().to_type(ScalarType.Float32).contiguous();
        return Initializer(name, FloatType, data.shape, data.bytes.ToArray());
    }

    /// <summary>Adds a float initializer.</summary>
    public string Constant(string name, float[] values, params long[] dims)
        => Initializer(name, FloatType, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>Adds an int64 initializer (indices, shapes).</summary>
    public string Constant(string name, long[] values, params long[] dims)
        => Initializer(name, Int64Type, dims, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    /// <summary>Adds a node and returns the name of its (single) output.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) => Node(op, inputs, null, attributes);

    /// <summary>Adds a node whose output gets <paramref name="output"/> as its name (a graph output), or a fresh name.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, string? output, params OnnxAttribute[] attributes)
    {
        var name = $"{op}_{_counter++}";
        output ??= name + "_out";
        Claim(output);
        var inputList = inputs.ToArray();
        _nodes.Add(w =>
        {
            foreach (var input in inputList)
            {
                w.String(1, input);
            }

            w.String(2, output);
            w.String(3, name);
            w.String(4, op);
            foreach (var attribute in attributes)
            {
                w.Message(5, attribute.WriteTo);
            }
        });
        return output;
    }

    /// <summary>Convolution; <paramref name="pads"/> in ONNX order (top, left, bottom, right).</summary>
    public string Conv(string x, string weight, string? bias, long kernel, long stride, long[] pads)
        => Node("Conv", bias is null ? [x, weight] : [x, weight, bias],
            OnnxAttribute.Of("kernel_shape", kernel, kernel), OnnxAttribute.Of("strides", stride, stride), OnnxAttribute.Of("pads", pads));

    /// <summary>Max pooling; padded cells never win, as with a negative-infinity pad.</summary>
    public string MaxPool(string x, long kernel, long stride, long[] pads)
        => Node("MaxPool", [x], OnnxAttribute.Of("kernel_shape", kernel, kernel), OnnxAttribute.Of("strides", stride, stride), OnnxAttribute.Of("pads", pads));

    /// <summary>Batch normalisation with running statistics (inference).</summary>
    public string BatchNorm(string x, string scale, string bias, string mean, string variance, double epsilon)
        => Node("BatchNormalization", [x, scale, bias, mean, variance], OnnxAttribute.Of("epsilon", (float)epsilon));

    /// <summary>y = x W^T + b, as torch's Linear with its (out, in) weight.</summary>
    public string Linear(string x, string weight, string bias)
        => Node("Gemm", [x, weight, bias], OnnxAttribute.Of("transB", 1L));

    /// <summary>An operator of one input and no attributes (Relu, Sigmoid, GlobalAveragePool).</summary>
    public string Unary(string op, string x) => Node(op, [x]);

    /// <summary>An elementwise operator of two inputs with broadcasting (Add, Sub, Mul, Div).</summary>
    public string Binary(string op, string a, string b) => Node(op, [a, b]);

    /// <summary>
    /// The serialised model: one float input (dynamic batch, then <paramref name="imageDims"/>), the named outputs
    /// with dynamic batch, and <paramref name="metadata"/> as <c>metadata_props</c>.
    /// </summary>
    /// <param name="input">Name of the graph input.</param>
    /// <param name="imageDims">Input dimensions after the batch.</param>
    /// <param name="outputs">Outputs of shape (batch).</param>
    /// <param name="metadata">The <c>metadata_props</c>.</param>
    /// <param name="producerVersion">Version of the library writing the model.</param>
    /// <param name="untypedOutputs">Further outputs declared without a shape (intermediate values, for diagnosis).</param>
    public byte[] ToModel(string input, long[] imageDims, IReadOnlyList<string> outputs, IReadOnlyDictionary<string, string> metadata, string producerVersion,
        IReadOnlyList<string>? untypedOutputs = null)
    {
        var w = new ProtoWriter();
        w.Int(1, IrVersion);
        w.String(2, "MalariaML");
        w.String(3, producerVersion);
        w.Message(7, g =>
        {
            foreach (var node in _nodes)
            {
                g.Message(1, node);
            }

            g.String(2, "malariaml");
            foreach (var initializer in _initializers)
            {
                g.Message(5, initializer);
            }

            g.Message(11, v => ValueInfo(v, input, imageDims));
            foreach (var output in outputs)
            {
                g.Message(12, v => ValueInfo(v, output, []));
            }

            foreach (var output in untypedOutputs ?? [])
            {
                g.Message(12, v => ValueInfo(v, output, null));
            }
        });
        w.Message(8, o =>
        {
            o.String(1, "");
            o.Int(2, Opset);
        });
        foreach (var (key, value) in metadata)
        {
            w.Message(14, e =>
            {
                e.String(1, key);
                e.String(2, value);
            });
        }

        return w.ToArray();
    }

    private string Initializer(string name, int type, long[] dims, byte[] raw)
    {
        Claim(name);
        _initializers.Add(t =>
        {
            foreach (var d in dims)
            {
                t.Int(1, d);
            }

            t.Int(2, type);
            t.String(8, name);
            t.Bytes(9, raw);
        });
        return name;
    }

    // A float tensor whose first dimension is the dynamic batch; of unknown shape when dims is null.
    private static void ValueInfo(ProtoWriter v, string name, long[]? dims)
    {
        v.String(1, name);
        v.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, FloatType);
            if (dims is null)
            {
                return;
            }

            tensor.Message(2, shape =>
            {
                shape.Message(1, d => d.String(2, "batch"));
                foreach (var dim in dims)
                {
                    shape.Message(1, d => d.Int(1, dim));
                }
            });
        }));
    }

    private void Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"ONNX value '{name}' defined twice");
        }
    }
}

using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace MalariaML.Models.Onnx;

/// <summary>
/// Reads the parts of an ONNX file needed to import weights (graph nodes, attributes, FLOAT initializers)
/// straight from the protobuf wire format.
/// </summary>
/// <remarks>
/// Hand-written rather than generated so that the library needs neither Google.Protobuf nor the ONNX
/// schema at build time; unknown fields are skipped as protobuf allows, but anything structurally broken
/// (truncation, impossible lengths, deprecated group wire types, tensor sizes that disagree with their
/// shape) is refused with an <see cref="OnnxFormatException"/> rather than producing partial weights.
/// </remarks>
internal static class OnnxModelReader
{
    /// <summary>Reads and parses the ONNX model at <paramref name="path"/>.</summary>
    /// <param name="path">Path of the .onnx file.</param>
    /// <returns>The parsed model.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="OnnxFormatException">The file is not a well-formed ONNX model.</exception>
    public static OnnxModel Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"ONNX model not found: '{path}'.", path);
        }

        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses an ONNX model held in memory.</summary>
    /// <param name="data">The serialized <c>ModelProto</c>.</param>
    /// <param name="sourceName">Name used in error messages (typically the file path).</param>
    /// <returns>The parsed model.</returns>
    /// <exception cref="OnnxFormatException">The bytes are not a well-formed ONNX model.</exception>
    public static OnnxModel Parse(ReadOnlySpan<byte> data, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(sourceName);
        if (data.IsEmpty)
        {
            throw new OnnxFormatException(sourceName, "the file is empty");
        }

        var r = new ProtoReader(data, 0, sourceName);
        long irVersion = 0, opset = 0;
        string producer = "", producerVersion = "";
        OnnxGraph? graph = null;
        while (r.NextField(out int field, out int wire))
        {
            switch (field)
            {
                case 1: irVersion = (long)r.Varint(wire, "ir_version"); break;
                case 2: producer = r.String(wire, "producer_name"); break;
                case 3: producerVersion = r.String(wire, "producer_version"); break;
                case 7:
                    if (graph is not null) r.Fail("more than one graph");
                    graph = ParseGraph(r.Message(wire, "graph"));
                    break;
                case 8:
                    var (domain, version) = ParseOpset(r.Message(wire, "opset_import"));
                    if (domain is "" or "ai.onnx") opset = version;
                    break;
                default: r.Skip(wire); break;
            }
        }

        if (graph is null)
        {
            throw new OnnxFormatException(sourceName, "the model has no graph (is this an ONNX file?)");
        }

        return new OnnxModel(sourceName, irVersion, producer, producerVersion, opset, graph);
    }

    private static (string Domain, long Version) ParseOpset(ProtoReader r)
    {
        string domain = "";
        long version = 0;
        while (r.NextField(out int field, out int wire))
        {
            switch (field)
            {
                case 1: domain = r.String(wire, "opset domain"); break;
                case 2: version = (long)r.Varint(wire, "opset version"); break;
                default: r.Skip(wire); break;
            }
        }

        return (domain, version);
    }

    private static OnnxGraph ParseGraph(ProtoReader r)
    {
        string name = "";
        var nodes = new List<OnnxNode>();
        var initializers = new Dictionary<string, OnnxTensor>(StringComparer.Ordinal);
        var inputs = new List<OnnxValueInfo>();
        var outputs = new List<OnnxValueInfo>();
        while (r.NextField(out int field, out int wire))
        {
            switch (field)
            {
                case 1: nodes.Add(ParseNode(r.Message(wire, "node"))); break;
                case 2: name = r.String(wire, "graph name"); break;
                case 5:
                    var tensor = ParseTensor(r.Message(wire, "initializer"));
                    if (!initializers.TryAdd(tensor.Name, tensor)) r.Fail($"duplicate initializer '{tensor.Name}'");
                    break;
                case 11: inputs.Add(ParseValueInfo(r.Message(wire, "graph input"))); break;
                case 12: outputs.Add(ParseValueInfo(r.Message(wire, "graph output"))); break;
                case 15: r.Fail("sparse initializers are not supported"); break;
                default: r.Skip(wire); break;
            }
        }

        return new OnnxGraph(name, nodes, initializers, inputs, outputs);
    }

    private static OnnxNode ParseNode(ProtoReader r)
    {
        string name = "", opType = "";
        var inputs = new List<string>();
        var outputs = new List<string>();
        var attributes = new Dictionary<string, OnnxAttribute>(StringComparer.Ordinal);
        while (r.NextField(out int field, out int wire))
        {
            switch (field)
            {
                case 1: inputs.Add(r.String(wire, "node input")); break;
                case 2: outputs.Add(r.String(wire, "node output")); break;
                case 3: name = r.String(wire, "node name"); break;
                case 4: opType = r.String(wire, "op_type"); break;
                case 5:
                    var a = ParseAttribute(r.Message(wire, "attribute"));
                    if (!attributes.TryAdd(a.Name, a)) r.Fail($"duplicate attribute '{a.Name}' on node '{name}'");
                    break;
                default: r.Skip(wire); break;
            }
        }

        if (opType.Length == 0) r.Fail($"node '{name}' has no op_type");
        return new OnnxNode(name, opType, inputs, outputs, attributes);
    }

    private static OnnxAttribute ParseAttribute(ProtoReader r)
    {
        string name = "";
        long? i = null;
        float? f = null;
        string? s = null;
        var ints = new List<long>();
        var floats = new List<float>();
        while (r.NextField(out int field, out int wire))
        {
            switch (field)
            {
                case 1: name = r.String(wire, "attribute name"); break;
                case 2: f = r.Float(wire, "attribute f"); break;
                case 3: i = (long)r.Varint(wire, "attribute i"); break;
                case 4: s = r.String(wire, "attribute s"); break;
                case 7: r.Floats(wire, "attribute floats", floats); break;
                case 8: r.Int64s(wire, "attribute ints", ints); break;
                default: r.Skip(wire); break;
            }
        }

        return new OnnxAttribute(name, i, f, s, ints, floats);
    }

    private static OnnxValueInfo ParseValueInfo(ProtoReader r)
    {
        string name = "";
        int elementType = 0;
        var shape = new List<long>();
        while (r.NextField(out int field, out int wire))
        {
            if (field == 1) { name = r.String(wire, "value name"); continue; }
            if (field != 2) { r.Skip(wire); continue; }

            // TypeProto.tensor_type (1) -> TypeProto.Tensor { elem_type (1), shape (2) -> dim (1) -> dim_value (1) }.
            var type = r.Message(wire, "value type");
            while (type.NextField(out int tf, out int tw))
            {
                if (tf != 1) { type.Skip(tw); continue; }
                var tensorType = type.Message(tw, "tensor_type");
                while (tensorType.NextField(out int ef, out int ew))
                {
                    if (ef == 1) { elementType = (int)tensorType.Varint(ew, "elem_type"); continue; }
                    if (ef != 2) { tensorType.Skip(ew); continue; }
                    var shapeProto = tensorType.Message(ew, "shape");
                    while (shapeProto.NextField(out int sf, out int sw))
                    {
                        if (sf != 1) { shapeProto.Skip(sw); continue; }
                        var dim = shapeProto.Message(sw, "dim");
                        long value = -1;
                        while (dim.NextField(out int df, out int dw))
                        {
                            if (df == 1) value = (long)dim.Varint(dw, "dim_value");
                            else dim.Skip(dw);
                        }

                        shape.Add(value);
                    }
                }
            }
        }

        return new OnnxValueInfo(name, elementType, shape);
    }

    private static OnnxTensor ParseTensor(ProtoReader r)
    {
        string name = "";
        int dataType = 0;
        var dims = new List<long>();
        var floatData = new List<float>();
        ReadOnlySpan<byte> raw = default;
        bool hasRaw = false;
        while (r.NextField(out int field, out int wire))
        {
            switch (field)
            {
                case 1: r.Int64s(wire, "dims", dims); break;
                case 2: dataType = (int)r.Varint(wire, "data_type"); break;
                case 3: r.Fail("segmented tensors are not supported"); break;
                case 4: r.Floats(wire, "float_data", floatData); break;
                case 8: name = r.String(wire, "tensor name"); break;
                case 9: raw = r.Bytes(wire, "raw_data"); hasRaw = true; break;
                case 13: r.Fail("tensors stored in external files are not supported"); break;
                case 14:
                    if (r.Varint(wire, "data_location") != 0) r.Fail("tensors stored in external files are not supported");
                    break;
                default: r.Skip(wire); break;
            }
        }

        string what = $"initializer '{name}'";
        long count = 1;
        foreach (long d in dims)
        {
            if (d < 0 || (d > 0 && count > int.MaxValue / d)) r.Fail($"{what} has an invalid shape");
            count *= d;
        }

        float[]? values = null;
        if (dataType == OnnxTensor.FloatDataType)
        {
            if (hasRaw)
            {
                if (floatData.Count != 0) r.Fail($"{what} has both raw_data and float_data");
                if (raw.Length != count * sizeof(float)) r.Fail($"{what} has {raw.Length} bytes of raw_data but its shape needs {count * sizeof(float)}");
                values = new float[count];
                if (BitConverter.IsLittleEndian)
                {
                    raw.CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
                }
                else
                {
                    for (int k = 0; k < values.Length; k++) values[k] = BinaryPrimitives.ReadSingleLittleEndian(raw[(k * 4)..]);
                }
            }
            else
            {
                if (floatData.Count != count) r.Fail($"{what} has {floatData.Count} float_data values but its shape needs {count}");
                values = floatData.ToArray();
            }
        }

        return new OnnxTensor(name, dims, dataType, values);
    }

    /// <summary>Cursor over one protobuf message; offsets are absolute so errors point into the file.</summary>
    private ref struct ProtoReader(ReadOnlySpan<byte> buffer, int baseOffset, string source)
    {
        private const int WireVarint = 0, WireFixed64 = 1, WireLengthDelimited = 2, WireFixed32 = 5;
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _pos;

        public bool NextField(out int field, out int wire)
        {
            field = wire = 0;
            if (_pos >= _buffer.Length) return false;
            ulong key = ReadVarint();
            field = (int)(key >> 3);
            wire = (int)(key & 7);
            if (field == 0 || key >> 3 > int.MaxValue) Fail("invalid field number");
            return true;
        }

        public ulong Varint(int wire, string what)
        {
            Expect(wire, WireVarint, what);
            return ReadVarint();
        }

        public float Float(int wire, string what)
        {
            Expect(wire, WireFixed32, what);
            return BinaryPrimitives.ReadSingleLittleEndian(Take(4, what));
        }

        public ReadOnlySpan<byte> Bytes(int wire, string what)
        {
            Expect(wire, WireLengthDelimited, what);
            ulong length = ReadVarint();
            if (length > (ulong)(_buffer.Length - _pos)) Fail($"{what} claims {length} bytes but only {_buffer.Length - _pos} remain (truncated file?)");
            return Take((int)length, what);
        }

        public string String(int wire, string what)
        {
            var bytes = Bytes(wire, what);
            try
            {
                return new UTF8Encoding(false, true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                Fail($"{what} is not valid UTF-8");
                return "";
            }
        }

        public ProtoReader Message(int wire, string what)
        {
            var bytes = Bytes(wire, what);
            return new ProtoReader(bytes, baseOffset + _pos - bytes.Length, source);
        }

        public void Int64s(int wire, string what, List<long> into)
        {
            if (wire == WireVarint) { into.Add((long)ReadVarint()); return; }
            var packed = Message(wire, what);
            while (packed._pos < packed._buffer.Length) into.Add((long)packed.ReadVarint());
        }

        public void Floats(int wire, string what, List<float> into)
        {
            if (wire == WireFixed32) { into.Add(Float(wire, what)); return; }
            var packed = Bytes(wire, what);
            if (packed.Length % 4 != 0) Fail($"packed {what} has a length that is not a multiple of 4");
            into.EnsureCapacity(into.Count + packed.Length / 4);
            for (int k = 0; k < packed.Length; k += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(packed[k..]));
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case WireVarint: ReadVarint(); break;
                case WireFixed64: Take(8, "fixed64 field"); break;
                case WireLengthDelimited: Bytes(wire, "unknown field"); break;
                case WireFixed32: Take(4, "fixed32 field"); break;
                default: Fail($"unsupported protobuf wire type {wire}"); break;
            }
        }

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        public readonly void Fail(string reason) =>
            throw new OnnxFormatException(source, $"{reason} (near byte {baseOffset + _pos})");

        private readonly void Expect(int wire, int expected, string what)
        {
            if (wire != expected) Fail($"{what} has wire type {wire}, expected {expected}");
        }

        private ReadOnlySpan<byte> Take(int count, string what)
        {
            if (count > _buffer.Length - _pos) Fail($"{what} runs past the end of its message (truncated file?)");
            var slice = _buffer.Slice(_pos, count);
            _pos += count;
            return slice;
        }

        private ulong ReadVarint()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_pos >= _buffer.Length) Fail("truncated varint");
                byte b = _buffer[_pos++];
                result |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return result;
            }

            Fail("varint longer than 10 bytes");
            return 0;
        }
    }
}

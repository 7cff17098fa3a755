using System.Buffers.Binary;
using System.Text;

namespace MalariaML.Export;

/// <summary>
/// Writes protobuf wire format, the few field kinds ONNX needs: varints, 32-bit floats, length-delimited bytes and
/// nested messages. The counterpart of the hand-written reader in <c>Models/Onnx</c>, so the library needs neither
/// Google.Protobuf nor generated ONNX classes.
/// </summary>
internal sealed class ProtoWriter
{
    private const int VarintWire = 0;
    private const int LengthDelimitedWire = 2;
    private const int Fixed32Wire = 5;

    private readonly MemoryStream _buffer = new();

    /// <summary>An integer field (int32, int64 or enum; negative values take ten bytes, as protobuf specifies).</summary>
    public void Int(int field, long value)
    {
        Tag(field, VarintWire);
        Varint(unchecked((ulong)value));
    }

    /// <summary>A float field.</summary>
    public void Float(int field, float value)
    {
        Tag(field, Fixed32Wire);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        _buffer.Write(bytes);
    }

    /// <summary>A UTF-8 string field.</summary>
    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public void Bytes(int field, ReadOnlySpan<byte> bytes)
    {
        Tag(field, LengthDelimitedWire);
        Varint((ulong)bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>A nested message, built by <paramref name="build"/> into its own buffer so its length is known.</summary>
    public void Message(int field, Action<ProtoWriter> build)
    {
        var nested = new ProtoWriter();
        build(nested);
        Bytes(field, nested._buffer.GetBuffer().AsSpan(0, (int)nested._buffer.Length));
    }

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => _buffer.ToArray();

    private void Tag(int field, int wire) => Varint((ulong)((field << 3) | wire));

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        _buffer.WriteByte((byte)value);
    }
}

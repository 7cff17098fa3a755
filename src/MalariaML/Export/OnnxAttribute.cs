namespace MalariaML.Export;

/// <summary>One attribute of an ONNX node: an integer, a float or a list of integers.</summary>
/// <param name="Name">Attribute name, e.g. <c>kernel_shape</c>.</param>
/// <param name="Int">The value of an INT attribute.</param>
/// <param name="Float">The value of a FLOAT attribute.</param>
/// <param name="Ints">The value of an INTS attribute.</param>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, IReadOnlyList<long>? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);

    // AttributeProto fields and AttributeType values from onnx.proto.
    internal void WriteTo(ProtoWriter w)
    {
        w.String(1, Name);
        if (Int is { } i)
        {
            w.Int(3, i);
            w.Int(20, 2);
        }
        else if (Float is { } f)
        {
            w.Float(2, f);
            w.Int(20, 1);
        }
        else
        {
            foreach (var v in Ints ?? [])
            {
                w.Int(8, v);
            }

            w.Int(20, 7);
        }
    }
}

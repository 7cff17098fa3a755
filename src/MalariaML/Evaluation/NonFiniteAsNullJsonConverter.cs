using System.Text.Json;
using System.Text.Json.Serialization;

namespace MalariaML.Evaluation;

/// <summary>
/// Writes NaN and infinities as JSON <c>null</c> and reads <c>null</c> back as NaN.
/// </summary>
/// <remarks>
/// System.Text.Json throws on NaN by default, and an undefined AUC (single-class test set) is a legitimate
/// result; <c>null</c> is what JSON consumers (jq, Python, JavaScript) understand as "no value".
/// </remarks>
internal sealed class NonFiniteAsNullJsonConverter : JsonConverter<double>
{
    public override bool HandleNull => true;

    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? double.NaN : reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

using System.Globalization;
using System.Text;

namespace MalariaML.Fields;

/// <summary>
/// The per-object table of screened fields (<c>malaria screen</c>'s <c>cells.csv</c>, the server's field-cells CSV):
/// one row per object found, counted or not, so both write the same columns the same way.
/// </summary>
internal static class FieldCellsCsv
{
    /// <summary>The header line, with its newline.</summary>
    public const string Header = "field,cell,x,y,width,height,area,label,probability,reason\n";

    /// <summary>Appends one row per object of <paramref name="screening"/>.</summary>
    public static void AppendRows(StringBuilder csv, FieldScreening screening)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(screening);
        foreach (var o in screening.Objects)
        {
            var b = o.Object.Box;
            csv.Append(CultureInfo.InvariantCulture,
                $"{Escape(screening.Field)},{o.Object.Id},{b.X},{b.Y},{b.Width},{b.Height},{o.Object.Area:F0},{o.Label},{o.Probability?.ToString("F6", CultureInfo.InvariantCulture) ?? ""},{Escape(o.Object.ExclusionReason ?? "")}\n");
        }
    }

    /// <summary>A CSV field: quoted when it holds a comma, a quote or a line break.</summary>
    public static string Escape(string value)
        => value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}

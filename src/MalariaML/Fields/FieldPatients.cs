using System.Text.RegularExpressions;

namespace MalariaML.Fields;

/// <summary>
/// Which patient a field photograph belongs to: by default the folder that holds it (a folder of fields is one
/// patient); with a pattern, its first capture group (or the group named <c>patient</c>) matched on the file name.
/// </summary>
public sealed class FieldPatients
{
    private readonly Regex? _pattern;

    /// <summary>Creates the rule; <paramref name="pattern"/> <c>null</c> means "the parent folder".</summary>
    /// <exception cref="ArgumentException">The pattern is not a valid regular expression.</exception>
    public FieldPatients(string? pattern = null)
    {
        _pattern = pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    /// <summary>The patient of the field at <paramref name="path"/>.</summary>
    public string Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_pattern is not null)
        {
            var match = _pattern.Match(Path.GetFileName(path));
            if (match.Success)
            {
                var group = match.Groups["patient"].Success ? match.Groups["patient"] : match.Groups.Count > 1 ? match.Groups[1] : match.Groups[0];
                return group.Value;
            }
        }

        var folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)) ?? "");
        return string.IsNullOrEmpty(folder) ? "patient" : folder;
    }
}

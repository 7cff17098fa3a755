using System.Text.RegularExpressions;

namespace MalariaML.Data;

/// <summary>
/// Derives the patient a cell came from out of its NIH file name, so that splits can keep each
/// patient's cells together.
/// </summary>
/// <remarks>
/// Names look like <c>C33P1thinF_IMG_20150619_114756a_cell_179.png</c>: slide <c>C33</c>, patient <c>P1</c>.
/// The key is the <c>P&lt;n&gt;</c> part of the prefix before <c>thin</c> (matched case-insensitively, because
/// variants such as <c>C42P5thin_original_...</c>, <c>C177P138NThinF_...</c> or <c>C73P34_thinF_...</c> exist).
/// Cells of healthy patients carry no <c>P&lt;n&gt;</c>; their key is the slide prefix (<c>C1</c>, <c>C238N</c>).
/// A name without <c>thin</c> falls back to the part before the first underscore.
/// </remarks>
internal static partial class PatientKey
{
    [GeneratedRegex(@"^C\d+[A-Za-z]*?P(\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex PatientPattern();

    /// <summary>Returns the patient key of a cell image file name (a path is accepted; only its file name is read).</summary>
    /// <param name="fileNameOrPath">The file name or path of one cell crop.</param>
    /// <returns><c>P&lt;n&gt;</c> for an infected patient's slide, otherwise the slide prefix.</returns>
    public static string Parse(string fileNameOrPath)
    {
        ArgumentNullException.ThrowIfNull(fileNameOrPath);
        var name = Path.GetFileNameWithoutExtension(fileNameOrPath);
        var thin = name.IndexOf("thin", StringComparison.OrdinalIgnoreCase);
        string prefix;
        if (thin > 0)
        {
            prefix = name[..thin];
        }
        else
        {
            var underscore = name.IndexOf('_');
            prefix = underscore > 0 ? name[..underscore] : name;
        }

        var match = PatientPattern().Match(prefix);
        if (match.Success)
        {
            return "P" + match.Groups[1].Value;
        }

        var trimmed = prefix.TrimEnd('_');
        return trimmed.Length > 0 ? trimmed : name;
    }
}

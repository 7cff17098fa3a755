using SkiaSharp;

namespace MalariaML.Plots;

/// <summary>The sans-serif typeface every chart draws its text with, shared by ScottPlot and the SkiaSharp-drawn charts.</summary>
/// <remarks>
/// The Linux.NoDependencies Skia build has no fontconfig: its font manager only scans <c>/usr/share/fonts</c>, and its
/// default typeface is whichever family it found first (DejaVu Serif on Debian), which is also what ScottPlot falls back
/// to and what <see cref="SKTypeface.FromFamilyName(string)"/> returns for an unknown name. So a family is looked up with
/// <see cref="SKFontManager.MatchFamily(string)"/> (null when missing) among common sans fonts; failing that, a TTF is
/// loaded from well-known paths and registered with ScottPlot under its family name; failing that, Skia's default is
/// used and a warning is written, since text may then be missing.
/// </remarks>
internal sealed class ChartFonts : IDisposable
{
    private static readonly string[] Families =
        ["DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Segoe UI", "Noto Sans", "Open Sans", "Roboto"];

    // Regular and bold files per font; the bold one is optional (Skia then uses the regular one).
    private static readonly (string Regular, string Bold)[] Files =
    [
        ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
        ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
        ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf"),
        ("/usr/local/share/fonts/DejaVuSans.ttf", "/usr/local/share/fonts/DejaVuSans-Bold.ttf"),
        ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
        ("/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf", "/usr/share/fonts/liberation-sans/LiberationSans-Bold.ttf"),
        (@"C:\Windows\Fonts\arial.ttf", @"C:\Windows\Fonts\arialbd.ttf"),
        ("/System/Library/Fonts/Supplemental/Arial.ttf", "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
        ("/Library/Fonts/Arial.ttf", "/Library/Fonts/Arial Bold.ttf"),
    ];

    private ChartFonts(string family, SKTypeface regular, SKTypeface bold, string source)
    {
        Family = family;
        Regular = regular;
        Bold = bold;
        Source = source;
    }

    /// <summary>Family name to give ScottPlot (<c>plot.Font.Set</c>); resolvable by ScottPlot's font lookup.</summary>
    public string Family { get; }

    /// <summary>Regular weight.</summary>
    public SKTypeface Regular { get; }

    /// <summary>Bold weight (the regular typeface when no bold one was found).</summary>
    public SKTypeface Bold { get; }

    /// <summary>Where the font came from, for diagnostics.</summary>
    public string Source { get; }

    /// <summary>Finds a sans-serif font as described on the class; writes a warning when only Skia's default is left.</summary>
    public static ChartFonts Load(TextWriter warnings)
    {
        foreach (var family in Families)
        {
            var regular = SKFontManager.Default.MatchFamily(family, SKFontStyle.Normal);
            if (regular is null || regular.GlyphCount == 0)
            {
                regular?.Dispose();
                continue;
            }
            var bold = SKFontManager.Default.MatchFamily(family, SKFontStyle.Bold) ?? regular;
            return new ChartFonts(family, regular, bold, $"system font '{family}'");
        }

        foreach (var (regularPath, boldPath) in Files)
        {
            if (!File.Exists(regularPath) || SKTypeface.FromFile(regularPath) is not { GlyphCount: > 0 } regular)
                continue;
            var family = regular.FamilyName;
            var bold = File.Exists(boldPath) ? SKTypeface.FromFile(boldPath) : null;
            // ScottPlot resolves fonts by name through its own (process-wide) resolver list, so a font that the
            // Skia font manager cannot see has to be registered there.
            ScottPlot.Fonts.AddFontFile(family, regularPath, bold: false, italic: false);
            if (bold is not null)
                ScottPlot.Fonts.AddFontFile(family, boldPath, bold: true, italic: false);
            return new ChartFonts(family, regular, bold ?? regular, $"font file '{regularPath}'");
        }

        var fallback = SKTypeface.Default;
        if (fallback.GlyphCount == 0)
            warnings.WriteLine("warning: no usable font found (tried DejaVu Sans, Liberation Sans, Arial); chart text may be missing");
        return new ChartFonts(fallback.FamilyName, fallback, fallback, "Skia default typeface");
    }

    /// <summary>An <see cref="SKFont"/> of this family at <paramref name="size"/> pixels.</summary>
    public SKFont Font(float size, bool bold = false) =>
        new(bold ? Bold : Regular, size) { Edging = SKFontEdging.Antialias, Subpixel = true };

    /// <inheritdoc />
    public void Dispose()
    {
        if (!ReferenceEquals(Bold, Regular))
            Bold.Dispose();
        if (!ReferenceEquals(Regular, SKTypeface.Default))
            Regular.Dispose();
    }
}

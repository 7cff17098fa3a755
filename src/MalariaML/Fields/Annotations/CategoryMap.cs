namespace MalariaML.Fields.Annotations;

/// <summary>
/// Which annotation categories are parasitized cells, which uninfected and which to leave out. Names compare without
/// regard to case. A category in none of the three sets is an error, so a new label is never silently mis-sorted.
/// </summary>
/// <param name="Parasitized">Categories of parasitized cells.</param>
/// <param name="Uninfected">Categories of uninfected red cells.</param>
/// <param name="Ignored">Categories to leave out.</param>
internal sealed record CategoryMap(IReadOnlySet<string> Parasitized, IReadOnlySet<string> Uninfected, IReadOnlySet<string> Ignored)
{
    /// <summary>
    /// The names used by the IML malaria set and common COCO exports: <c>ring</c>, <c>trophozoite</c>,
    /// <c>schizont</c>, <c>gametocyte</c>, <c>parasitized</c>, <c>infected</c> are parasitized; <c>red blood cell</c>,
    /// <c>rbc</c>, <c>uninfected</c>, <c>healthy</c> uninfected; <c>difficult</c>, <c>white blood cell</c>,
    /// <c>leukocyte</c>, <c>platelet</c> left out.
    /// </summary>
    public static CategoryMap Default { get; } = new(
        Set("ring", "trophozoite", "schizont", "gametocyte", "parasitized", "infected"),
        Set("red blood cell", "rbc", "uninfected", "healthy"),
        Set("difficult", "white blood cell", "leukocyte", "platelet"));

    /// <summary>The class of <paramref name="category"/>, or <c>null</c> when the map does not name it.</summary>
    public BoxClass? Classify(string category)
        => Parasitized.Contains(category) ? BoxClass.Parasitized
            : Uninfected.Contains(category) ? BoxClass.Uninfected
            : Ignored.Contains(category) ? BoxClass.Ignored
            : null;

    /// <summary>A case-insensitive set of names.</summary>
    public static IReadOnlySet<string> Set(params string[] names) => new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
}

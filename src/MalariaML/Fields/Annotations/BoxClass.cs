namespace MalariaML.Fields.Annotations;

/// <summary>What an annotated box says about its cell, after the category map.</summary>
internal enum BoxClass
{
    /// <summary>An uninfected red blood cell.</summary>
    Uninfected,

    /// <summary>A red blood cell with a parasite (any life stage).</summary>
    Parasitized,

    /// <summary>Left out of training and scoring (e.g. <c>difficult</c>).</summary>
    Ignored,
}

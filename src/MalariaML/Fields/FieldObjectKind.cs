namespace MalariaML.Fields;

/// <summary>What an object found in a field most probably is. Only red blood cells are classified and counted.</summary>
public enum FieldObjectKind
{
    /// <summary>A red blood cell: cropped, classified and counted.</summary>
    RedBloodCell,

    /// <summary>A white blood cell: much larger than a red cell, with a dark purple nucleus.</summary>
    WhiteBloodCell,

    /// <summary>A platelet or a stain speck: far smaller than a red cell.</summary>
    Platelet,

    /// <summary>Something of red-cell size or larger that is not shaped or coloured like a cell.</summary>
    Debris,

    /// <summary>The scale bar or its caption: thin, dark and straight.</summary>
    ScaleBar,
}

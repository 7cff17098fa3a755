namespace MalariaML.Data;

/// <summary>A dataset folder or split file that cannot be used as given.</summary>
public sealed class DatasetException(string message) : MalariaMLException(message);

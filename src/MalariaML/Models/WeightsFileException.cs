namespace MalariaML.Models;

/// <summary>
/// Thrown when a user-supplied weights file (a PyTorch state_dict, see <see cref="StateDictFile"/>) cannot be read or
/// does not fit the network: not found, not a supported format, malformed, a key missing, a wrong shape or dtype.
/// </summary>
internal sealed class WeightsFileException : MalariaMLException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The weights file.</param>
    /// <param name="reason">What is wrong with it.</param>
    /// <param name="inner">The error that revealed it, if any.</param>
    public WeightsFileException(string path, string reason, Exception? inner = null)
        : base($"Cannot load weights from '{path}': {reason}", inner)
    {
        FilePath = path;
        Reason = reason;
    }

    /// <summary>The weights file.</summary>
    public string FilePath { get; }

    /// <summary>What is wrong with it.</summary>
    public string Reason { get; }
}
